"""The shared price files (``AIHF_SHARED_DIR/prices``) as ``prices`` rows, for tests and benchmarks.

Used only where the lake has no ``prices`` table yet (the prices asset builds it from the same files); the
rows are the files' values, nothing invented.
"""

from __future__ import annotations

import functools
from pathlib import Path

import polars as pl
import pyarrow as pa

from lake.delta import overwrite_table, table_exists
from lake.registry import table
from lake.settings import Settings
from lake.storage import Lake
from trading.data import PointInTimeView


def prices_dir() -> Path:
    """The folder of the shared ``<TICKER>.csv`` files (the ``PRICES_DIR`` setting)."""
    return Path(Settings.from_env().prices_dir)


def read_prices(folder: Path | None = None, tickers: list[str] | None = None) -> pl.DataFrame:
    """Long rows ``ticker, date, open, high, low, close, adj_close, volume`` of every (or the given) file."""
    folder = folder or prices_dir()
    files = sorted(folder.glob("*.csv")) if tickers is None else [folder / f"{t}.csv" for t in tickers]
    frames = [
        pl.read_csv(
            f,
            schema_overrides={"date": pl.Date, "adj_close": pl.Float64, "volume": pl.Int64},
        ).with_columns(pl.lit(f.stem).alias("ticker"))
        for f in files
    ]
    return pl.concat(frames, how="diagonal_relaxed").select(
        "ticker", "date", "open", "high", "low", "close", "adj_close", "volume"
    )


def prices_table(frame: pl.DataFrame) -> pa.Table:
    """``frame`` in the ``prices`` schema (columns the files lack are null; SPY marked raw)."""
    spec = table("prices")
    data = frame.with_columns(
        pl.col("date").dt.year().cast(pl.Int32).alias("year"),
        pl.when(pl.col("ticker") == "SPY")
        .then(pl.lit("raw"))
        .otherwise(pl.lit("split-adjusted as of 2024-03-08"))
        .alias("adjustment"),
        pl.lit("folder:shared/prices").alias("source"),
    ).to_arrow()
    columns = {
        f.name: data.column(f.name).cast(f.type)
        if f.name in data.column_names
        else pa.nulls(len(data), f.type)
        for f in spec.schema
    }
    return pa.table(columns, schema=spec.schema)


def ensure_prices(lake: Lake) -> None:
    """Write the shared price files into ``lake`` as the ``prices`` table unless it already exists."""
    spec = table("prices")
    if not table_exists(lake, spec):
        overwrite_table(lake, spec, prices_table(read_prices()))


#: The filers of the offline mirror that have prices.
FILERS = ("AAPL", "MSFT", "NFLX", "NVDA", "ORCL", "SNOW", "TSLA", "UNP")


@functools.cache
def _filer_view(uri: str) -> PointInTimeView:
    return PointInTimeView.load(Lake(uri), tickers=[*FILERS, "SPY"])


def filer_view(lake: Lake) -> PointInTimeView:
    """Prices of the filers and SPY with the point-in-time tables, loaded once per lake (prices ensured)."""
    ensure_prices(lake)
    return _filer_view(lake.uri)
