"""``/financial-metrics`` (+ ``/snapshot``, ``/tickers``) and the screener (``/financials/search/screener``).

Metrics come from the ``financial_metrics`` / ``financial_metrics_snapshot`` tables (the dbt metrics marts);
until those exist in the lake the endpoints answer 404. Every FinancialMetrics key is always present.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import msgspec
from litestar import Request, Response, get, post

from lake.screener import Filter, ScreenerError, filter_fields, screen
from lake.tables import FINANCIAL_METRIC_FIELDS
from serving.context import capped, context, serve
from serving.errors import bad_param, not_found
from serving.fd import schemas as s
from serving.fd.common import (
    check_limit,
    check_list,
    check_period,
    decode_offset,
    eastern,
    page,
    records,
    resolve_cik,
    ticker_of,
)
from serving.fd.statements import period_filters, period_rows

METRIC_FIELDS = FINANCIAL_METRIC_FIELDS
METRICS = "financial_metrics"
SNAPSHOT = "financial_metrics_snapshot"


def _iso(value: Any) -> Any:
    return value.isoformat() if isinstance(value, dt.date) else value


def to_metrics(row: dict[str, Any], ticker: str) -> dict[str, Any]:
    """A metrics row with every FinancialMetrics key (null when absent) plus filing_date/filing_datetime."""
    out: dict[str, Any] = {
        "ticker": row.get("ticker") or ticker,
        "report_period": _iso(row.get("report_period")),
        "fiscal_period": row.get("fiscal_period"),
        "period": row.get("period"),
        "currency": row.get("currency") or "USD",
        "filing_date": _iso(row.get("filing_date")),
        "filing_datetime": eastern(row.get("filing_datetime")),
    }
    for f in METRIC_FIELDS:
        value = row.get(f)
        out[f] = None if isinstance(value, float) and value != value else value
    return out


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
        n = check_limit(limit, 4, 400)
        if not ctx.store.rows(METRICS, number).num_rows:
            raise not_found(f"No financial metrics found for {label}")
        rows = period_rows(ctx.store, METRICS, number, kind, period_filters(request), n)
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
    """The latest metrics of a company (newest TTM, else annual, valued at the latest close)."""

    def compute() -> tuple[Any, int]:
        store = context(request).store
        number, label = resolve_cik(store, ticker, cik)
        rows = records(store.rows(SNAPSHOT, ticker_of(store, number) or label))
        if not rows:
            raise not_found(f"No financial metrics found for {label}")
        return s.MetricsSnapshotResponse(to_metrics(rows[0], label)), 1

    return await serve(request, [SNAPSHOT, "companies"], compute)


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
        found = capped(found)
        return s.TickersResponse(found), len(found)

    return await serve(request, [SNAPSHOT], compute)


# --- screener -------------------------------------------------------------------------------------------------


def _plain(value: Any) -> Any:
    return (
        value.isoformat()
        if isinstance(value, dt.date)
        else None
        if isinstance(value, float) and value != value
        else value
    )


@post(["/financials/search/screener", "/financials/search/screener/"], status_code=200, tags=["search"])
async def post_screener(
    request: Request[Any, Any, Any], data: s.ScreenerRequest
) -> Response[s.ScreenerResponse]:
    """Screen tickers on their latest metrics and factors (operators eq, gt, gte, lt, lte, in)."""
    cap = context(request).settings.api_max_list_values
    check_list("filters", data.filters, cap)
    for item in data.filters:
        if isinstance(item.value, list):
            check_list(f"filters[{item.field}].value", item.value, cap)

    def compute() -> tuple[Any, int]:
        limit = check_limit(data.limit, 100, 1000)
        filters = [Filter(f.field, f.operator, f.value) for f in data.filters]
        try:
            rows = screen(context(request).store.lake, filters, limit=limit, order_by=data.order_by,
                          descending=data.order_direction == "desc")  # fmt: skip
        except ScreenerError as exc:
            raise bad_param("filters", str(exc)) from None
        found = [{k: _plain(v) for k, v in r.items()} for r in rows]
        return s.ScreenerResponse(found), len(found)

    tables = [SNAPSHOT, "factors"]
    return await serve(request, tables, compute, key=msgspec.json.encode(data))


@get(["/financials/search/screener/filters", "/financials/search/screener/filters/"], tags=["search"])
async def get_screener_filters(request: Request[Any, Any, Any]) -> Response[s.ScreenerFiltersResponse]:
    """The fields and operators the screener accepts."""

    def compute() -> tuple[Any, int]:
        out = [s.ScreenerField(f.field, f.type, list(f.operators), f.description) for f in filter_fields()]
        return s.ScreenerFiltersResponse(out), len(out)

    return await serve(request, [], compute)


ROUTES = [
    get_financial_metrics,
    get_metrics_snapshot,
    get_metrics_tickers,
    post_screener,
    get_screener_filters,
]
