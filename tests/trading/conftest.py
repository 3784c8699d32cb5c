"""Fixtures of the trading tests: the built lake with prices, and point-in-time views over it."""

from __future__ import annotations

import pytest

from lake.storage import Lake
from tests.support.prices import ensure_prices
from trading.data import PointInTimeView

#: The filers of the offline mirror that have prices, and the benchmark.
FILERS = ("AAPL", "MSFT", "NFLX", "NVDA", "ORCL", "SNOW", "TSLA", "UNP")


@pytest.fixture(scope="session")
def priced_lake(built_lake: Lake) -> Lake:
    """The built lake, with the shared price files as its ``prices`` table when the build has none."""
    ensure_prices(built_lake)
    return built_lake


@pytest.fixture(scope="session")
def filer_view(priced_lake: Lake) -> PointInTimeView:
    """Prices of the filers and SPY, with signals, statement values, companies and the CUSIP map."""
    return PointInTimeView.load(priced_lake, tickers=[*FILERS, "SPY"])
