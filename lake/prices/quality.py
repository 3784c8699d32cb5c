"""Bar quality rules: flag bad daily bars (never drop them) and summarise the flags for asset checks.

Rules (the value written to the ``flags`` column of ``prices``):

- ``non_positive_price``: open, high, low, close or adj_close is zero or negative;
- ``high_below_low``: high < low;
- ``ohlc_outside_range``: open or close outside [low, high] (bars with high >= low);
- ``duplicate_date``: the provider gave the date more than once; the last of them is stored;
- ``gap_before``: more than ``max_gap`` weekdays lie between the previous bar and this one (holidays count as
  weekdays; the longest closure in the shared data, after 2001-09-11, is 4).
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

NON_POSITIVE, HIGH_BELOW_LOW, OUTSIDE, DUPLICATE, GAP = (
    "non_positive_price",
    "high_below_low",
    "ohlc_outside_range",
    "duplicate_date",
    "gap_before",
)
RULES = (NON_POSITIVE, HIGH_BELOW_LOW, OUTSIDE, DUPLICATE, GAP)
#: Weekdays without a bar that a gap may span before it is flagged.
MAX_GAP_WEEKDAYS = 5


def _mask(values: pa.ChunkedArray | pa.Array) -> np.ndarray:
    return np.asarray(pc.fill_null(values, False).to_numpy(zero_copy_only=False), dtype=bool)


def flag_bars(bars: pa.Table, max_gap: int = MAX_GAP_WEEKDAYS) -> pa.Table:
    """One ticker's bars (``prices`` schema) sorted by date, ``flags`` filled and duplicate dates collapsed.

    Of rows sharing a date the last one is kept and flagged ``duplicate_date``; every other rule flags the row
    and keeps it.
    """
    n = bars.num_rows
    if n == 0:
        return bars
    bars = bars.sort_by([("date", "ascending")])  # stable: repeated dates keep the provider's order
    dates = bars.column("date").to_numpy().astype("datetime64[D]")
    keep = np.ones(n, dtype=bool)
    keep[:-1] = dates[:-1] != dates[1:]  # sorted: a row followed by the same date is superseded
    dup_dates = set(dates[:-1][~keep[:-1]].tolist())
    table = bars.filter(pa.array(keep))
    dates = dates[keep]
    m = table.num_rows
    flags: list[list[str]] = [[] for _ in range(m)]
    prices = [table.column(c) for c in ("open", "high", "low", "close", "adj_close")]
    non_positive = np.zeros(m, dtype=bool)
    for column in prices:
        non_positive |= _mask(pc.less_equal(column, 0))
    high, low = table.column("high"), table.column("low")
    below = _mask(pc.less(high, low))
    outside = np.zeros(m, dtype=bool)
    for column in (table.column("open"), table.column("close")):
        outside |= _mask(pc.or_(pc.less(column, low), pc.greater(column, high)))
    outside &= ~below
    gaps = np.zeros(m, dtype=bool)
    if m > 1:
        between = np.busday_count(dates[:-1] + 1, dates[1:])
        gaps[1:] = between > max_gap
    for i in range(m):
        if non_positive[i]:
            flags[i].append(NON_POSITIVE)
        if below[i]:
            flags[i].append(HIGH_BELOW_LOW)
        if outside[i]:
            flags[i].append(OUTSIDE)
        if dates[i].item() in dup_dates:
            flags[i].append(DUPLICATE)
        if gaps[i]:
            flags[i].append(GAP)
    index = table.schema.get_field_index("flags")
    return table.set_column(index, "flags", pa.array(flags, pa.list_(pa.string())))


@dataclass(frozen=True)
class RuleSummary:
    """How many stored bars a rule flags, on how many tickers, and a few of them (``TICKER date``)."""

    rule: str
    rows: int
    tickers: int
    examples: tuple[str, ...]


def summarize(prices: pa.Table, examples: int = 5) -> dict[str, RuleSummary]:
    """Per rule, the flagged rows of a ``prices`` table (columns ticker, date, flags)."""
    rows: dict[str, list[str]] = {rule: [] for rule in RULES}
    tickers: dict[str, Counter[str]] = {rule: Counter() for rule in RULES}
    flagged = prices.filter(pc.greater(pc.list_value_length(prices.column("flags")), 0))
    for row in flagged.select(["ticker", "date", "flags"]).to_pylist():
        for rule in row["flags"]:
            if rule in rows:
                rows[rule].append(f"{row['ticker']} {row['date']}")
                tickers[rule][row["ticker"]] += 1
    return {
        rule: RuleSummary(rule, len(rows[rule]), len(tickers[rule]), tuple(rows[rule][:examples]))
        for rule in RULES
    }
