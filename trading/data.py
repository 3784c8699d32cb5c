"""Point-in-time access to the lake: what was knowable at the close of a trading day.

The convention, used by every strategy and the backtester:

- A decision for day ``t`` is taken at the close of ``t`` (16:00 America/New_York, :func:`knowable_at`) and
  trades at that close.
- A lake row derived from a filing is visible at ``t`` when the filing's acceptance time (UTC) is at or before
  that close. A 10-K accepted at 18:08 New York time on 2023-11-02 (after the close) is invisible on
  2023-11-02 and visible from 2023-11-03.
- A row whose acceptance time is unknown but whose filing date is known is visible from the close of the
  *next* day after its filing date (the filing may have been accepted after the close of its filing date).
  A row with neither is never visible.
- ``signals.as_of`` at exactly 00:00:00 UTC is the signal table's stand-in for "filing date, time unknown"
  (see ``edgar.signals.definitions``); it is treated as a date only, like a bare filing date.
- Prices: the close of ``t`` is known at ``t``; nothing after ``t`` is returned for a decision at ``t``.

:class:`PointInTimeView` loads the price panel and the point-in-time tables once and answers "what was
knowable at ``t``" from memory; every method takes the decision day and returns nothing stamped later.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import numpy as np
import polars as pl
import pyarrow as pa

from lake.delta import read_table, table_version
from lake.registry import TableSpec, table
from lake.storage import Lake

#: The exchange's time zone and closing time: decisions are taken at this close.
MARKET_TZ = ZoneInfo("America/New_York")
MARKET_CLOSE = time(16, 0)

#: Column added to every point-in-time frame: the first instant (UTC) at which the row was public.
VISIBLE_FROM = "visible_from"

#: Candidate stamp columns, in order of preference, and the date column used when the stamp is null.
_STAMP_COLUMNS = (
    "acceptance_utc",
    "accepted_at",
    "filing_datetime",
    "new_accepted_at",
    "as_of",
    "available_at",
)
#: Daily panels computed from data known at a day's close (``factors``, ``valuation_daily``): their day column.
_CLOSE_COLUMNS = ("date",)
_DATE_COLUMNS = ("filing_date",)
#: Tables whose stamp at exactly midnight UTC means "this date, time unknown".
_MIDNIGHT_IS_DATE = frozenset({"signals"})


def knowable_at(day: date) -> datetime:
    """The decision time of ``day``: its market close, 16:00 New York time, as an aware UTC datetime."""
    return datetime.combine(day, MARKET_CLOSE, tzinfo=MARKET_TZ).astimezone(UTC)


def end_of_day(day: date) -> datetime:
    """The last instant of ``day`` in New York (UTC): a filing with only this date is visible the next day."""
    return datetime.combine(day + timedelta(days=1), time(0), tzinfo=MARKET_TZ).astimezone(UTC) - timedelta(
        microseconds=1
    )


@dataclass(frozen=True)
class Stamp:
    """How a table says when its rows became public.

    Attributes:
        column: The acceptance-time column (UTC timestamp).
        date_column: A date column used when ``column`` is null (visible after that day), or None.
        midnight_is_date: Whether a stamp at exactly 00:00 UTC stands for a date without time.
        at_close: ``column`` is a trading day whose row was computed from what its close revealed (visible
            from that close).
    """

    column: str
    date_column: str | None = None
    midnight_is_date: bool = False
    at_close: bool = False


def stamp_of(spec: TableSpec) -> Stamp:
    """The :class:`Stamp` of a point-in-time table.

    Raises:
        ValueError: the table has no acceptance-time column (it is not point-in-time).
    """
    names = spec.schema.names
    column = next((c for c in _STAMP_COLUMNS if c in names), None)
    if column is None:
        day = next(
            (c for c in _CLOSE_COLUMNS if c in names and pa.types.is_date32(spec.schema.field(c).type)), None
        )
        if day is not None and spec.name != "prices":
            return Stamp(day, at_close=True)
        raise ValueError(
            f"table {spec.name} has no acceptance-time column ({', '.join(_STAMP_COLUMNS)}): "
            "it cannot be read point-in-time"
        )
    date_column = next((c for c in _DATE_COLUMNS if c in names), None)
    return Stamp(column, date_column, spec.name in _MIDNIGHT_IS_DATE)


def with_visibility(frame: pl.DataFrame, stamp: Stamp) -> pl.DataFrame:
    """``frame`` with :data:`VISIBLE_FROM` (UTC): when each row became public, null when never knowable."""
    if stamp.at_close:
        close = (
            pl.col(stamp.column)
            .cast(pl.Datetime("us"))
            .dt.replace_time_zone(str(MARKET_TZ))
            .dt.offset_by(f"{MARKET_CLOSE.hour}h")
            .dt.convert_time_zone("UTC")
        )
        return frame.with_columns(close.alias(VISIBLE_FROM))
    ts = pl.col(stamp.column).dt.convert_time_zone("UTC")
    day_end = (
        (pl.col("_day") + pl.duration(days=1))
        .cast(pl.Datetime("us"))
        .dt.replace_time_zone(str(MARKET_TZ))
        .dt.convert_time_zone("UTC")
        .dt.offset_by("-1us")
    )
    stamp_day = ts.dt.date()
    day: pl.Expr
    exact: pl.Expr
    if stamp.midnight_is_date:
        is_midnight = ts.dt.time() == time(0)
        day = pl.when(is_midnight).then(stamp_day)
        exact = pl.when(is_midnight).then(None).otherwise(ts)
    else:
        day = pl.lit(None, dtype=pl.Date)
        exact = ts
    if stamp.date_column is not None:
        day = pl.coalesce(day, pl.when(ts.is_null()).then(pl.col(stamp.date_column)))
    out = frame.with_columns(exact.alias("_exact"), day.alias("_day"))
    return out.with_columns(pl.coalesce(pl.col("_exact"), day_end).alias(VISIBLE_FROM)).drop("_exact", "_day")


@dataclass(frozen=True)
class PricePanel:
    """Daily closes as a dense ticker x date matrix.

    Attributes:
        dates: Trading days, ascending (``datetime64[D]``): the union of every ticker's bars.
        tickers: Column names of ``close``.
        close: ``(len(dates), len(tickers))`` closes, NaN where a ticker has no bar that day.
    """

    dates: np.ndarray
    tickers: tuple[str, ...]
    close: np.ndarray

    def __post_init__(self) -> None:
        if self.close.shape != (len(self.dates), len(self.tickers)):
            raise ValueError(
                f"close has shape {self.close.shape}, want ({len(self.dates)}, {len(self.tickers)})"
            )
        if len(self.dates) > 1 and not bool(np.all(self.dates[1:] > self.dates[:-1])):
            raise ValueError("price panel dates must be strictly ascending")

    def column(self, ticker: str) -> int:
        """The column index of ``ticker``.

        Raises:
            KeyError: no such ticker in the panel.
        """
        try:
            return self.tickers.index(ticker)
        except ValueError:
            raise KeyError(f"ticker {ticker!r} is not in the price panel") from None

    def last_index(self, day: date) -> int:
        """Index of the last trading day on or before ``day`` (-1 when ``day`` precedes the panel)."""
        return int(np.searchsorted(self.dates, np.datetime64(day, "D"), side="right")) - 1

    def day(self, index: int) -> date:
        """The trading day at ``index`` as a ``date``."""
        return date.fromisoformat(str(self.dates[index]))

    def select(self, tickers: Sequence[str]) -> PricePanel:
        """The panel restricted to ``tickers`` (in that order)."""
        columns = [self.column(t) for t in tickers]
        return PricePanel(self.dates, tuple(tickers), self.close[:, columns])

    def between(self, start: date | None, end: date | None) -> PricePanel:
        """The rows with ``start <= date <= end`` (open bounds when None)."""
        lo = 0 if start is None else int(np.searchsorted(self.dates, np.datetime64(start, "D"), side="left"))
        hi = len(self.dates) if end is None else self.last_index(end) + 1
        return PricePanel(self.dates[lo:hi], self.tickers, self.close[lo:hi])


def panel_from_frame(frame: pl.DataFrame, value: str = "close") -> PricePanel:
    """A :class:`PricePanel` from long rows ``ticker, date, <value>`` (duplicates are an error)."""
    if frame.is_empty():
        return PricePanel(np.array([], dtype="datetime64[D]"), (), np.zeros((0, 0)))
    if frame.select(pl.struct("ticker", "date").is_duplicated().any()).item():
        raise ValueError("price rows repeat a (ticker, date)")
    wide = (
        frame.select("ticker", "date", pl.col(value).cast(pl.Float64))
        .pivot(on="ticker", index="date", values=value)
        .sort("date")
    )
    tickers = tuple(sorted(c for c in wide.columns if c != "date"))
    close = wide.select(tickers).to_numpy().astype(np.float64, copy=False)
    dates = wide.get_column("date").to_numpy().astype("datetime64[D]")
    return PricePanel(dates, tickers, np.ascontiguousarray(close))


def _split_adjust_raw(frame: pl.DataFrame, splits: pl.DataFrame) -> pl.DataFrame:
    """Divide raw closes before each split's ex-date by its ratio (series marked ``raw`` only)."""
    if splits.is_empty():
        return frame
    raw = frame.get_column("adjustment").fill_null("").str.starts_with("raw")
    if not bool(raw.any()):
        return frame
    factor = pl.lit(1.0)
    for ticker, ex_date, ratio in splits.select("ticker", "ex_date", "ratio").iter_rows():
        if ratio and ratio > 0:
            hit = (pl.col("ticker") == ticker) & (pl.col("date") < ex_date) & pl.col("_raw")
            factor = factor * pl.when(hit).then(1.0 / ratio).otherwise(1.0)
    return (
        frame.with_columns(raw.alias("_raw"))
        .with_columns((pl.col("close") * factor).alias("close"))
        .drop("_raw")
    )


def load_prices(
    lake: Lake,
    *,
    tickers: Iterable[str] | None = None,
    start: date | None = None,
    end: date | None = None,
    value: str = "close",
) -> PricePanel:
    """The ``prices`` table as a :class:`PricePanel`.

    Closes are split-adjusted (the shared stock files are; a series marked raw is adjusted with the
    ``splits`` table), not dividend-adjusted: returns are price returns, like the SPY benchmark's.
    ``value="adj_close"`` gives total returns where the provider has an adjusted close (falls back to close).

    Args:
        lake: The lake.
        tickers: Tickers to load (default every ticker).
        start: First day (inclusive); default the first bar.
        end: Last day (inclusive); default the last bar.
        value: ``close`` or ``adj_close``.

    Raises:
        ValueError: ``value`` is neither, or the prices table is missing or empty for the selection.
    """
    if value not in ("close", "adj_close"):
        raise ValueError(f"price value must be close or adj_close, not {value!r}")
    filters: list[tuple[str, str, object]] = []
    wanted = sorted({t.upper() for t in tickers}) if tickers is not None else None
    if wanted is not None:
        filters.append(("ticker", "in", wanted))
    if start is not None:
        filters.append(("year", ">=", start.year))
    if end is not None:
        filters.append(("year", "<=", end.year))
    spec = table("prices")
    if table_version(lake, spec) is None:
        raise ValueError(f"the prices table does not exist in {lake.uri}: build it first (make lake)")
    columns = ["ticker", "date", "close", "adj_close", "adjustment"]
    frame = pl.from_arrow(read_table(lake, spec, filters=filters or None, columns=columns))
    assert isinstance(frame, pl.DataFrame)
    if start is not None:
        frame = frame.filter(pl.col("date") >= start)
    if end is not None:
        frame = frame.filter(pl.col("date") <= end)
    if frame.is_empty():
        raise ValueError("no price rows for that selection")
    splits = pl.from_arrow(read_table(lake, "splits", columns=["ticker", "ex_date", "ratio"]))
    assert isinstance(splits, pl.DataFrame)
    frame = _split_adjust_raw(frame, splits)
    if value == "adj_close":
        frame = frame.with_columns(pl.coalesce("adj_close", "close").alias("adj_close"))
    return panel_from_frame(frame.filter(pl.col(value).is_not_null()), value)


@dataclass(frozen=True)
class PointInTimeView:
    """Prices and point-in-time tables held in memory, answered as of the close of a day.

    Build with :meth:`load` (from the lake) or directly (tests). Every method takes the decision day and
    never returns a price after it or a row that became public after its close.

    Attributes:
        prices: The price panel (benchmark included).
        frames: Table name -> rows with a :data:`VISIBLE_FROM` column.
        versions: Table name -> Delta version read (None when the table did not exist).
        benchmark: The benchmark ticker (excluded from :meth:`universe`).
        split_factors: Ticker -> (dates, ``prices.split_factor``) for tickers whose factor is ever not 1.
    """

    prices: PricePanel
    frames: Mapping[str, pl.DataFrame] = field(default_factory=dict)
    versions: Mapping[str, int | None] = field(default_factory=dict)
    benchmark: str = "SPY"
    split_factors: Mapping[str, tuple[np.ndarray, np.ndarray]] = field(default_factory=dict)

    @classmethod
    def load(
        cls,
        lake: Lake,
        *,
        tables: Iterable[str] = ("signals", "statement_values", "factors", "companies", "cusip_map"),
        tickers: Iterable[str] | None = None,
        start: date | None = None,
        end: date | None = None,
        benchmark: str = "SPY",
        value: str = "close",
    ) -> PointInTimeView:
        """Read the price panel and ``tables`` from ``lake``.

        Tables without an acceptance-time column (``companies``, ``cusip_map``: identities, not facts) are
        kept whole; all others get :data:`VISIBLE_FROM`. ``start``/``end`` bound the prices only.
        """
        wanted = None if tickers is None else {*tickers, benchmark}
        prices = load_prices(lake, tickers=wanted, start=start, end=end, value=value)
        frames: dict[str, pl.DataFrame] = {}
        versions: dict[str, int | None] = {"prices": table_version(lake, table("prices"))}
        for name in tables:
            spec = table(name)
            versions[name] = table_version(lake, spec)
            frame = pl.from_arrow(read_table(lake, spec))
            assert isinstance(frame, pl.DataFrame)
            try:
                frames[name] = with_visibility(frame, stamp_of(spec))
            except ValueError:
                frames[name] = frame
        return cls(prices, frames, versions, benchmark, _load_split_factors(lake, prices.tickers))

    def replace(self, **changes: object) -> PointInTimeView:
        """A copy with some attributes replaced (tests mutate prices or frames this way)."""
        return replace(self, **changes)  # type: ignore[arg-type]

    def split_factor(self, ticker: str, day: date | None) -> float:
        """``prices.split_factor`` of ``ticker`` on the last bar on or before ``day`` (1.0 when unknown).

        A share count (or a per-share amount's denominator) reported that day, times it, is in the price
        series' units.
        """
        series = self.split_factors.get(ticker)
        if series is None or day is None:
            return 1.0
        dates, factors = series
        index = int(np.searchsorted(dates, np.datetime64(day, "D"), side="right")) - 1
        return float(factors[index]) if index >= 0 and np.isfinite(factors[index]) else 1.0

    def rows(self, name: str, day: date) -> pl.DataFrame:
        """The rows of table ``name`` that were public at the close of ``day``.

        Raises:
            KeyError: the table was not loaded.
        """
        try:
            frame = self.frames[name]
        except KeyError:
            raise KeyError(f"table {name!r} was not loaded; loaded: {', '.join(self.frames)}") from None
        if VISIBLE_FROM not in frame.columns:
            return frame
        return frame.filter(pl.col(VISIBLE_FROM) <= knowable_at(day))

    def closes(self, day: date) -> dict[str, float]:
        """Ticker -> close of the last bar on or before ``day`` (tickers with no bar yet are absent)."""
        index = self.prices.last_index(day)
        if index < 0:
            return {}
        history = self.prices.close[: index + 1]
        last = _last_valid(history)
        return {t: float(v) for t, v in zip(self.prices.tickers, last, strict=True) if np.isfinite(v)}

    def history(self, day: date, days: int | None = None) -> PricePanel:
        """The price panel up to and including ``day`` (the last ``days`` rows when given)."""
        index = self.prices.last_index(day)
        lo = 0 if days is None else max(0, index + 1 - days)
        return PricePanel(
            self.prices.dates[lo : index + 1], self.prices.tickers, self.prices.close[lo : index + 1]
        )

    def universe(self, day: date) -> list[str]:
        """Tickers (benchmark excluded) with a bar on the last trading day on or before ``day``."""
        index = self.prices.last_index(day)
        if index < 0:
            return []
        row = self.prices.close[index]
        return [
            t for t, v in zip(self.prices.tickers, row, strict=True) if np.isfinite(v) and t != self.benchmark
        ]

    def tickers_by_cik(self) -> dict[int, str]:
        """CIK -> primary ticker from ``companies`` (the current mapping: identities, not point-in-time facts)."""
        frame = self.frames.get("companies")
        if frame is None or frame.is_empty():
            return {}
        out: dict[int, str] = {}
        for cik, tickers in frame.select("cik", "tickers").iter_rows():
            if tickers:
                out[int(cik)] = str(tickers[0])
        return out


def _load_split_factors(lake: Lake, tickers: Sequence[str]) -> dict[str, tuple[np.ndarray, np.ndarray]]:
    """Ticker -> (dates, split factors) for the tickers whose ``split_factor`` is ever set and not 1."""
    frame = pl.from_arrow(
        read_table(lake, "prices", filters=[("split_factor", "!=", 1.0)], columns=["ticker"])
    )
    assert isinstance(frame, pl.DataFrame)
    split = sorted(set(frame.get_column("ticker").to_list()) & set(tickers))
    if not split:
        return {}
    rows = pl.from_arrow(
        read_table(
            lake, "prices", filters=[("ticker", "in", split)], columns=["ticker", "date", "split_factor"]
        )
    )
    assert isinstance(rows, pl.DataFrame)
    out: dict[str, tuple[np.ndarray, np.ndarray]] = {}
    for (ticker,), group in rows.sort("date").group_by("ticker"):
        out[str(ticker)] = (
            group.get_column("date").to_numpy().astype("datetime64[D]"),
            group.get_column("split_factor").fill_null(1.0).to_numpy().astype(np.float64),
        )
    return out


def forward_fill(close: np.ndarray) -> np.ndarray:
    """Each column's last finite value carried forward (NaN before a column's first value).

    Only columns with a gap after their first value are touched (most series have NaN only before they
    start); the input is returned unchanged when there is nothing to fill.
    """
    finite = np.isfinite(close)
    gaps = np.logical_or.accumulate(finite, axis=0) & ~finite
    columns = np.flatnonzero(gaps.any(axis=0))
    if len(columns) == 0:
        return close
    sub = close[:, columns]
    rows = np.where(finite[:, columns], np.arange(close.shape[0])[:, None], 0)
    np.maximum.accumulate(rows, axis=0, out=rows)
    out = close.copy()
    out[:, columns] = np.take_along_axis(sub, rows, axis=0)
    return out


def _last_valid(history: np.ndarray) -> np.ndarray:
    """Per column, the last finite value of ``history`` (NaN when none)."""
    if history.shape[0] == 0:
        return np.full(history.shape[1], np.nan)
    finite = np.isfinite(history)
    rows = np.where(finite, np.arange(history.shape[0])[:, None], -1).max(axis=0)
    out = history[np.maximum(rows, 0), np.arange(history.shape[1])]
    return np.where(rows >= 0, out, np.nan)
