"""``/financials`` and the three statements, ``…/tickers/`` and ``POST /financials/search/line-items``."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import Any

import msgspec
import pyarrow as pa
from litestar import Request, Response, get, post

from lake.tables import BALANCE_SHEET_FIELDS, CASH_FLOW_FIELDS, INCOME_FIELDS
from serving.context import capped, context, serve
from serving.errors import ApiError, bad_param, not_found
from serving.fd import schemas as s
from serving.fd.common import (
    apply_filters,
    check_limit,
    check_list,
    check_period,
    companies,
    date_filters,
    eastern,
    iso,
    need_ticker,
    records,
    resolve_cik,
)
from serving.query import Store

#: statement -> (lake table, fields, row Struct, response key)
STATEMENTS: dict[str, tuple[str, tuple[str, ...], Any, str]] = {
    "income": ("income_statements", INCOME_FIELDS, s.IncomeStatement, "income_statements"),
    "balance": ("balance_sheets", BALANCE_SHEET_FIELDS, s.BalanceSheet, "balance_sheets"),
    "cash_flow": ("cash_flow_statements", CASH_FLOW_FIELDS, s.CashFlowStatement, "cash_flow_statements"),
}
STATEMENT_TABLES = tuple(v[0] for v in STATEMENTS.values())
MAX_LIMIT = 400


def pick_versions(
    rows: list[dict[str, Any]], filing_filters: Sequence[tuple[str, str, Any]]
) -> list[dict[str, Any]]:
    """One row per period: the latest version, or the first one when only that passes the filing-date filters.

    Rows are sorted newest report period first; with no filing-date filter the latest version is used.
    """
    chosen: dict[tuple[Any, ...], dict[str, Any]] = {}
    order: list[tuple[Any, ...]] = []
    for row in rows:
        if filing_filters and not apply_filters([row], filing_filters):
            continue
        key = (row["period"], row["fiscal_period"], row["report_period"])
        if key not in chosen:
            order.append(key)
            chosen[key] = row
        elif row["version"] == "latest":
            chosen[key] = row
    return [chosen[k] for k in order]


def period_rows(
    store: Store,
    name: str,
    cik: int,
    period: str,
    filters: Sequence[tuple[str, str, Any]],
    limit: int | None = None,
) -> list[dict[str, Any]]:
    """A company's rows of table ``name`` (statement layout) of one period kind, newest first, one per period.

    ``filters`` are (column, operator, date) on ``report_period`` and ``filing_date``; a row whose latest
    version was filed after a ``filing_date`` bound falls back to its first version (point in time).
    ``limit``: at most this many periods. Rows are narrowed (period kind; without filters, the newest ``limit``
    report periods) before any becomes a Python dict.
    """
    data = store.rows(name, cik)
    kinds = data.column("period").to_pylist()
    wanted = [i for i, kind in enumerate(kinds) if kind == period]
    if limit is not None and not filters and wanted:
        # the newest ``limit`` report periods (the snapshot's layout: report_period descending)
        report_periods = data.column("report_period").to_pylist()
        distinct = {report_periods[i] for i in wanted}
        if None not in distinct:
            newest = sorted(distinct, reverse=True)[:limit]
            wanted = [i for i in wanted if report_periods[i] >= newest[-1]]
    if len(wanted) != len(kinds):
        data = data.take(pa.array(wanted, pa.int64()))
    rows = apply_filters(records(data), [f for f in filters if f[0] != "filing_date"])
    return pick_versions(rows, [f for f in filters if f[0] == "filing_date"])


def statement_rows(
    store: Store,
    statement: str,
    cik: int,
    period: str,
    filters: Sequence[tuple[str, str, Any]],
    limit: int | None = None,
) -> list[dict[str, Any]]:
    """A company's standardized rows of one statement and period kind (see :func:`period_rows`)."""
    return period_rows(store, STATEMENTS[statement][0], cik, period, filters, limit)


def to_fd(row: dict[str, Any], fields: Sequence[str], ticker: str) -> dict[str, Any]:
    """A lake statement row in FinancialDatasets' shape (dates as text, filing_datetime in Eastern time)."""
    out: dict[str, Any] = {
        "ticker": row.get("ticker") or ticker,
        "report_period": iso(row["report_period"]),
        "fiscal_period": row["fiscal_period"],
        "period": row["period"],
        "currency": row.get("currency") or "USD",
    }
    for f in fields:
        out[f] = row.get(f)
    out["accession_number"] = row.get("accession_number")
    out["filing_date"] = iso(row.get("filing_date"))
    out["filing_datetime"] = eastern(row.get("accepted_at"))
    return out


def period_filters(request: Request[Any, Any, Any]) -> list[tuple[str, str, Any]]:
    """The ``report_period*`` and ``filing_date*`` filters of a request (statements and metrics)."""
    params = request.query_params
    return date_filters("report_period", params, "report_period") + date_filters(
        "filing_date", params, "filing_date"
    )


def _statement(
    request: Request[Any, Any, Any],
    statement: str,
    ticker: str | None,
    cik: str | None,
    period: str | None,
    limit: int | None,
    default_period: str,
) -> tuple[list[Any], int, str]:
    store = context(request).store
    number, label = resolve_cik(store, ticker, cik)
    kind = check_period(period, default_period)
    n = check_limit(limit, 4, MAX_LIMIT)
    rows = statement_rows(store, statement, number, kind, period_filters(request), n)[:n]
    _, fields, struct, _ = STATEMENTS[statement]
    return msgspec.convert([to_fd(r, fields, label) for r in rows], s._list(struct)), number, label


def _one(statement: str) -> Any:
    table, _, _, key = STATEMENTS[statement]
    response_type = {"income": s.IncomeStatementsResponse, "balance": s.BalanceSheetsResponse,
                     "cash_flow": s.CashFlowStatementsResponse}[statement]  # fmt: skip
    slug = key.replace("_", "-").replace("sheets", "sheets")

    async def handler(
        request: Request[Any, Any, Any],
        ticker: str | None = None,
        cik: str | None = None,
        period: str | None = None,
        limit: int | None = None,
        report_period: str | None = None,
        report_period_gte: str | None = None,
        report_period_lte: str | None = None,
        report_period_gt: str | None = None,
        report_period_lt: str | None = None,
        filing_date_lte: str | None = None,
        filing_date_gte: str | None = None,
    ) -> Response[Any]:
        def compute() -> tuple[Any, int]:
            rows, number, label = _statement(request, statement, ticker, cik, period, limit, "annual")
            if not rows and not context(request).store.rows(table, number).num_rows:
                raise not_found(f"No {slug.replace('-', ' ')} found for {label}")
            return response_type(rows), len(rows)

        return await serve(request, [table, "companies"], compute)

    handler.__name__ = f"get_{key}"
    handler.__doc__ = f"{key.replace('_', ' ').capitalize()} of a company (ticker or cik), newest first."
    handler.__annotations__["return"] = Response[response_type]  # type: ignore[valid-type]
    path = "/financials/" + slug
    return get([path, path + "/"], name=f"fd_{key}", summary=handler.__doc__, tags=["financials"])(handler)


get_income_statements = _one("income")
get_balance_sheets = _one("balance")
get_cash_flow_statements = _one("cash_flow")


@get(["/financials", "/financials/"], tags=["financials"])
async def get_financials(
    request: Request[Any, Any, Any],
    ticker: str | None = None,
    cik: str | None = None,
    period: str | None = None,
    limit: int | None = None,
    report_period: str | None = None,
    report_period_gte: str | None = None,
    report_period_lte: str | None = None,
    report_period_gt: str | None = None,
    report_period_lt: str | None = None,
    filing_date_lte: str | None = None,
    filing_date_gte: str | None = None,
) -> Response[s.FinancialsResponse]:
    """The three statements of a company in one response."""

    def compute() -> tuple[Any, int]:
        parts = {}
        number = 0
        for statement, (_, _, _, key) in STATEMENTS.items():
            parts[key], number, label = _statement(request, statement, ticker, cik, period, limit, "ttm")
        if not any(parts.values()) and not any(
            context(request).store.rows(t, number).num_rows for t in STATEMENT_TABLES
        ):
            raise not_found(f"No financials found for {label}")
        return s.FinancialsResponse(s.Financials(**parts)), sum(len(v) for v in parts.values())

    return await serve(request, [*STATEMENT_TABLES, "companies"], compute)


def tickers_with(store: Store, tables: Sequence[str]) -> list[str]:
    """Tickers of the companies having rows in any of ``tables``."""
    ciks: set[int] = set()
    for t in tables:
        ciks.update(k for k in store.snapshot(t).index if isinstance(k, int))
    lookup = companies(store).row_of
    out = set()
    for c in ciks:
        tickers = (lookup.get(c) or {}).get("tickers") or []
        if tickers:
            out.add(str(tickers[0]))
    return sorted(out)


def _tickers_route(path: str, tables: Sequence[str]) -> Any:
    async def handler(request: Request[Any, Any, Any]) -> Response[s.TickersResponse]:
        def compute() -> tuple[Any, int]:
            found = tickers_with(context(request).store, tables)
            found = capped(found)
            return s.TickersResponse(found), len(found)

        return await serve(request, [*tables, "companies"], compute)

    handler.__name__ = "tickers_" + path.strip("/").replace("/", "_").replace("-", "_")
    handler.__doc__ = f"Tickers with data at {path}."
    return get([path + "/tickers", path + "/tickers/"], tags=["financials"], summary=handler.__doc__)(handler)


statement_tickers = [
    _tickers_route("/financials", STATEMENT_TABLES),
    *(_tickers_route("/financials/" + v[3].replace("_", "-"), [v[0]]) for v in STATEMENTS.values()),
]

# --- line-item search -----------------------------------------------------------------------------------------


def _ratio(a: float | None, b: float | None) -> float | None:
    return a / b if a is not None and b is not None and b != 0 else None


def _sum(*values: float | None) -> float | None:
    return None if any(v is None for v in values) else sum(v for v in values if v is not None)


def _diff(a: float | None, b: float | None) -> float | None:
    return a - b if a is not None and b is not None else None


def _roic(r: dict[str, Any]) -> float | None:
    pretax, tax, ebit = r.get("income_before_tax"), r.get("income_tax_expense"), r.get("operating_income")
    rate = _ratio(tax, pretax) if pretax else None
    nopat = ebit * (1 - rate) if ebit is not None and rate is not None else None
    invested = _diff(_sum(r.get("total_debt"), r.get("shareholders_equity")), r.get("cash_and_equivalents"))
    return _ratio(nopat, invested)


#: Line items computed from statement values (null when an input is missing).
DERIVED = {
    "gross_margin": lambda r: _ratio(r.get("gross_profit"), r.get("revenue")),
    "operating_margin": lambda r: _ratio(r.get("operating_income"), r.get("revenue")),
    "net_margin": lambda r: _ratio(r.get("net_income"), r.get("revenue")),
    "debt_to_equity": lambda r: _ratio(r.get("total_debt"), r.get("shareholders_equity")),
    "ebitda": lambda r: _sum(r.get("ebit") or r.get("operating_income"), r.get("depreciation_and_amortization")),
    "working_capital": lambda r: _diff(r.get("current_assets"), r.get("current_liabilities")),
    "book_value_per_share": lambda r: _ratio(r.get("shareholders_equity"), r.get("outstanding_shares")),
    "return_on_invested_capital": lambda r: _roic({**r, "income_before_tax": _sum(r.get("net_income"), r.get("income_tax_expense"))}),
    "return_on_equity": lambda r: _ratio(r.get("net_income"), r.get("shareholders_equity")),
    "return_on_assets": lambda r: _ratio(r.get("net_income"), r.get("total_assets")),
    "current_ratio": lambda r: _ratio(r.get("current_assets"), r.get("current_liabilities")),
    "debt_to_assets": lambda r: _ratio(r.get("total_debt"), r.get("total_assets")),
}  # fmt: skip
USD_VARIANTS = ("ebit", "earnings_per_share", "net_income_common_stock", "revenue", "cash_and_equivalents",
                "shareholders_equity", "total_debt")  # fmt: skip
LINE_ITEMS = frozenset(
    [*INCOME_FIELDS, *BALANCE_SHEET_FIELDS, *CASH_FLOW_FIELDS, *DERIVED, *(f"{f}_usd" for f in USD_VARIANTS)]
)


def merged_periods(
    store: Store, cik: int, period: str, filters: Sequence[tuple[str, str, Any]]
) -> list[dict[str, Any]]:
    """The three statements of a company joined per (fiscal period, report period), newest first."""
    merged: dict[tuple[Any, ...], dict[str, Any]] = {}
    for statement in STATEMENTS:
        for row in statement_rows(store, statement, cik, period, filters):
            key = (row["fiscal_period"], row["report_period"])
            target = merged.setdefault(
                key, {"report_period": row["report_period"], "currency": row.get("currency")}
            )
            for f in STATEMENTS[statement][1]:
                if target.get(f) is None:
                    target[f] = row.get(f)
    return [merged[k] for k in sorted(merged, key=lambda k: k[1], reverse=True)]


def search_line_items(store: Store, body: s.LineItemSearch) -> list[dict[str, Any]]:
    """FinancialDatasets' line-item search: ``limit`` rows per ticker, every requested item echoed.

    The whole answer holds at most the caller's plan cap of rows (:func:`serving.context.row_cap`).
    """
    unknown = [i for i in body.line_items if i not in LINE_ITEMS]
    if unknown:
        raise bad_param("line_items", f"Unknown line item(s): {', '.join(unknown)}.")
    if not body.tickers:
        raise bad_param("tickers", "Please provide at least one ticker.")
    if not body.line_items:
        raise bad_param("line_items", "Please provide at least one line item.")
    period = check_period(body.period)
    limit = check_limit(body.limit, 1, MAX_LIMIT)
    filters: list[tuple[str, str, Any]] = []
    for name, value, op in (("end_date", body.end_date, "<="), ("start_date", body.start_date, ">=")):
        if value:
            try:
                filters.append(
                    ("filing_date" if op == "<=" else "report_period", op, dt.date.fromisoformat(value[:10]))
                )
            except ValueError:
                raise bad_param(name, f"Invalid date for {name}: {value!r}.") from None
    results: list[dict[str, Any]] = []
    for raw in body.tickers:
        ticker = need_ticker(raw)
        cik = companies(store).cik_of.get(ticker)
        if cik is None:
            continue
        for row in merged_periods(store, cik, period, filters)[:limit]:
            out: dict[str, Any] = {
                "ticker": ticker,
                "report_period": iso(row["report_period"]),
                "period": period,
                "currency": row.get("currency") or "USD",
            }
            for item in body.line_items:
                if item in DERIVED:
                    out[item] = DERIVED[item](row)
                elif item.endswith("_usd") and item[:-4] in USD_VARIANTS:
                    out[item] = row.get(item[:-4]) if out["currency"] == "USD" else None
                else:
                    out[item] = row.get(item)
            results.append(out)
    return capped(results)


@post(["/financials/search/line-items", "/financials/search/line-items/"], status_code=200, tags=["search"])
async def post_line_items(
    request: Request[Any, Any, Any], data: s.LineItemSearch
) -> Response[s.LineItemsResponse]:
    """Line items of several tickers (``limit`` per ticker; derived items computed; unknown ones null)."""
    cap = context(request).settings.api_max_list_values
    check_list("tickers", data.tickers, cap)
    check_list("line_items", data.line_items, cap)

    def compute() -> tuple[Any, int]:
        found = search_line_items(context(request).store, data)
        if not found:
            raise ApiError(404, f"No line items found for {', '.join(data.tickers)}")
        return s.LineItemsResponse(found), len(found)

    return await serve(request, [*STATEMENT_TABLES, "companies"], compute, key=msgspec.json.encode(data))


ROUTES = [
    get_income_statements,
    get_balance_sheets,
    get_cash_flow_statements,
    get_financials,
    *statement_tickers,
    post_line_items,
]
