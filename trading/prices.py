"""Prices for trading, read from the lake's ``prices`` table: last closes, a collar reference, the bars after a date.

Bars keep the table's quality ``flags`` (lake/prices/quality.py: non_positive_price, high_below_low,
ohlc_outside_range, duplicate_date, gap_before): a flagged bar is never a good price.
"""

from __future__ import annotations

import math
import statistics
from collections.abc import Iterable
from datetime import date

import msgspec
import pyarrow.compute as pc

from lake.delta import read_table, table_version
from lake.storage import Lake
from lake.tables import PRICE_YEAR, PRICES


class Bar(msgspec.Struct, frozen=True):
    """One daily bar."""

    ticker: str
    date: date
    open: float
    close: float
    volume: int
    flags: tuple[str, ...] = ()

    @property
    def good(self) -> bool:
        """No quality flag and a finite, positive close."""
        return not self.flags and math.isfinite(self.close) and self.close > 0


class Reference(msgspec.Struct, frozen=True, kw_only=True):
    """The centre of the price collar: the median of the good closes before the sizing bar."""

    price: float
    closes: int
    first: date
    last: date

    @property
    def source(self) -> str:
        """Where the reference comes from, for messages."""
        return f"median of {self.closes} good closes {self.first}..{self.last}"


class LakePrices:
    """Daily bars of a few tickers from the lake (read once per year range, then kept)."""

    def __init__(self, lake: Lake) -> None:
        """Read from ``lake``'s ``prices`` table."""
        self.lake = lake
        self._bars: dict[str, list[Bar]] = {}

    def version(self) -> int | None:
        """The Delta version of the prices table (None when it does not exist)."""
        return table_version(self.lake, PRICES)

    def load(self, tickers: Iterable[str], first_year: int, last_year: int) -> None:
        """Read the bars of ``tickers`` in [first_year, last_year] (sorted by date)."""
        wanted = sorted(set(tickers) - set(self._bars))
        if not wanted:
            return
        expression = (
            pc.field("ticker").isin(wanted)
            & (pc.field(PRICE_YEAR) >= first_year)
            & (pc.field(PRICE_YEAR) <= last_year)
        )
        rows = read_table(
            self.lake,
            PRICES,
            filters=expression,
            columns=["ticker", "date", "open", "close", "volume", "flags"],
        ).to_pylist()
        for ticker in wanted:
            self._bars[ticker] = []
        for row in sorted(rows, key=lambda r: (r["ticker"], r["date"])):
            if row["close"] is not None and row["open"] is not None:
                self._bars[row["ticker"]].append(
                    Bar(
                        row["ticker"],
                        row["date"],
                        row["open"],
                        row["close"],
                        row["volume"] or 0,
                        tuple(row["flags"] or ()),
                    )
                )

    def last_before(self, ticker: str, day: date) -> Bar | None:
        """The last bar strictly before ``day``: the latest close known during ``day``'s session."""
        before = [b for b in self._bars.get(ticker, []) if b.date < day]
        return before[-1] if before else None

    def reference_before(self, ticker: str, day: date, closes: int) -> Reference | None:
        """The median of the last ``closes`` good closes before the sizing bar (:meth:`last_before`).

        The sizing bar itself is left out, so a bad last close cannot vouch for itself; flagged, non-finite
        and non-positive closes are skipped. None when there is no good close before the sizing bar.
        """
        if closes < 1:
            raise ValueError(f"reference_closes must be >= 1, not {closes}")
        before = [b for b in self._bars.get(ticker, []) if b.date < day][:-1]
        good = [b for b in before if b.good][-closes:]
        if not good:
            return None
        return Reference(
            price=statistics.median(b.close for b in good),
            closes=len(good),
            first=good[0].date,
            last=good[-1].date,
        )

    def bars_from(self, ticker: str, day: date) -> list[Bar]:
        """The bars on or after ``day``, oldest first (the prices an order placed on ``day`` can get)."""
        return [b for b in self._bars.get(ticker, []) if b.date >= day]
