"""The folder provider: one file per ticker, ``<TICKER>.csv`` or ``<TICKER>.parquet``, in one folder.

Columns ``date,open,high,low,close,adj_close,volume`` (``date`` ``YYYY-MM-DD``; ``adj_close`` may be empty),
as in ``../shared/prices``. What a file's prices are adjusted for is read from an optional manifest
``_adjustment.csv`` in the folder (``ticker,adjusted_as_of``; an empty date = raw); a ticker the manifest does
not name follows the rule of the shared files: a file with ``adj_close`` values is a Yahoo-style series,
split-adjusted as of its last date (the day it was downloaded); a file without is raw.
"""

from __future__ import annotations

import csv
from datetime import date
from pathlib import Path

import pyarrow as pa
import pyarrow.compute as pc

from lake.prices.provider import BAR_COLUMNS, TICKER, PriceError, UnknownTicker, bars_table, check_ticker

#: The optional manifest of what each file is adjusted for.
MANIFEST = "_adjustment.csv"
SUFFIXES = (".csv", ".parquet")

_CSV_TYPES = {
    "date": pa.date32(),
    "open": pa.float64(),
    "high": pa.float64(),
    "low": pa.float64(),
    "close": pa.float64(),
    "adj_close": pa.float64(),
    "volume": pa.int64(),
}


def read_bars(path: Path) -> pa.Table:
    """The bar columns of one CSV or Parquet file, typed (``date`` as date32, ``volume`` as int64).

    Raises:
        PriceError: the file cannot be read, lacks a column, or holds a value of the wrong type (the parser's
            message names the row).
    """
    try:
        if path.suffix == ".parquet":
            import pyarrow.parquet as pq

            table = pq.read_table(path)
        else:
            import pyarrow.csv as pcsv

            table = pcsv.read_csv(
                path,
                convert_options=pcsv.ConvertOptions(
                    column_types=_CSV_TYPES, null_values=[""], strings_can_be_null=True
                ),
            )
    except (OSError, pa.ArrowInvalid, pa.ArrowNotImplementedError, pa.ArrowTypeError) as exc:
        raise PriceError(f"{path}: cannot read price file: {exc}") from exc
    missing = [c for c in BAR_COLUMNS if c not in table.column_names]
    if missing:
        raise PriceError(f"{path}: missing column(s) {', '.join(missing)} (need {','.join(BAR_COLUMNS)})")
    return table.select(list(BAR_COLUMNS))


def read_manifest(path: Path) -> dict[str, date | None]:
    """Ticker -> the date its file is split-adjusted as of (None = raw), from ``_adjustment.csv``.

    Raises:
        PriceError: a row has no valid ticker or a malformed date (the line is named).
    """
    result: dict[str, date | None] = {}
    with path.open(newline="", encoding="utf-8") as handle:
        for line, row in enumerate(csv.DictReader(handle), start=2):
            ticker = (row.get("ticker") or "").strip().upper()
            text = (row.get("adjusted_as_of") or "").strip()
            if not TICKER.match(ticker):
                raise PriceError(f"{path} line {line}: bad ticker {ticker!r}")
            try:
                result[ticker] = date.fromisoformat(text) if text else None
            except ValueError as exc:
                raise PriceError(f"{path} line {line}: adjusted_as_of {text!r} is not YYYY-MM-DD") from exc
    return result


def inferred_adjustment(bars: pa.Table) -> date | None:
    """The shared files' rule: ``adj_close`` present -> split-adjusted as of the last date; absent -> raw."""
    if bars.num_rows == 0 or bars["adj_close"].null_count == bars.num_rows:
        return None
    last = pc.max(bars["date"]).as_py()
    assert isinstance(last, date)
    return last


class FolderProvider:
    """Daily bars from ``<TICKER>.csv`` / ``<TICKER>.parquet`` files in ``folder``."""

    def __init__(self, folder: str | Path) -> None:
        """Read from ``folder`` (files are listed when asked, not now)."""
        self.folder = Path(folder)
        self.name = f"folder:{self.folder}"

    def _files(self) -> dict[str, Path]:
        if not self.folder.is_dir():
            raise PriceError(f"price folder {self.folder} does not exist")
        files: dict[str, Path] = {}
        for path in sorted(self.folder.iterdir()):
            if path.suffix not in SUFFIXES or path.name.startswith(("_", ".")):
                continue
            ticker = path.stem.upper()
            if not TICKER.match(ticker):
                continue
            if ticker in files:
                raise PriceError(f"{ticker}: two price files, {files[ticker].name} and {path.name}; keep one")
            files[ticker] = path
        return files

    def tickers(self) -> list[str]:
        """The tickers with a file in the folder, sorted."""
        return sorted(self._files())

    def fetch(self, ticker: str, start: date | None = None, end: date | None = None) -> pa.Table:
        """The bars of ``ticker`` between ``start`` and ``end`` (inclusive), in the ``prices`` schema."""
        name = check_ticker(ticker)
        path = self._files().get(name)
        if path is None:
            raise UnknownTicker(f"{name}: no {name}.csv or {name}.parquet in {self.folder}")
        bars = read_bars(path)
        manifest = self.folder / MANIFEST
        adjustments = read_manifest(manifest) if manifest.is_file() else {}
        as_of = adjustments[name] if name in adjustments else inferred_adjustment(bars)
        return bars_table(
            name, bars, source=f"folder:{path.name}", adjusted_as_of=as_of, start=start, end=end
        )
