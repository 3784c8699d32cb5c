"""Resampling at query time and the first close at or after a filing, on real bars written to a temporary lake."""

from __future__ import annotations

import csv
from datetime import UTC, date, datetime
from pathlib import Path

import pytest

from lake.delta import overwrite_table
from lake.prices.folder import FolderProvider
from lake.prices.pit import close_on_or_after, first_eligible_date
from lake.prices.provider import concat
from lake.prices.query import IntervalNotAvailable, price_bars, resample
from lake.settings import Settings
from lake.storage import Lake
from lake.tables import PRICES

PRICES_DIR = Path(Settings.from_env().prices_dir)


@pytest.fixture(scope="module")
def store(tmp_path_factory: pytest.TempPathFactory) -> Lake:
    lake = Lake(str(tmp_path_factory.mktemp("prices") / "lakehouse"))
    folder = FolderProvider(PRICES_DIR)
    overwrite_table(lake, PRICES, concat([folder.fetch(t) for t in ("AAPL", "SPY", "TSLA")]))
    return lake


def _csv(ticker: str, first: str, last: str) -> list[dict[str, str]]:
    with (PRICES_DIR / f"{ticker}.csv").open(newline="") as handle:
        return [r for r in csv.DictReader(handle) if first <= r["date"] <= last]


def test_monthly_bar_of_december_2023_is_the_csv_aggregated_by_hand(store: Lake) -> None:
    rows = _csv("AAPL", "2023-12-01", "2023-12-31")
    assert len(rows) == 20
    bars = price_bars(store, "AAPL", "month", 1, date(2023, 12, 1), date(2023, 12, 31)).to_pylist()
    assert bars == [
        {
            "ticker": "AAPL",
            "time": date(2023, 12, 1),
            "open": float(rows[0]["open"]),  # 190.330002 on 2023-12-01
            "high": max(float(r["high"]) for r in rows),  # 199.619995 on 2023-12-14
            "low": min(float(r["low"]) for r in rows),  # 187.449997 on 2023-12-04
            "close": float(rows[-1]["close"]),  # 192.529999 on 2023-12-29
            "adj_close": float(rows[-1]["adj_close"]),
            "volume": sum(int(r["volume"]) for r in rows),  # 1,062,774,800
            "bars": 20,
        }
    ]
    assert (bars[0]["high"], bars[0]["low"], bars[0]["volume"]) == (199.619995, 187.449997, 1062774800)


def test_weeks_months_years_and_day_multiples(store: Lake) -> None:
    # two-week bars of December 2023, counted from the ISO week of 2023-12-01 (Monday 2023-11-27)
    weeks = price_bars(store, "AAPL", "week", 2, date(2023, 12, 1), date(2023, 12, 31)).to_pylist()
    assert [(b["time"], b["bars"], b["open"], b["close"]) for b in weeks] == [
        (date(2023, 12, 1), 6, 190.330002, 195.710007),  # Dec 1 .. Dec 8
        (date(2023, 12, 11), 10, 193.110001, 193.600006),  # Dec 11 .. Dec 22
        (date(2023, 12, 26), 4, 193.610001, 192.529999),  # Dec 26 .. Dec 29
    ]
    quarters = price_bars(store, "AAPL", "month", 3, date(2023, 1, 1), date(2023, 12, 31)).to_pylist()
    assert [(b["time"], b["bars"]) for b in quarters] == [
        (date(2023, 1, 3), 62), (date(2023, 4, 3), 62), (date(2023, 7, 3), 63), (date(2023, 10, 2), 63)
    ]  # fmt: skip
    year = price_bars(store, "SPY", "year", 1, date(2019, 1, 1), date(2019, 12, 31)).to_pylist()
    rows = _csv("SPY", "2019-01-01", "2019-12-31")
    assert [(b["open"], b["close"], b["bars"], b["adj_close"]) for b in year] == [
        (float(rows[0]["open"]), 321.86, 252, None)
    ]
    days = price_bars(store, "TSLA", "day", 2, date(2023, 12, 26), date(2023, 12, 29)).to_pylist()
    rows = _csv("TSLA", "2023-12-26", "2023-12-29")
    assert [(b["time"], b["open"], b["close"], b["volume"]) for b in days] == [
        (date(2023, 12, 26), float(rows[0]["open"]), float(rows[1]["close"]), int(rows[0]["volume"]) + int(rows[1]["volume"])),
        (date(2023, 12, 28), float(rows[2]["open"]), 248.479996, int(rows[2]["volume"]) + int(rows[3]["volume"])),
    ]  # fmt: skip
    daily = price_bars(store, "TSLA", "day", 1, date(2023, 12, 29), date(2023, 12, 29))
    assert daily.column("close").to_pylist() == [248.479996]


def test_unavailable_intervals_are_clear_errors(store: Lake) -> None:
    with pytest.raises(
        IntervalNotAvailable, match="interval='minute' is not available: the lake holds daily bars"
    ):
        price_bars(store, "AAPL", "minute", 5)
    with pytest.raises(IntervalNotAvailable, match="interval='second' is not available"):
        resample(price_bars(store, "AAPL"), "second")
    with pytest.raises(IntervalNotAvailable, match="is not one of second, minute, day, week, month, year"):
        price_bars(store, "AAPL", "quarter")
    with pytest.raises(IntervalNotAvailable, match="interval_multiplier=0 must be a positive integer"):
        price_bars(store, "AAPL", "week", 0)
    assert price_bars(store, "ZZZZ", "week", 1).num_rows == 0


def test_first_close_at_or_after_an_acceptance(store: Lake) -> None:
    # Apple's FY2023 10-K (0000320193-23-000106) was accepted 2023-11-02 22:08:27 UTC = 18:08 New York:
    # after the close -> Friday 2023-11-03
    accepted = datetime(2023, 11, 2, 22, 8, 27, tzinfo=UTC)
    assert first_eligible_date(accepted) == date(2023, 11, 3)
    at = close_on_or_after(store, "AAPL", accepted)
    assert at is not None and (at.date, at.close, at.split_factor) == (date(2023, 11, 3), 176.649994, None)
    # accepted 15:30 New York (19:30 UTC, EDT) -> that day's close; 16:00 exactly still pairs with it
    assert close_on_or_after(store, "AAPL", datetime(2023, 11, 2, 19, 30, tzinfo=UTC)).date == date(
        2023, 11, 2
    )  # type: ignore[union-attr]
    assert first_eligible_date(datetime(2023, 11, 2, 20, 0, tzinfo=UTC)) == date(2023, 11, 2)
    # winter (EST, UTC-5): 21:30 UTC is 16:30 New York -> next session
    assert first_eligible_date(datetime(2024, 1, 5, 21, 30, tzinfo=UTC)) == date(2024, 1, 6)
    # a Saturday acceptance pairs with Monday; a bare date with that date
    assert close_on_or_after(store, "AAPL", datetime(2024, 1, 6, 15, 0, tzinfo=UTC)).date == date(2024, 1, 8)  # type: ignore[union-attr]
    assert close_on_or_after(store, "TSLA", date(2023, 12, 29)).close == 248.479996  # type: ignore[union-attr]
    # after the data ends (2024-03-08 stocks, 2020-08-28 SPY): no price, never a stale one
    assert close_on_or_after(store, "AAPL", datetime(2024, 3, 8, 21, 5, tzinfo=UTC)) is None
    assert close_on_or_after(store, "SPY", date(2020, 8, 29)) is None
    assert close_on_or_after(store, "SPY", date(2020, 8, 28)).close == 350.58  # type: ignore[union-attr]
