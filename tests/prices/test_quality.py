"""Bar quality flags on the real files (none) and on a fault-injected copy (tests/support/price_faults.py)."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from lake.prices.folder import FolderProvider
from lake.prices.provider import concat
from lake.prices.quality import flag_bars, summarize
from lake.settings import Settings
from tests.support.price_faults import faulty_copy

PRICES_DIR = Path(Settings.from_env().prices_dir)


def test_the_real_files_have_no_flagged_bar() -> None:
    folder = FolderProvider(PRICES_DIR)
    tables = [flag_bars(folder.fetch(t)) for t in ("AAPL", "SPY", "NVDA", "KVUE")]
    summary = summarize(concat(tables))
    assert {rule: s.rows for rule, s in summary.items()} == dict.fromkeys(summary, 0)
    # 2001-09-11..14 (exchange closed) is a gap of 4 weekdays, within the limit of 5
    assert flag_bars(folder.fetch("SPY", date(2001, 9, 7), date(2001, 9, 18)), max_gap=3).column(
        "flags"
    ).to_pylist() == [[], [], ["gap_before"], []]


def test_injected_faults_are_flagged_not_dropped(tmp_path: Path) -> None:
    bars = FolderProvider(faulty_copy(tmp_path)).fetch("AAPL")
    assert bars.num_rows == 6084 - 15 + 1
    flagged = flag_bars(bars)
    assert flagged.num_rows == 6084 - 15  # the repeated date is one stored bar
    rows = {r["date"].isoformat(): r for r in flagged.to_pylist() if r["flags"]}
    assert {day: r["flags"] for day, r in rows.items()} == {
        "2023-11-22": ["gap_before"],
        "2023-12-01": ["non_positive_price", "ohlc_outside_range"],  # a negative open is below the low too
        "2023-12-04": ["high_below_low"],
        "2023-12-05": ["ohlc_outside_range"],
        "2023-12-06": ["duplicate_date"],
    }
    assert rows["2023-12-06"]["open"] == 194.5  # the provider's last bar for the date is kept
    assert rows["2023-12-01"]["open"] == -190.330002  # flagged, never corrected
    summary = summarize(flagged)
    assert [(s.rule, s.rows, s.tickers, s.examples) for s in summary.values()] == [
        ("non_positive_price", 1, 1, ("AAPL 2023-12-01",)),
        ("high_below_low", 1, 1, ("AAPL 2023-12-04",)),
        ("ohlc_outside_range", 2, 1, ("AAPL 2023-12-01", "AAPL 2023-12-05")),
        ("duplicate_date", 1, 1, ("AAPL 2023-12-06",)),
        ("gap_before", 1, 1, ("AAPL 2023-11-22",)),
    ]


@pytest.mark.parametrize("gap", [14, 15])
def test_gap_limit(tmp_path: Path, gap: int) -> None:
    # 2023-10-31 -> 2023-11-22: 15 weekdays without a bar
    bars = flag_bars(FolderProvider(faulty_copy(tmp_path)).fetch("AAPL"), max_gap=gap)
    assert summarize(bars)["gap_before"].rows == (1 if gap == 14 else 0)
