"""The shared price files (``AIHF_SHARED_DIR/prices``) as one long frame (for the backtest benchmark), and the
point-in-time view of the filers over a built lake (whose ``prices`` table the prices asset loads).
"""

from __future__ import annotations

import functools
from pathlib import Path

import polars as pl

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


#: The filers of the offline mirror that have prices.
FILERS = ("AAPL", "MSFT", "NFLX", "NVDA", "ORCL", "SNOW", "TSLA", "UNP")


@functools.cache
def _filer_view(uri: str) -> PointInTimeView:
    return PointInTimeView.load(Lake(uri), tickers=[*FILERS, "SPY"])


def filer_view(lake: Lake) -> PointInTimeView:
    """Prices of the filers and SPY with the point-in-time tables, loaded once per lake."""
    return _filer_view(lake.uri)
