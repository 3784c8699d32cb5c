"""Fixtures of the trading tests: real closes from ../shared/prices, a lake with a prices table, a PostgreSQL."""

from __future__ import annotations

import csv
import uuid
from collections.abc import Iterator
from datetime import date
from pathlib import Path

import psycopg
import pyarrow as pa
import pyarrow.compute as pc
import pytest

from lake.delta import write_partition
from lake.prices.folder import FolderProvider
from lake.settings import Settings
from lake.storage import Lake
from lake.tables import PRICES

#: the filers with SEC filings in the mirror, and prices through 2024-03-08
TICKERS = ("AAPL", "MSFT", "NFLX", "NVDA", "ORCL", "TSLA", "UNP")
ADMIN_URL = "postgresql://postgres@127.0.0.1:5432/postgres"


def price_rows(ticker: str, years: tuple[int, ...] = (2023, 2024)) -> list[dict[str, str]]:
    """The real daily rows of one ticker (../shared/prices/<TICKER>.csv) in the given years."""
    path = Path(Settings.from_env().prices_dir) / f"{ticker}.csv"
    with path.open(encoding="utf-8") as handle:
        return [r for r in csv.DictReader(handle) if int(r["date"][:4]) in years]


def close_on(ticker: str, day: str) -> float:
    """The real close of ``ticker`` on ``day`` (YYYY-MM-DD)."""
    return next(float(r["close"]) for r in price_rows(ticker) if r["date"] == day)


@pytest.fixture(scope="session")
def prices_lake(tmp_path_factory: pytest.TempPathFactory) -> Lake:
    """A lake whose ``prices`` table holds the real 2023-2024 bars of :data:`TICKERS`, read by the folder provider."""
    lake = Lake(str(tmp_path_factory.mktemp("trading") / "lakehouse"))
    provider = FolderProvider(Settings.from_env().prices_dir)
    bars = pa.concat_tables([provider.fetch(t, date(2023, 1, 1), date(2024, 12, 31)) for t in TICKERS])
    # no split inside 2023-2024 for these tickers: a share count of any date is in the series' units
    bars = bars.set_column(
        PRICES.schema.get_field_index("split_factor"),
        PRICES.schema.field("split_factor"),
        pa.array([1.0] * bars.num_rows, pa.float64()),
    )
    for year in (2023, 2024):
        rows = bars.filter(pc.equal(bars["year"], year))
        write_partition(lake, PRICES, rows, partitions={"year": [year]})
    return lake


@pytest.fixture
def pg_url() -> Iterator[str]:
    """A fresh PostgreSQL database (aihf_test_<random>) for one test, dropped afterwards."""
    name = f"aihf_test_{uuid.uuid4().hex[:12]}"
    with psycopg.connect(ADMIN_URL, autocommit=True) as admin:
        admin.execute(f'CREATE DATABASE "{name}"')
    try:
        yield f"postgresql://postgres@127.0.0.1:5432/{name}"
    finally:
        with psycopg.connect(ADMIN_URL, autocommit=True) as admin:
            admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
