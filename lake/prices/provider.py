"""The price-provider interface: where daily bars come from, as Arrow tables in the ``prices`` schema.

A provider lists the tickers it has and returns one ticker's daily bars for a date range. Two implementations
ship: :class:`lake.prices.folder.FolderProvider` (one CSV or Parquet file per ticker) and
:class:`lake.prices.http.HttpProvider` (a FinancialDatasets-shaped JSON API). Anything with the two methods of
:class:`PriceProvider` plugs in (see the README, "Prices").
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from datetime import date
from typing import Protocol, runtime_checkable

import pyarrow as pa
import pyarrow.compute as pc

from lake.tables import PRICE_YEAR, PRICES

#: The columns a provider delivers per bar (``adj_close`` may be null); the others are added by :func:`bars_table`.
BAR_COLUMNS = ("date", "open", "high", "low", "close", "adj_close", "volume")

#: A ticker as files and URLs name it: letters, digits, ``.`` and ``-`` (``BRK.B``, ``BF-B``).
TICKER = re.compile(r"^[A-Z0-9][A-Z0-9.\-]{0,14}$")

#: ``adjustment`` text of a raw (unadjusted) series.
RAW = "raw: exchange prices and volumes as traded, no split or dividend adjustment"


class PriceError(Exception):
    """A provider could not deliver a ticker's bars (the message says which ticker, where and why)."""


class UnknownTicker(PriceError, LookupError):
    """The provider has no data for this ticker."""


def split_adjusted(as_of: date) -> str:
    """``adjustment`` text of a series split-adjusted as of ``as_of`` (not dividend-adjusted)."""
    return (
        f"split-adjusted as of {as_of.isoformat()}: open/high/low/close/volume in share units of that date "
        "(not dividend-adjusted; adj_close is split- and dividend-adjusted)"
    )


@runtime_checkable
class PriceProvider(Protocol):
    """A source of daily bars. Implement both methods to plug in a market-data source of your own."""

    #: Short name recorded in the ``source`` column, e.g. ``folder:/data/prices`` or ``http:host``.
    name: str

    def tickers(self) -> list[str]:
        """Every ticker the provider has, upper case, sorted."""
        ...

    def fetch(self, ticker: str, start: date | None = None, end: date | None = None) -> pa.Table:
        """The ticker's daily bars with ``start <= date <= end`` (open bounds when None), in ``PRICES.schema``.

        Raises:
            UnknownTicker: the provider has no such ticker.
            PriceError: the data cannot be read (malformed file or response, network failure).
        """
        ...


def bars_table(
    ticker: str,
    bars: pa.Table,
    *,
    source: str,
    adjusted_as_of: date | None,
    start: date | None = None,
    end: date | None = None,
) -> pa.Table:
    """Provider bars (columns :data:`BAR_COLUMNS`) as rows of the ``prices`` schema, sorted by date.

    ``split_factor`` is left null and ``flags`` empty (the ``prices`` asset fills them); ``adjustment`` says
    what the series is: raw when ``adjusted_as_of`` is None, else split-adjusted as of that date. Duplicate
    dates are kept (they are flagged downstream, not dropped here).

    Raises:
        PriceError: a column is missing or not convertible to its type.
    """
    missing = [c for c in BAR_COLUMNS if c not in bars.column_names]
    if missing:
        raise PriceError(f"{ticker} ({source}): missing column(s) {', '.join(missing)}")
    columns: dict[str, pa.Array | pa.ChunkedArray] = {}
    for name in BAR_COLUMNS:
        target = PRICES.schema.field(name).type
        column = bars.column(name)
        try:
            columns[name] = column if column.type == target else column.cast(target, safe=True)
        except (pa.ArrowInvalid, pa.ArrowNotImplementedError, pa.ArrowTypeError) as exc:
            raise PriceError(f"{ticker} ({source}): column {name} is not {target}: {exc}") from exc
    dates = columns["date"]
    if dates.null_count:
        raise PriceError(f"{ticker} ({source}): {dates.null_count} bar(s) without a date")
    table = pa.table(columns)
    if start is not None:
        table = table.filter(pc.greater_equal(table["date"], pa.scalar(start, pa.date32())))
    if end is not None:
        table = table.filter(pc.less_equal(table["date"], pa.scalar(end, pa.date32())))
    table = table.sort_by([("date", "ascending")])
    n = table.num_rows
    adjustment = RAW if adjusted_as_of is None else split_adjusted(adjusted_as_of)
    extra = {
        "ticker": pa.array([ticker] * n, pa.string()),
        "split_factor": pa.nulls(n, pa.float64()),
        "adjusted_as_of": pa.array([adjusted_as_of] * n, pa.date32()),
        "adjustment": pa.array([adjustment] * n, pa.string()),
        "source": pa.array([source] * n, pa.string()),
        "flags": pa.array([[]] * n, pa.list_(pa.string())),
        PRICE_YEAR: pc.year(table["date"]).cast(pa.int32()),
    }
    arrays = [table[f.name] if f.name in table.column_names else extra[f.name] for f in PRICES.schema]
    return pa.Table.from_arrays(arrays, schema=PRICES.schema)


def check_ticker(ticker: str) -> str:
    """``ticker`` upper-cased; a :class:`UnknownTicker` error when it cannot be a ticker (e.g. ``../x``)."""
    name = ticker.strip().upper()
    if not TICKER.match(name):
        raise UnknownTicker(f"{ticker!r} is not a ticker symbol (letters, digits, '.' and '-')")
    return name


def concat(tables: Sequence[pa.Table]) -> pa.Table:
    """Several tickers' ``prices`` tables as one (an empty one when there are none)."""
    return pa.concat_tables(tables) if tables else PRICES.schema.empty_table()
