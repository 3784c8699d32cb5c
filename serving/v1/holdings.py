"""/v1/holdings/13f: 13F positions by filer or issuer, after amendments, with the quarter-over-quarter change.

Positions are the lake's ``holdings_quarter`` (amendments applied: a restatement replaces, new holdings add, a
13F-NT has none) joined with ``holdings_changes`` on (filer, period, CUSIP, put/call); a position sold out in a
quarter (in ``holdings_changes`` only) appears with 0 shares and change ``sold_out``. Change fields are null when
the filer's previous calendar quarter has no holdings report in the lake.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import msgspec
from litestar import Request, get
from litestar.params import Parameter

from serving.context import context
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


class Holding(msgspec.Struct, kw_only=True):
    """A filer's 13F position in one quarter (rows of one CUSIP and put/call summed) and its change."""

    filer_cik: int
    filer_name: str | None = None
    period_of_report: dt.date
    cusip: str
    put_call: str | None = None
    issuer_name: str | None = None
    issuer_cik: int | None = None
    ticker: str | None = None
    title_of_class: str | None = None
    sh_prn: str | None = None
    shares: int | None = None
    value_usd: int | None = None
    rows: int | None = None
    filing_ids: list[str] = []
    applied: list[str] = []
    filing_date: dt.date | None = None
    as_of: dt.datetime | None = None
    previous_period: dt.date | None = None
    change: str | None = None
    shares_before: int | None = None
    share_delta: int | None = None
    change_pct: float | None = None
    value_before: int | None = None
    value_delta: int | None = None


_TABLES = ["holdings_quarter", "holdings_changes", "cusip_map", "companies", "thirteenf_filings"]
_KEY = ("filer_cik", "period_of_report", "cusip", "put_call")
_TYPES = cursor_types(Holding)

#: Quarter positions full-joined with their changes (a sold-out position exists only in holdings_changes),
#: with the issuer from cusip_map and the filer's name (companies, else its latest 13F cover page).
_SQL = """
WITH names AS (
    SELECT filer_cik, arg_max(filer_name, coalesce(filing_date, DATE '1900-01-01')) AS filer_name
    FROM thirteenf_filings WHERE filer_cik IS NOT NULL AND filer_name IS NOT NULL GROUP BY filer_cik
), positions AS (
    SELECT
        coalesce(q.filer_cik, c.filer_cik) AS filer_cik,
        coalesce(q.period_of_report, c.period_of_report) AS period_of_report,
        coalesce(q.cusip, c.cusip) AS cusip,
        nullif(coalesce(q.put_call, c.put_call), '') AS put_call,
        coalesce(q.issuer_name, c.issuer_name) AS issuer_name,
        coalesce(q.title_of_class, c.title_of_class) AS title_of_class,
        q.sh_prn,
        CASE WHEN q.cusip IS NULL THEN c.shares_after ELSE q.shares_or_principal END AS shares,
        CASE WHEN q.cusip IS NULL THEN c.value_after ELSE q.value_usd END AS value_usd,
        q.rows,
        coalesce(q.filing_ids, c.filing_ids) AS filing_ids,
        coalesce(q.applied, []::VARCHAR[]) AS applied,
        coalesce(q.filing_date, c.filing_date) AS filing_date,
        coalesce(q.as_of, c.as_of) AS as_of,
        c.previous_period,
        c.change,
        c.shares_before,
        c.share_delta,
        CASE WHEN c.shares_before > 0 THEN c.share_delta / c.shares_before END AS change_pct,
        c.value_before,
        c.value_delta
    FROM holdings_quarter q
    FULL OUTER JOIN holdings_changes c
        ON q.filer_cik = c.filer_cik AND q.period_of_report = c.period_of_report
        AND q.cusip = c.cusip AND q.put_call = c.put_call
)
SELECT p.*, coalesce(co.name, n.filer_name) AS filer_name, m.cik AS issuer_cik, m.ticker
FROM positions p
LEFT JOIN cusip_map m ON m.cusip = p.cusip
LEFT JOIN companies co ON co.cik = p.filer_cik
LEFT JOIN names n ON n.filer_cik = p.filer_cik
WHERE {where}
"""


def quarter_positions(request: Request[Any, Any, Any], where: str, params: list[Any]) -> list[dict[str, Any]]:
    """The positions (quarter holdings joined with their changes) passing the SQL condition ``where``."""
    table = context(request).store.sql(_SQL.format(where=where), params, _TABLES)
    return table.to_pylist()


def _period_filter(start: dt.date | None, end: dt.date | None) -> tuple[str, list[Any]]:
    clauses, params = ["TRUE"], []
    if start is not None:
        clauses.append("p.period_of_report >= ?")
        params.append(start)
    if end is not None:
        clauses.append("p.period_of_report <= ?")
        params.append(end)
    return " AND ".join(clauses), params


@get("/v1/holdings/13f", tags=["v1"])
async def list_holdings(
    request: Request[Any, Any, Any],
    cik: int | None = Parameter(default=None, ge=1, description="Filer (institution) CIK"),
    issuer_cik: int | None = Parameter(default=None, ge=1),
    ticker: str | None = None,
    from_: str | None = Parameter(default=None, query="from"),
    to: str | None = None,
    sort_by: str | None = None,
    order: str | None = None,
    limit: int | None = None,
    cursor: str | None = None,
) -> Envelope[Holding]:
    """13F positions of a filer (``cik``) or of an issuer (``issuer_cik`` or ``ticker``), after amendments.

    Report periods in [from, to]; ``change`` is new, added, reduced, sold_out, unchanged or unknown (share
    amount unreadable) against the filer's previous calendar quarter, null when that quarter has no report.
    """

    def compute() -> tuple[Any, int]:
        store = context(request).store
        if sum(x is not None for x in (cik, issuer_cik, ticker)) != 1:
            raise bad_param("cik", "Provide exactly one of cik (filer), issuer_cik or ticker.")
        field, direction = check_sort(
            sort_by, order, ("value_usd", "shares", "share_delta", "period_of_report"), "value_usd"
        )
        n = check_limit(limit)
        where, params = _period_filter(parse_date("from", from_), parse_date("to", to))
        if cik is not None:
            where, params = f"{where} AND p.filer_cik = ?", [*params, cik]
        else:
            symbol = (ticker or "").upper()
            target = issuer_cik if issuer_cik is not None else companies(store).cik_of.get(symbol)
            where = f"{where} AND (m.cik = ? OR upper(m.ticker) = ?)"
            params = [*params, target, symbol or None]
        rows = quarter_positions(request, where, params)
        if not rows:
            raise not_found("No 13F holdings match")
        page, meta = paginate(rows, sort_by=field, order=direction, key=_KEY, limit=n, cursor=cursor,
                              versions=versions_of(request, _TABLES), types=_TYPES)  # fmt: skip
        return Envelope(msgspec.convert(page, list[Holding]), meta), len(page)

    return await respond(request, _TABLES, compute)  # type: ignore[return-value]


@get("/v1/holdings/13f/{filing_id:str}", tags=["v1"])
async def filing_holdings(
    request: Request[Any, Any, Any], filing_id: str, limit: int | None = None, cursor: str | None = None
) -> Envelope[Holding]:
    """The quarter a 13F filing (accession number or filing id) reports, after amendments, largest value first.

    A superseded original answers with the positions that replaced it (each lists its ``filing_ids``).
    """

    def compute() -> tuple[Any, int]:
        store = context(request).store
        n = check_limit(limit)
        filings = records(store.snapshot("thirteenf_filings").data, ["filing_id", "accession", "filer_cik",
                                                                      "period_of_report"])  # fmt: skip
        found = [f for f in filings if filing_id in (f["filing_id"], f["accession"])]
        if not found or found[0]["filer_cik"] is None or found[0]["period_of_report"] is None:
            raise not_found(f"13F filing {filing_id} not found")
        rows = quarter_positions(
            request,
            "p.filer_cik = ? AND p.period_of_report = ?",
            [found[0]["filer_cik"], found[0]["period_of_report"]],
        )
        if not rows:
            raise not_found(f"13F filing {filing_id} reports no holdings")
        page, meta = paginate(rows, sort_by="value_usd", order="desc", key=_KEY, limit=n, cursor=cursor,
                              versions=versions_of(request, _TABLES), types=_TYPES)  # fmt: skip
        return Envelope(msgspec.convert(page, list[Holding]), meta), len(page)

    return await respond(request, _TABLES, compute)  # type: ignore[return-value]


ROUTES = [list_holdings, filing_holdings]
