"""``/prices`` (daily bars resampled to week/month/year), ``/prices/snapshot`` and their ``tickers`` helpers."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pyarrow as pa
import pyarrow.compute as pc
from litestar import Request, Response, get

from lake.prices.query import IntervalNotAvailable, check_interval, resample
from serving.context import capped, context, serve
from serving.errors import bad_param, not_found
from serving.fd import schemas as s
from serving.fd.common import decode_offset, need_ticker, page, parse_date, records
from serving.query import Store

_EPOCH = dt.date(1970, 1, 1)
_PRICE_COLUMNS = ("date", "time", "open", "high", "low", "close", "volume")
_BAR_COLUMNS = ("date", "open", "high", "low", "close", "volume")
#: the most daily bars one resampled bar may span (FD's own bound on interval_multiplier)
MAX_MULTIPLIER = 1000


def to_price(bar: dict[str, Any]) -> s.Price:
    """A lake bar (daily: ``date``; resampled: ``time``) as FinancialDatasets' Price (00:00 UTC, volume an int)."""
    day: dt.date = bar["date"] if "date" in bar else bar["time"]
    ms = (day - _EPOCH).days * 86_400_000
    return s.Price(
        open=bar["open"],
        close=bar["close"],
        high=bar["high"],
        low=bar["low"],
        volume=int(bar["volume"]),
        time=f"{day.isoformat()}T00:00:00Z",
        time_milliseconds=ms,
    )


def daily_table(store: Store, ticker: str) -> pa.Table:
    """A ticker's complete daily bars (``prices`` rows with every price and the volume), ascending by date."""
    if not store.declared("prices"):
        return pa.table({c: pa.array([], pa.null()) for c in _BAR_COLUMNS})
    data = store.rows("prices", ticker)
    if any(data[c].null_count for c in _BAR_COLUMNS):
        complete = pc.is_valid(data["date"])
        for column in _BAR_COLUMNS[1:]:
            complete = pc.and_(complete, pc.is_valid(data[column]))
        data = data.filter(complete)
    return data  # the snapshot's layout keeps each ticker's bars by date


def daily_bars(store: Store, ticker: str) -> list[dict[str, Any]]:
    """A ticker's complete daily bars as dicts, ascending (bars missing a price or volume are left out)."""
    return records(daily_table(store, ticker), list(_BAR_COLUMNS))


@get(["/prices", "/prices/"], tags=["prices"])
async def get_prices(
    request: Request[Any, Any, Any],
    ticker: str | None = None,
    start_date: str | None = None,
    end_date: str | None = None,
    interval: str = "day",
    interval_multiplier: int = 1,
    cursor: str | None = None,
) -> Response[s.PricesResponse]:
    """Price bars of a ticker between two dates (inclusive), oldest first, paged by ``next_page_url``."""

    def compute() -> tuple[Any, int]:
        ctx = context(request)
        symbol = need_ticker(ticker)
        start, end = parse_date("start_date", start_date), parse_date("end_date", end_date)
        if start is None or end is None:
            raise bad_param(
                "start_date" if start is None else "end_date", "start_date and end_date are required."
            )
        if start > end:
            raise bad_param("start_date", "start_date must not be after end_date.")
        try:
            check_interval(interval, interval_multiplier)
        except IntervalNotAvailable as exc:
            name = "interval_multiplier" if "multiplier" in str(exc) else "interval"
            raise bad_param(name, f"{exc}.") from exc
        if interval_multiplier > MAX_MULTIPLIER:
            raise bad_param(
                "interval_multiplier", f"interval_multiplier must be between 1 and {MAX_MULTIPLIER}."
            )
        bars = daily_table(ctx.store, symbol)
        if not bars.num_rows:
            raise not_found(f"No prices found for ticker {symbol}")
        dates = bars["date"]
        window = bars.filter(pc.and_(pc.greater_equal(dates, start), pc.less_equal(dates, end)))
        if (interval, interval_multiplier) != ("day", 1) and window.num_rows:
            duck = ctx.store.cursor([])
            try:
                window = resample(window, interval, interval_multiplier, connection=duck)
            finally:
                duck.close()
        rows = [
            to_price(b)
            for b in window.select([c for c in window.column_names if c in _PRICE_COLUMNS]).to_pylist()
        ]
        chunk, next_url = page(
            rows,
            offset=decode_offset(cursor),
            page_size=ctx.page_size,
            base_url=ctx.settings.public_url,
            path="/prices/",
            query=list(request.query_params.items()),
        )
        return s.PricesResponse(symbol, list(chunk), next_url), len(chunk)

    return await serve(request, ["prices"], compute)


def latest_shares(store: Store, cik: int) -> float | None:
    """The latest reported shares outstanding of a company (quarterly balance sheets, latest version)."""
    for row in records(store.rows("balance_sheets", cik), ["period", "version", "outstanding_shares"]):
        if row["version"] == "latest" and row["outstanding_shares"] is not None:
            return float(row["outstanding_shares"])
    return None


@get(["/prices/snapshot", "/prices/snapshot/"], tags=["prices"])
async def get_price_snapshot(
    request: Request[Any, Any, Any], ticker: str | None = None
) -> Response[s.PriceSnapshotResponse]:
    """The latest bar of a ticker, its change on the previous close and market cap (close x latest shares)."""

    def compute() -> tuple[Any, int]:
        from serving.fd.common import companies

        store = context(request).store
        symbol = need_ticker(ticker)
        bars = daily_bars(store, symbol)
        if not bars:
            raise not_found(f"No prices found for ticker {symbol}")
        last = to_price(bars[-1])
        prev = bars[-2]["close"] if len(bars) > 1 else None
        change = last.close - prev if prev is not None else None
        cik = companies(store).cik_of.get(symbol)
        shares = latest_shares(store, cik) if cik is not None else None
        snap = s.PriceSnapshot(
            ticker=symbol,
            price=last.close,
            day_change=change,
            day_change_percent=change / prev * 100 if change is not None and prev else None,
            market_cap=last.close * shares if shares else None,
            volume=last.volume,
            time=last.time,
            time_milliseconds=last.time_milliseconds,
        )
        return s.PriceSnapshotResponse(snap), 1

    return await serve(request, ["prices", "balance_sheets", "companies"], compute)


def price_tickers(store: Store) -> list[str]:
    """Tickers with price bars."""
    if not store.declared("prices"):
        return []
    return sorted(k for k in store.snapshot("prices").index if isinstance(k, str))


@get(
    ["/prices/snapshot/tickers", "/prices/snapshot/tickers/", "/prices/tickers", "/prices/tickers/"],
    tags=["prices"],
)
async def get_price_tickers(request: Request[Any, Any, Any]) -> Response[s.TickersResponse]:
    """Tickers with prices."""

    def compute() -> tuple[Any, int]:
        found = price_tickers(context(request).store)
        found = capped(found)
        return s.TickersResponse(found), len(found)

    return await serve(request, ["prices"], compute)


ROUTES = [get_prices, get_price_snapshot, get_price_tickers]
