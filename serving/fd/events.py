"""``/earnings`` (list form), ``/earnings/press-releases`` and ``/news`` (8-K releases)."""

from __future__ import annotations

from typing import Any

from litestar import Request, Response, get

from serving.context import capped, context, serve
from serving.errors import bad_param, not_found
from serving.fd import schemas as s
from serving.fd.common import (
    apply_filters,
    check_limit,
    decode_offset,
    eastern,
    iso,
    need_ticker,
    page,
    parse_date,
    records,
    resolve_cik,
    ticker_of,
)
from serving.fd.filings import archive_url

_EARNINGS_COLS = ("ticker", "source_type", "report_date", "filing_date", "acceptance_utc", "accession", "filing_url",
                  "title", "filing_id")  # fmt: skip


def _window(acceptance: Any) -> str | None:
    """When the release came out relative to the US session: pre-market, intraday or after-hours (Eastern)."""
    text = eastern(acceptance)
    if text is None:
        return None
    hour = int(text[11:13]) + int(text[14:16]) / 60
    return "pre_market" if hour < 9.5 else "intraday" if hour < 16 else "after_hours"


def to_earnings(row: dict[str, Any], ticker: str) -> s.EarningsRecord:
    """A lake earnings row (an 8-K announcing results) as FinancialDatasets' EarningsRecord."""
    return s.EarningsRecord(
        ticker=row["ticker"] or ticker,
        report_period=iso(row["report_date"]) or iso(row["filing_date"]) or "",
        source_type=row["source_type"] or "8-K",
        filing_date=iso(row["filing_date"]),
        filing_datetime=eastern(row["acceptance_utc"]),
        filing_window=_window(row["acceptance_utc"]),
        filing_url=row["filing_url"],
        accession_number=row["accession"],
        title=row["title"],
    )


@get(["/earnings", "/earnings/"], tags=["earnings"])
async def get_earnings(
    request: Request[Any, Any, Any],
    ticker: str | None = None,
    limit: int | None = None,
    cursor: str | None = None,
) -> Response[s.EarningsResponse]:
    """Earnings releases, newest first: of a ticker, or of every company (market feed) without one."""

    def compute() -> tuple[Any, int]:
        ctx = context(request)
        n = check_limit(limit, 10, 100)
        if ticker:
            symbol = need_ticker(ticker)
            rows = records(ctx.store.rows("earnings", symbol), _EARNINGS_COLS)
            if not rows:
                raise not_found(f"No earnings found for ticker {symbol}")
        else:
            symbol = ""
            rows = records(ctx.store.snapshot("earnings").data, _EARNINGS_COLS)
            rows = [r for r in rows if r["ticker"]]
            rows.sort(
                key=lambda r: (r["filing_date"] is not None, r["filing_date"], r["filing_id"]), reverse=True
            )
        out = [to_earnings(r, symbol) for r in rows[:n]]
        chunk, next_url = page(
            out,
            offset=decode_offset(cursor),
            page_size=ctx.page_size,
            base_url=ctx.settings.public_url,
            path="/earnings/",
            query=list(request.query_params.items()),
        )
        return s.EarningsResponse(list(chunk), next_url), len(chunk)

    return await serve(request, ["earnings"], compute)


@get(["/earnings/press-releases", "/earnings/press-releases/"], tags=["earnings"])
async def get_press_releases(
    request: Request[Any, Any, Any],
    ticker: str | None = None,
    cik: str | None = None,
    limit: int | None = None,
) -> Response[s.PressReleasesResponse]:
    """A company's 8-K press releases (EX-99), newest first."""

    def compute() -> tuple[Any, int]:
        store = context(request).store
        number, label = resolve_cik(store, ticker, cik)
        n = check_limit(limit, 100, 1000)
        cols = ["cik", "accession", "document", "title", "date", "filing_date", "text"]
        rows = records(store.rows("press_releases", number), cols)
        if not rows:
            raise not_found(f"No press releases found for {label}")
        symbol = ticker_of(store, number) or label
        out = [
            s.PressRelease(
                symbol, r["title"], archive_url(r["cik"], r["accession"], r["document"]),
                iso(r["date"] or r["filing_date"]), r["text"],
            )
            for r in rows[:n]
        ]  # fmt: skip
        return s.PressReleasesResponse(out), len(out)

    return await serve(request, ["press_releases", "companies"], compute)


@get(["/news", "/news/"], tags=["news"])
async def get_news(
    request: Request[Any, Any, Any],
    ticker: str | None = None,
    start_date: str | None = None,
    end_date: str | None = None,
    limit: int | None = None,
    cursor: str | None = None,
) -> Response[s.NewsResponse]:
    """News of a ticker (its 8-K press releases), newest first, between ``start_date`` and ``end_date``."""

    def compute() -> tuple[Any, int]:
        ctx = context(request)
        n = check_limit(limit, 10, 1000)
        start, end = parse_date("start_date", start_date), parse_date("end_date", end_date)
        if start and end and start > end:
            raise bad_param("start_date", "start_date must not be after end_date.")
        cols = ["ticker", "title", "author", "source", "date", "url", "sentiment", "filing_id"]
        if ticker:
            symbol = need_ticker(ticker)
            rows = records(ctx.store.rows("news", symbol), cols)
            if not rows:
                raise not_found(f"No news found for ticker {symbol}")
        else:
            symbol = ""
            rows = [r for r in records(ctx.store.snapshot("news").data, cols) if r["ticker"] and r["date"]]
            rows.sort(key=lambda r: (r["date"], r["filing_id"]), reverse=True)
        filters = [("date", op, d) for op, d in ((">=", start), ("<=", end)) if d is not None]
        rows = apply_filters(rows, filters)
        out = [
            s.News(
                ticker=r["ticker"] or symbol, title=r["title"] or "", author=r["author"], source=r["source"] or "SEC",
                date=iso(r["date"]) or "", url=r["url"] or "", sentiment=r["sentiment"],
            )
            for r in rows[:n]
        ]  # fmt: skip
        chunk, next_url = page(
            out,
            offset=decode_offset(cursor),
            page_size=ctx.page_size,
            base_url=ctx.settings.public_url,
            path="/news/",
            query=list(request.query_params.items()),
        )
        return s.NewsResponse(list(chunk), next_url), len(chunk)

    return await serve(request, ["news"], compute)


@get(["/news/tickers", "/news/tickers/", "/earnings/tickers", "/earnings/tickers/"], tags=["news"])
async def get_news_tickers(request: Request[Any, Any, Any]) -> Response[s.TickersResponse]:
    """Tickers with news (8-K press releases) or earnings releases."""

    def compute() -> tuple[Any, int]:
        store = context(request).store
        name = "earnings" if request.url.path.startswith("/earnings") else "news"
        found = sorted(k for k in store.snapshot(name).index if isinstance(k, str))
        found = capped(found)
        return s.TickersResponse(found), len(found)

    return await serve(request, ["news", "earnings"], compute)


ROUTES = [get_earnings, get_press_releases, get_news, get_news_tickers]
