"""Point in time: the first close a filing can be combined with without looking ahead.

A filing accepted at instant T is public from T. The first close at or after T is the close of the first
trading day D whose close (16:00 New York) is at or after T: a filing accepted at 15:59 New York pairs with
that day's close, one accepted at 16:00:01 or later (or on a weekend or holiday) with the next trading day's.
A bare date (no time known) pairs with that date's close or the next. After the last bar there is no such
close: the answer is None (price-based values are null, never stale).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pyarrow.compute as pc

from lake.delta import read_table
from lake.prices.splits import Split, split_factor
from lake.storage import Lake
from lake.tables import PRICE_YEAR, PRICES, SPLITS

NEW_YORK = ZoneInfo("America/New_York")
#: The regular session's closing time on the exchange's clock.
MARKET_CLOSE = time(16, 0)


@dataclass(frozen=True)
class CloseAt:
    """The close a point-in-time value uses: the bar's date, close, split factor and what the series is."""

    ticker: str
    date: dt.date
    close: float
    split_factor: float | None
    adjusted_as_of: dt.date | None


def first_eligible_date(ts: datetime | date) -> date:
    """The earliest trading date whose close is at or after ``ts`` (a naive datetime is taken as UTC).

    The date may be a weekend or holiday: the first bar on or after it is the answer.
    """
    if not isinstance(ts, datetime):
        return ts
    local = (ts if ts.tzinfo else ts.replace(tzinfo=UTC)).astimezone(NEW_YORK)
    return local.date() + timedelta(days=1) if local.time() > MARKET_CLOSE else local.date()


def close_on_or_after(store: Lake, ticker: str, ts: datetime | date, max_days: int = 31) -> CloseAt | None:
    """The close of ``ticker`` on the first trading day at or after ``ts`` (see :func:`first_eligible_date`).

    Looks at most ``max_days`` calendar days ahead; None when there is no bar in that window (e.g. after the
    data ends), so a value computed from it is null rather than stale.
    """
    first = first_eligible_date(ts)
    last = first + timedelta(days=max_days)
    rows = read_table(
        store,
        PRICES,
        filters=(pc.field("ticker") == ticker.upper())
        & pc.field(PRICE_YEAR).isin(list(range(first.year, last.year + 1)))
        & (pc.field("date") >= first)
        & (pc.field("date") <= last),
        columns=["ticker", "date", "close", "split_factor", "adjusted_as_of"],
    )
    if rows.num_rows == 0:
        return None
    row = rows.sort_by([("date", "ascending")]).slice(0, 1).to_pylist()[0]
    return CloseAt(**row)


def first_eligible_dates(values: Iterable[datetime | date | None]) -> list[date | None]:
    """:func:`first_eligible_date` of each value (None stays None), e.g. for a column of acceptance times."""
    return [None if v is None else first_eligible_date(v) for v in values]


def shares_factor(store: Lake, ticker: str, day: date) -> float | None:
    """The ``split_factor`` for a share count of ``ticker`` reported as of ``day`` (any calendar day).

    Uses the ``splits`` table and the ``adjusted_as_of`` of the ticker's stored series (so also for days after
    the last bar, e.g. NVDA counts reported after its 2024-06-10 split: 0.1); None when the lake has no bar of
    the ticker.
    """
    name = ticker.upper()
    last = read_table(store, PRICES, filters=[("ticker", "=", name)], columns=["date", "adjusted_as_of"])
    if last.num_rows == 0:
        return None
    as_of = last.sort_by([("date", "descending")]).column("adjusted_as_of")[0].as_py()
    rows = read_table(store, SPLITS, filters=[("ticker", "=", name)]).to_pylist()
    return split_factor([Split(**r) for r in rows], as_of, day)
