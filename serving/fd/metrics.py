"""``/financial-metrics`` (+ ``/snapshot``, ``/tickers``) and the screener (``/financials/search/screener``).

Metrics come from the ``financial_metrics`` / ``financial_metrics_snapshot`` tables (the dbt metrics marts);
until those exist in the lake the endpoints answer 404. Every FinancialMetrics key is always present.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import msgspec
from litestar import Request, Response, get, post

from serving.context import context, principal, serve
from serving.errors import ApiError, bad_param, not_found
from serving.fd import schemas as s
from serving.fd.common import (
    apply_filters,
    check_limit,
    check_period,
    companies,
    date_filters,
    decode_offset,
    eastern,
    page,
    resolve_cik,
)
from serving.fd.statements import DERIVED, LINE_ITEMS, STATEMENT_TABLES, merged_periods
from serving.query import Snapshot, Store

#: FinancialMetrics keys (ai-hedge-fund v1/v2 models), in their order.
METRIC_FIELDS = (
    "market_cap", "enterprise_value", "price_to_earnings_ratio", "price_to_book_ratio", "price_to_sales_ratio",
    "enterprise_value_to_ebitda_ratio", "enterprise_value_to_revenue_ratio", "free_cash_flow_yield", "peg_ratio",
    "gross_margin", "operating_margin", "net_margin", "return_on_equity", "return_on_assets",
    "return_on_invested_capital", "asset_turnover", "inventory_turnover", "receivables_turnover",
    "days_sales_outstanding", "operating_cycle", "working_capital_turnover", "current_ratio", "quick_ratio",
    "cash_ratio", "operating_cash_flow_ratio", "debt_to_equity", "debt_to_assets", "interest_coverage",
    "revenue_growth", "earnings_growth", "book_value_growth", "earnings_per_share_growth", "free_cash_flow_growth",
    "operating_income_growth", "ebitda_growth", "payout_ratio", "earnings_per_share", "book_value_per_share",
    "free_cash_flow_per_share",
)  # fmt: skip
METRICS = "financial_metrics"
SNAPSHOT = "financial_metrics_snapshot"


def _iso(value: Any) -> Any:
    return value.isoformat() if isinstance(value, dt.date) else value


def to_metrics(row: dict[str, Any], ticker: str) -> dict[str, Any]:
    """A metrics row with every FinancialMetrics key (null when absent) plus filing_date/filing_datetime."""
    stamp = row.get("accepted_at") or row.get("acceptance_utc")
    out: dict[str, Any] = {
        "ticker": row.get("ticker") or ticker,
        "report_period": _iso(row.get("report_period")),
        "fiscal_period": row.get("fiscal_period"),
        "period": row.get("period"),
        "currency": row.get("currency") or "USD",
        "filing_date": _iso(row.get("filing_date")),
        "filing_datetime": row.get("filing_datetime") or eastern(stamp),
    }
    for f in METRIC_FIELDS:
        value = row.get(f)
        out[f] = None if isinstance(value, float) and value != value else value
    return out


def _metrics_rows(snap: Snapshot, cik: int, ticker: str) -> list[dict[str, Any]]:
    key = (
        ticker
        if "ticker" in snap.data.column_names and snap.index and isinstance(next(iter(snap.index)), str)
        else cik
    )
    rows = (
        snap.rows(key).to_pylist()
        if snap.index
        else [
            r
            for r in snap.data.to_pylist()
            if r.get("cik") == cik or (r.get("ticker") or "").upper() == ticker
        ]
    )
    rows.sort(key=lambda r: (r.get("report_period") is not None, r.get("report_period")), reverse=True)
    return rows


@get(["/financial-metrics", "/financial-metrics/"], tags=["metrics"])
async def get_financial_metrics(
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
    cursor: str | None = None,
) -> Response[s.MetricsResponse]:
    """Financial metrics of a company, newest period first; ``filing_date_lte`` keeps rows public by then."""

    def compute() -> tuple[Any, int]:
        ctx = context(request)
        number, label = resolve_cik(ctx.store, ticker, cik)
        kind = check_period(period)
        n = check_limit(limit, 4, 400, principal(request).max_rows)
        filters = date_filters("report_period", request.query_params, "report_period") + date_filters(
            "filing_date", request.query_params, "filing_date"
        )
        rows = _metrics_rows(ctx.store.snapshot(METRICS), number, label)
        if not rows:
            raise not_found(f"No financial metrics found for {label}")
        rows = apply_filters([r for r in rows if r.get("period", kind) == kind], filters)
        out = [to_metrics(r, label) for r in rows[:n]]
        chunk, next_url = page(
            out,
            offset=decode_offset(cursor),
            page_size=ctx.page_size,
            base_url=ctx.settings.public_url,
            path="/financial-metrics/",
            query=list(request.query_params.items()),
        )
        return s.MetricsResponse(list(chunk), next_url), len(chunk)

    return await serve(request, [METRICS, "companies"], compute)


@get(["/financial-metrics/snapshot", "/financial-metrics/snapshot/"], tags=["metrics"])
async def get_metrics_snapshot(
    request: Request[Any, Any, Any], ticker: str | None = None, cik: str | None = None
) -> Response[s.MetricsSnapshotResponse]:
    """The latest metrics of a company (the snapshot table, else its newest ttm metrics row)."""

    def compute() -> tuple[Any, int]:
        store = context(request).store
        number, label = resolve_cik(store, ticker, cik)
        rows = _metrics_rows(store.snapshot(SNAPSHOT), number, label)
        if not rows:
            rows = [
                r
                for r in _metrics_rows(store.snapshot(METRICS), number, label)
                if r.get("period") in (None, "ttm")
            ]
        if not rows:
            raise not_found(f"No financial metrics found for {label}")
        return s.MetricsSnapshotResponse(to_metrics(rows[0], label)), 1

    return await serve(request, [SNAPSHOT, METRICS, "companies"], compute)


@get(["/financial-metrics/tickers", "/financial-metrics/tickers/"], tags=["metrics"])
async def get_metrics_tickers(request: Request[Any, Any, Any]) -> Response[s.TickersResponse]:
    """Tickers with financial metrics."""

    def compute() -> tuple[Any, int]:
        snap = context(request).store.snapshot(METRICS)
        names = snap.data.column_names
        found = (
            sorted({str(t).upper() for t in snap.data.column("ticker").to_pylist() if t})
            if "ticker" in names
            else []
        )
        return s.TickersResponse(found), len(found)

    return await serve(request, [METRICS], compute)


# --- screener -------------------------------------------------------------------------------------------------

OPERATORS = ("eq", "gt", "gte", "lt", "lte", "in")


def screener_fields() -> list[str]:
    """Fields the screener filters on: statement line items, derived ratios and metrics."""
    return sorted(LINE_ITEMS | set(METRIC_FIELDS))


def _latest_values(store: Store, period: str) -> list[dict[str, Any]]:
    """One row per company: its newest statements of ``period`` merged, ratios derived, metrics added."""
    metrics = store.snapshot(METRICS)
    out = []
    seen: set[int] = set()
    for table in STATEMENT_TABLES:
        seen.update(k for k in store.snapshot(table).index if isinstance(k, int))
    lookup = companies(store).row_of
    for cik in sorted(seen):
        periods = merged_periods(store, cik, period, [])
        if not periods:
            continue
        row = dict(periods[0])
        for name, fn in DERIVED.items():
            row[name] = fn(row)
        tickers = (lookup.get(cik) or {}).get("tickers") or []
        ticker = str(tickers[0]) if tickers else None
        if metrics.version >= 0 and ticker:
            m = [r for r in _metrics_rows(metrics, cik, ticker) if r.get("period") in (None, period)]
            if m:
                row.update({k: v for k, v in m[0].items() if k in METRIC_FIELDS and v is not None})
        row["ticker"], row["cik"] = ticker, cik
        out.append(row)
    return out


def _passes(value: Any, op: str, target: Any) -> bool:
    if value is None:
        return False
    if op == "in":
        return value in (target if isinstance(target, list) else [target])
    try:
        target = float(target)
    except (TypeError, ValueError):
        raise bad_param("filters", f"value {target!r} is not a number") from None
    return {"eq": value == target, "gt": value > target, "gte": value >= target, "lt": value < target,
            "lte": value <= target}[op]  # fmt: skip


def screen(store: Store, body: s.ScreenerRequest, cap: int | None) -> list[dict[str, Any]]:
    """Companies whose latest values pass every filter, largest revenue first, with the filtered fields."""
    fields = set(screener_fields())
    for f in body.filters:
        if f.field not in fields:
            raise bad_param(
                "filters", f"Unknown field {f.field!r}; see /financials/search/screener/filters/."
            )
        if f.operator not in OPERATORS:
            raise bad_param("filters", f"Unknown operator {f.operator!r}: use {', '.join(OPERATORS)}.")
    limit = check_limit(body.limit, 100, 1000, cap)
    period = check_period(body.period)
    rows = _latest_values(store, period)
    hits = [
        r
        for r in rows
        if r["ticker"] and all(_passes(r.get(f.field), f.operator, f.value) for f in body.filters)
    ]
    hits.sort(key=lambda r: -(r.get("revenue") or 0))
    return [
        {"ticker": r["ticker"], "report_period": _iso(r["report_period"]), "period": period,
         "currency": r.get("currency") or "USD", **{f.field: r.get(f.field) for f in body.filters}}
        for r in hits[:limit]
    ]  # fmt: skip


@post(["/financials/search/screener", "/financials/search/screener/"], status_code=200, tags=["search"])
async def post_screener(
    request: Request[Any, Any, Any], data: s.ScreenerRequest
) -> Response[s.ScreenerResponse]:
    """Screen companies on line items, ratios and metrics (operators eq, gt, gte, lt, lte, in)."""

    def compute() -> tuple[Any, int]:
        if not data.filters:
            raise ApiError(400, "Please provide at least one filter.", details={"parameter": "filters"})
        found = screen(context(request).store, data, principal(request).max_rows)
        return s.ScreenerResponse(found), len(found)

    tables = [*STATEMENT_TABLES, METRICS, "companies"]
    return await serve(request, tables, compute, key=msgspec.json.encode(data))


@get(["/financials/search/screener/filters", "/financials/search/screener/filters/"], tags=["search"])
async def get_screener_filters(request: Request[Any, Any, Any]) -> Response[s.ScreenerFiltersResponse]:
    """The fields and operators the screener accepts."""

    def compute() -> tuple[Any, int]:
        out = [s.ScreenerField(f, "number", list(OPERATORS)) for f in screener_fields()]
        return s.ScreenerFiltersResponse(out), len(out)

    return await serve(request, [], compute)


ROUTES = [
    get_financial_metrics,
    get_metrics_snapshot,
    get_metrics_tickers,
    post_screener,
    get_screener_filters,
]
