"""Reading prices: one ticker's daily bars, resampled to weeks, months or years at query time (FD ``interval``).

Only daily bars are stored; coarser bars are aggregated by DuckDB when asked, never stored. A bucket is
``interval_multiplier`` consecutive calendar periods (Monday-based ISO weeks, calendar months, calendar years),
counted from the period of the first bar returned; for ``day`` it is ``interval_multiplier`` consecutive bars.
Each resampled bar: ``time`` = date of its first bar, open = first open, high = max high, low = min low,
close = last close, adj_close = last adj_close, volume = sum of volumes, ``bars`` = daily bars aggregated.
"""

from __future__ import annotations

from datetime import date
from typing import TYPE_CHECKING, Literal, get_args

import pyarrow as pa

from lake.delta import read_table
from lake.storage import Lake
from lake.tables import PRICE_YEAR, PRICES

if TYPE_CHECKING:
    import duckdb

Interval = Literal["second", "minute", "day", "week", "month", "year"]
INTERVALS: tuple[str, ...] = get_args(Interval)
#: Intervals FinancialDatasets offers that daily bars cannot give.
INTRADAY = ("second", "minute")

#: Bucket number of each bar, per interval; ``{n}`` is the multiplier.
_BUCKET = {
    "day": "(row_number() OVER (ORDER BY date) - 1) // {n}",
    "week": "date_diff('week', date_trunc('week', min(date) OVER ()), date_trunc('week', date)) // {n}",
    "month": "date_diff('month', date_trunc('month', min(date) OVER ()), date_trunc('month', date)) // {n}",
    "year": "(year(date) - year(min(date) OVER ())) // {n}",
}

#: Columns of a resampled table.
RESAMPLED = pa.schema(
    [
        pa.field("ticker", pa.string()),
        pa.field("time", pa.date32()),
        pa.field("open", pa.float64()),
        pa.field("high", pa.float64()),
        pa.field("low", pa.float64()),
        pa.field("close", pa.float64()),
        pa.field("adj_close", pa.float64()),
        pa.field("volume", pa.int64()),
        pa.field("bars", pa.int64()),
    ]
)


class IntervalNotAvailable(ValueError):
    """The interval cannot be served from daily bars (intraday), or is unknown, or the multiplier is < 1."""


def check_interval(interval: str, multiplier: int) -> None:
    """Raise :class:`IntervalNotAvailable` unless ``interval``/``multiplier`` can be served from daily bars."""
    if interval in INTRADAY:
        raise IntervalNotAvailable(
            f"interval={interval!r} is not available: the lake holds daily bars only "
            "(use day, week, month or year)"
        )
    if interval not in _BUCKET:
        raise IntervalNotAvailable(f"interval={interval!r} is not one of {', '.join(INTERVALS)}")
    if isinstance(multiplier, bool) or not isinstance(multiplier, int) or multiplier < 1:
        raise IntervalNotAvailable(f"interval_multiplier={multiplier!r} must be a positive integer")


def daily_bars(store: Lake, ticker: str, start: date | None = None, end: date | None = None) -> pa.Table:
    """The stored daily bars of ``ticker`` with ``start <= date <= end``, sorted by date (year partitions pruned)."""
    filters: list[tuple[str, str, object]] = [("ticker", "=", ticker.upper())]
    if start is not None:
        filters += [(PRICE_YEAR, ">=", start.year), ("date", ">=", start)]
    if end is not None:
        filters += [(PRICE_YEAR, "<=", end.year), ("date", "<=", end)]
    return read_table(store, PRICES, filters=filters).sort_by([("date", "ascending")])


def resample(
    bars: pa.Table,
    interval: str = "day",
    multiplier: int = 1,
    *,
    connection: duckdb.DuckDBPyConnection | None = None,
) -> pa.Table:
    """Aggregate one ticker's daily bars (``prices`` rows) into ``interval`` x ``multiplier`` bars.

    Raises:
        IntervalNotAvailable: intraday or unknown interval, or a multiplier < 1.
    """
    check_interval(interval, multiplier)
    if bars.num_rows == 0:
        return RESAMPLED.empty_table()
    import duckdb

    con = connection or duckdb.connect(":memory:")
    try:
        con.register(
            "_bars", bars.select(["ticker", "date", "open", "high", "low", "close", "adj_close", "volume"])
        )
        bucket = _BUCKET[interval].format(n=int(multiplier))
        result = con.sql(
            f"""
            WITH b AS (SELECT *, {bucket} AS bucket FROM _bars)
            SELECT any_value(ticker) AS ticker, min(date) AS time, arg_min(open, date) AS open,
                   max(high) AS high, min(low) AS low, arg_max(close, date) AS close,
                   arg_max(adj_close, date) AS adj_close, sum(volume)::BIGINT AS volume, count(*) AS bars
            FROM b GROUP BY bucket ORDER BY time
            """
        ).to_arrow_table()
    finally:
        con.unregister("_bars")
        if connection is None:
            con.close()
    return result.cast(RESAMPLED)


def price_bars(
    store: Lake,
    ticker: str,
    interval: str = "day",
    multiplier: int = 1,
    start: date | None = None,
    end: date | None = None,
) -> pa.Table:
    """``ticker``'s bars between ``start`` and ``end`` at ``interval`` x ``multiplier`` (FD ``/prices/``).

    Raises:
        IntervalNotAvailable: see :func:`resample` (checked before anything is read).
    """
    check_interval(interval, multiplier)
    return resample(daily_bars(store, ticker, start, end), interval, multiplier)
