"""/v1/statements: standardized statements by company, statement, period and fiscal year/quarter.

``version=latest`` (default) is each value after restatements, ``first`` as first reported; ``as_of`` rebuilds
every row from ``statement_values`` with only the values accepted by then (point in time).
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import msgspec
from litestar import Request, get
from litestar.params import Parameter

from lake.tables import BALANCE_SHEET_FIELDS, CASH_FLOW_FIELDS, INCOME_FIELDS
from serving.context import capped, context
from serving.errors import bad_param, not_found
from serving.fd.common import companies, parse_date, records
from serving.v1.envelope import (
    Envelope,
    check_limit,
    check_sort,
    cursor_types,
    paginate,
    respond,
    versions_of,
)

#: Seed name -> (lake table, statement name in statement_values, fields)
STATEMENTS = {
    "income": ("income_statements", "income", INCOME_FIELDS),
    "balance": ("balance_sheets", "balance", BALANCE_SHEET_FIELDS),
    "cash_flow": ("cash_flow_statements", "cash_flow", CASH_FLOW_FIELDS),
}


class Statement(msgspec.Struct, kw_only=True):
    """One standardized statement of one period: values by field (null when not reported)."""

    cik: int
    ticker: str | None = None
    statement: str
    period: str
    fiscal_period: str
    report_period: dt.date
    currency: str | None = None
    version: str
    values: dict[str, float | None]
    accession_number: str | None = None
    filing_date: dt.date | None = None
    accepted_at: dt.datetime | None = None


_TYPES = cursor_types(Statement)


def _fiscal_match(fiscal_period: str, fy: int | None, fq: str | None) -> bool:
    if fy is not None and not (fiscal_period.startswith(str(fy)) or fiscal_period == f"FY{fy}"):
        return False
    return fq is None or fiscal_period.endswith(fq.upper())


def _as_of_rows(
    request: Request[Any, Any, Any], cik: int, statement: str, when: dt.datetime
) -> list[dict[str, Any]]:
    """Statements rebuilt from statement_values: per field and period, the last value accepted by ``when``."""
    _, name, fields = STATEMENTS[statement]
    data = context(request).store.rows("statement_values", cik)
    best: dict[tuple[Any, ...], dict[str, Any]] = {}
    for v in records(data):
        if v["statement"] != name or v["accepted_at"] is None or v["accepted_at"] > when:
            continue
        key = (v["period"], v["fiscal_period"], v["report_period"], v["field"])
        if key not in best or v["accepted_at"] > best[key]["accepted_at"]:
            best[key] = v
    rows: dict[tuple[Any, ...], dict[str, Any]] = {}
    for (period, fiscal, report, field), v in best.items():
        row = rows.setdefault(
            (period, fiscal, report),
            {"cik": cik, "period": period, "fiscal_period": fiscal, "report_period": report, "currency": v["unit"],
             "version": "as_of", "values": dict.fromkeys(fields), "accession_number": None, "filing_date": None,
             "accepted_at": None},
        )  # fmt: skip
        if field in row["values"]:
            row["values"][field] = v["value"]
        if row["accepted_at"] is None or v["accepted_at"] > row["accepted_at"]:
            row.update(
                accession_number=v["accession_number"],
                filing_date=v["filing_date"],
                accepted_at=v["accepted_at"],
            )
    for row in rows.values():
        row["currency"] = "USD" if (row["currency"] or "USD").upper().startswith("USD") else row["currency"]
    return list(rows.values())


@get("/v1/statements", tags=["v1"])
async def list_statements(
    request: Request[Any, Any, Any],
    cik: int | None = Parameter(default=None, ge=1),
    ticker: str | None = None,
    stmt: str = "income",
    period: str | None = None,
    fy: int | None = Parameter(default=None, ge=1990, le=2100),
    fq: str | None = None,
    as_of: str | None = None,
    version: str = "latest",
    sort_by: str | None = None,
    order: str | None = None,
    limit: int | None = None,
    cursor: str | None = None,
) -> Envelope[Statement]:
    """Statements of a company (``cik`` or ``ticker``).

    ``stmt`` income|balance|cash_flow, ``period`` annual|quarterly|ttm, ``fy``/``fq`` (Q1-Q4), ``version``
    first|latest, ``as_of`` (date or datetime, UTC) for the values known then.
    """

    def compute() -> tuple[Any, int]:
        store = context(request).store
        if stmt not in STATEMENTS:
            raise bad_param("stmt", "stmt must be income, balance or cash_flow.")
        if version not in ("first", "latest"):
            raise bad_param("version", "version must be first or latest.")
        if period is not None and period not in ("annual", "quarterly", "ttm"):
            raise bad_param("period", "period must be annual, quarterly or ttm.")
        if fq is not None and fq.upper() not in ("Q1", "Q2", "Q3", "Q4"):
            raise bad_param("fq", "fq must be Q1, Q2, Q3 or Q4.")
        field, direction = check_sort(
            sort_by, order, ("report_period", "filing_date", "fiscal_period"), "report_period"
        )
        n = check_limit(limit)
        if cik is None and not ticker:
            raise bad_param("cik", "Provide cik or ticker.")
        number = cik if cik is not None else companies(store).cik_of.get((ticker or "").upper())
        if number is None:
            raise not_found(f"Ticker {ticker} not found")
        table, _, fields = STATEMENTS[stmt]
        if as_of:
            moment = _moment(as_of)
            rows = _as_of_rows(request, number, stmt, moment)
        else:
            rows = []
            for r in records(store.rows(table, number)):
                if r["version"] == version:
                    rows.append({**{k: r[k] for k in ("cik", "period", "fiscal_period", "report_period", "currency",
                                 "version", "accession_number", "filing_date", "accepted_at")},
                                 "values": {f: r[f] for f in fields}})  # fmt: skip
        if not rows and not store.rows(table, number).num_rows:
            raise not_found(f"No {stmt} statements for CIK {number}")
        rows = [
            r
            for r in rows
            if (period is None or r["period"] == period) and _fiscal_match(r["fiscal_period"], fy, fq)
        ]
        ticker_of = (companies(store).row_of.get(number) or {}).get("tickers") or [None]
        for r in rows:
            r["statement"], r["ticker"] = stmt, ticker_of[0]
        page, meta = paginate(rows, sort_by=field, order=direction, key=("period", "fiscal_period"), limit=n,
                              cursor=cursor, versions=versions_of(request, [table]), types=_TYPES)  # fmt: skip
        return Envelope(msgspec.convert(page, list[Statement]), meta), len(page)

    tables = [*(v[0] for v in STATEMENTS.values()), "statement_values", "companies"]
    return await respond(request, tables, compute)  # type: ignore[return-value]


def _moment(text: str) -> dt.datetime:
    try:
        value = dt.datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        day = parse_date("as_of", text)
        assert day is not None
        value = dt.datetime.combine(day, dt.time.max)
    return value if value.tzinfo else value.replace(tzinfo=dt.UTC)


@get("/v1/statements/{filing_id:str}", tags=["v1"])
async def filing_statements(request: Request[Any, Any, Any], filing_id: str) -> Envelope[Statement]:
    """Every statement a filing (accession number) reported, as that filing reported it."""

    def compute() -> tuple[Any, int]:
        data = context(request).store.snapshot("statement_values").data
        values = [v for v in records(data) if v["accession_number"] == filing_id]
        if not values:
            raise not_found(f"No statements for filing {filing_id}")
        rows: dict[tuple[Any, ...], dict[str, Any]] = {}
        for v in values:
            stmt = {"income": "income", "balance": "balance", "cash_flow": "cash_flow"}.get(
                v["statement"], v["statement"]
            )
            fields = STATEMENTS[stmt][2] if stmt in STATEMENTS else ()
            row = rows.setdefault(
                (stmt, v["period"], v["fiscal_period"], v["report_period"]),
                {"cik": v["cik"], "statement": stmt, "period": v["period"], "fiscal_period": v["fiscal_period"],
                 "report_period": v["report_period"], "currency": "USD", "version": "as_filed",
                 "values": dict.fromkeys(fields), "accession_number": filing_id, "filing_date": v["filing_date"],
                 "accepted_at": v["accepted_at"]},
            )  # fmt: skip
            row["values"][v["field"]] = v["value"]
        out = sorted(
            rows.values(), key=lambda r: (r["statement"], r["period"], r["report_period"]), reverse=True
        )
        shown = capped(out)
        meta = _meta(len(shown), len(shown) < len(out))
        return Envelope(msgspec.convert(shown, list[Statement]), meta), len(shown)

    return await respond(request, ["statement_values"], compute)  # type: ignore[return-value]


def _meta(count: int, has_more: bool = False) -> Any:
    from serving.v1.envelope import Meta

    return Meta(count, None, has_more)


ROUTES = [list_statements, filing_statements]
