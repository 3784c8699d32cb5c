"""``/prices`` (daily bars resampled to week/month/year), ``/prices/snapshot`` and their ``tickers`` helpers."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import Any

from litestar import Request, Response, get

from serving.context import context, serve
from serving.errors import bad_param, not_found
from serving.fd import schemas as s
from serving.fd.common import decode_offset, need_ticker, page, parse_date, records
from serving.query import Store

INTERVALS = ("day", "week", "month", "year")
_EPOCH = dt.date(1970, 1, 1)


def _bucket(day: dt.date, interval: str, multiplier: int) -> tuple[int, ...]:
    if interval == "day":
        return ((day - _EPOCH).days // multiplier,)
    if interval == "week":  # weeks start on Monday (1970-01-05 was one)
        return ((day - dt.date(1970, 1, 5)).days // (7 * multiplier),)
    if interval == "month":
        return ((day.year * 12 + day.month - 1) // multiplier,)
    return (day.year // multiplier,)


def resample(bars: Sequence[dict[str, Any]], interval: str, multiplier: int) -> list[dict[str, Any]]:
    """Daily bars (ascending) aggregated per ``multiplier`` x ``interval``.

    Each bar takes the first open, highest high, lowest low, last close and summed volume of its days, and is
    stamped with its first trading day.
    """
    if interval == "day" and multiplier == 1:
        return list(bars)
    out: list[dict[str, Any]] = []
    key: tuple[int, ...] | None = None
    for bar in bars:
        k = _bucket(bar["date"], interval, multiplier)
        if k != key:
            out.append(dict(bar))
            key = k
            continue
        cur = out[-1]
        cur["high"] = max(cur["high"], bar["high"])
        cur["low"] = min(cur["low"], bar["low"])
        cur["close"] = bar["close"]
        cur["volume"] = cur["volume"] + bar["volume"]
    return out


def to_price(bar: dict[str, Any]) -> s.Price:
    """A lake bar as FinancialDatasets' Price (time = the day at 00:00 UTC, volume an int)."""
    day: dt.date = bar["date"]
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


def daily_bars(store: Store, ticker: str) -> list[dict[str, Any]]:
    """A ticker's complete daily bars, ascending (bars missing a price or volume are left out)."""
    if not store.declared("prices"):
        return []
    cols = ["date", "open", "high", "low", "close", "volume"]
    return [b for b in records(store.rows("prices", ticker), cols) if all(b[c] is not None for c in cols)]


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
        if interval not in INTERVALS:
            raise bad_param("interval", f"Invalid interval {interval!r}: use {', '.join(INTERVALS)}.")
        if not 1 <= interval_multiplier <= 1000:
            raise bad_param("interval_multiplier", "interval_multiplier must be between 1 and 1000.")
        bars = daily_bars(ctx.store, symbol)
        if not bars:
            raise not_found(f"No prices found for ticker {symbol}")
        window = [b for b in bars if start <= b["date"] <= end]
        rows = [to_price(b) for b in resample(window, interval, interval_multiplier)]
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
        return s.TickersResponse(found), len(found)

    return await serve(request, ["prices"], compute)


ROUTES = [get_prices, get_price_snapshot, get_price_tickers]
