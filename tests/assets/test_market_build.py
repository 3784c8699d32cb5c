"""The ``prices`` and ``splits`` tables of the built lake, market caps in consistent units, and the prices
asset's checks on a fault-injected copy of a real file (synthetic fault injection, see tests/prices)."""

from __future__ import annotations

import shutil
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

import dagster as dg
import pyarrow.compute as pc

from assets.market import defs as market_defs
from assets.resources import EdgarResource, LakeResource, PricesResource
from lake.delta import read_table
from lake.duck import connect
from lake.prices.pit import close_on_or_after, first_eligible_dates, shares_factor
from lake.settings import Settings
from lake.storage import Lake
from lake.tables import FACTS, PRICES, SPLITS
from tests.support.price_faults import faulty_copy

PRICES_DIR = Path(Settings.from_env().prices_dir)
SHARES = "dei:EntityCommonStockSharesOutstanding"


def test_prices_table_holds_every_file(built_lake: Lake) -> None:
    con = connect(built_lake, tables=[PRICES])
    tickers, rows, flagged = con.sql(
        "select count(distinct ticker), count(*), count(*) filter (where len(flags) > 0) from prices"
    ).fetchall()[0]
    assert (tickers, rows, flagged) == (252, 479545, 0)
    spy = con.sql(
        "select count(*), min(date), max(date), any_value(adjusted_as_of), max(split_factor), count(adj_close) "
        "from prices where ticker = 'SPY'"
    ).fetchall()[0]
    assert spy == (5241, date(1999, 11, 1), date(2020, 8, 28), None, 1.0, 0)
    factors = con.sql(
        "select date, close, split_factor from prices where ticker = 'AAPL' and date in "
        "('2000-01-03', '2014-06-06', '2014-06-09', '2020-08-28', '2020-08-31') order by date"
    ).fetchall()
    assert factors == [
        (date(2000, 1, 3), 0.999442, 112.0),
        (date(2014, 6, 6), 23.05607, 28.0),
        (date(2014, 6, 9), 23.424999, 4.0),
        (date(2020, 8, 28), 124.807503, 4.0),
        (date(2020, 8, 31), 129.039993, 1.0),
    ]
    # a stock without a known split has factor 1 everywhere; every stock is adjusted as of 2024-03-08
    assert con.sql("select distinct split_factor from prices where ticker = 'SNOW'").fetchall() == [(1.0,)]
    assert con.sql("select distinct adjusted_as_of from prices where ticker <> 'SPY'").fetchall() == [
        (date(2024, 3, 8),)
    ]
    years = read_table(built_lake, PRICES, filters=[("year", "=", 1999)], columns=["ticker"])
    assert set(years.column("ticker").to_pylist()) == {"SPY"}


def test_splits_table(built_lake: Lake) -> None:
    rows = read_table(built_lake, SPLITS).to_pylist()
    assert len(rows) == 19 and {r["source"] for r in rows} == {"override"}
    aapl = [(r["ex_date"], r["ratio"], r["cik"]) for r in rows if r["ticker"] == "AAPL"]
    assert aapl[-1] == (date(2020, 8, 31), 4.0, 320193)
    # the mirror's filings tag no split ratio; the SEC's companyfacts of Apple and NVIDIA (filers of the lake) do,
    # and confirm four overrides (Snowflake's companyfacts are in the mirror too, but it has no filing there)
    facts = read_table(
        built_lake,
        FACTS,
        filters=pc.field("concept").isin(["us-gaap:StockholdersEquityNoteStockSplitConversionRatio1"]),
    )
    assert facts.num_rows == 0
    confirmed = {
        (r["ticker"], r["ex_date"].isoformat()): r["accession"]
        for r in rows
        if "confirmed by" in (r["note"] or "")
    }
    assert confirmed == {
        ("AAPL", "2014-06-09"): "0001193125-14-277160",
        ("AAPL", "2020-08-31"): "0000320193-20-000096",
        ("NVDA", "2021-07-20"): "0001045810-21-000131",
        ("NVDA", "2024-06-10"): "0001045810-24-000264",
    }


def _shares(lake: Lake, cik: int, period_end: date) -> dict[str, Any]:
    facts = read_table(
        lake, FACTS, filters=[("cik", "=", cik), ("concept", "=", SHARES), ("period_end", "=", period_end)]
    ).to_pylist()
    (fact,) = {f["value_num"]: f for f in facts}.values()
    return fact


def test_market_cap_before_a_split_multiplies_consistent_units(built_lake: Lake) -> None:
    """AAPL's 10-Q for the quarter to 2013-06-29 reports 908,497,000 shares outstanding as of 2013-07-12, before
    the 7:1 (2014) and 4:1 (2020) splits; the series is in 2024 share units (close 15.2325 = $426.51 / 28)."""
    fact = _shares(built_lake, 320193, date(2013, 7, 12))
    assert (fact["form"], fact["value_num"]) == ("10-Q", 908_497_000)
    at = close_on_or_after(built_lake, "AAPL", date(2013, 7, 12))
    assert at is not None and (at.date, at.close, at.split_factor) == (date(2013, 7, 12), 15.2325, 28.0)
    shares_in_series_units = fact["value_num"] * at.split_factor  # 25,437,916,000
    market_cap = shares_in_series_units * at.close
    assert market_cap == 387_483_055_470.0  # = 908,497,000 x $426.51, the raw close of the day
    assert abs(market_cap - 908_497_000 * 426.51) < 1.0
    naive = fact["value_num"] * at.close  # raw count x adjusted price: 28 times too small
    assert round(market_cap / naive) == 28

    # NFLX 10-Q, 52,257,495 shares as of 2010-09-30, before its 2015 7:1 split: $8.474 bn
    nflx = _shares(built_lake, 1065280, date(2010, 9, 30))
    at = close_on_or_after(built_lake, "NFLX", date(2010, 9, 30))
    assert at is not None and (at.close, at.split_factor) == (23.165714, 7.0)
    assert round(nflx["value_num"] * at.split_factor * at.close) == 8_474_075_285

    # NVDA 10-K accepted 2023-02-24 22:23 UTC (after the close): 2.47e9 shares as of 2023-02-17, between its
    # 2021 and 2024 splits (factor 1 against the 2024-03-08 series), priced at Monday 2023-02-27's close
    nvda = _shares(built_lake, 1045810, date(2023, 2, 17))
    at = close_on_or_after(built_lake, "NVDA", datetime(2023, 2, 24, 22, 23, 43, tzinfo=UTC))
    assert at is not None and (at.date, at.close, at.split_factor) == (date(2023, 2, 27), 235.009995, 1.0)
    assert round(nvda["value_num"] * at.split_factor * at.close) == 580_474_687_650

    # NVDA's 10-K filed 2025-02-26 reports 24.4e9 shares as of 2025-02-21, after the 2024-06-10 10:1 split and
    # after the price data: factor 0.1 -> 2.44e9 in the series' units, in line with the 2.47e9 of 2023
    later = _shares(built_lake, 1045810, date(2025, 2, 21))
    factor = shares_factor(built_lake, "NVDA", date(2025, 2, 21))
    assert factor == 0.1 and later["value_num"] * factor == 2_440_000_000
    assert shares_factor(built_lake, "AAPL", date(2013, 7, 13)) == 28.0  # a Saturday: no bar needed
    assert shares_factor(built_lake, "SPY", date(2005, 1, 3)) == 1.0  # raw series
    assert shares_factor(built_lake, "ZZZZ", date(2005, 1, 3)) is None
    assert first_eligible_dates([datetime(2023, 2, 24, 22, 23, 43, tzinfo=UTC), None, date(2023, 2, 25)]) == [
        date(2023, 2, 25),  # 17:23 New York on a Friday -> Saturday, whose first bar is Monday's
        None,
        date(2023, 2, 25),
    ]


def _materialize(lake_uri: str, folder: Path) -> dg.ExecuteInProcessResult:
    return dg.materialize(
        list(market_defs.assets or []),
        resources={
            "lake": LakeResource(uri=lake_uri),
            "market": PricesResource(dir=str(folder)),
            "edgar": EdgarResource(),
        },
        instance=dg.DagsterInstance.ephemeral(),
        raise_on_error=False,
    )


def _checks(result: dg.ExecuteInProcessResult) -> dict[str, tuple[bool, dict[str, Any]]]:
    return {
        e.check_name: (e.passed, {k: v.value for k, v in e.metadata.items()})
        for e in result.get_asset_check_evaluations()
        if e.asset_key == dg.AssetKey("prices")
    }


def test_prices_asset_flags_injected_faults_and_skips_unreadable_files(tmp_path: Path) -> None:
    folder = tmp_path / "prices"
    folder.mkdir()
    faulty_copy(folder)
    shutil.copy(PRICES_DIR / "SPY.csv", folder / "SPY.csv")
    (folder / "BAD.csv").write_text("date,open,high,low,close,adj_close,volume\n2024-01-02,x,1,1,1,,5\n")
    uri = str(tmp_path / "lakehouse")
    result = _materialize(uri, folder)
    assert result.success
    checks = _checks(result)
    assert checks["bars_non_positive_price"] == (
        False,
        {"rows_flagged": 1, "tickers_flagged": 1, "examples": "AAPL 2023-12-01"},
    )
    assert checks["bars_high_below_low"][1]["examples"] == "AAPL 2023-12-04"
    assert checks["bars_ohlc_outside_range"][1]["rows_flagged"] == 2
    assert checks["bars_duplicate_date"][1]["examples"] == "AAPL 2023-12-06"
    assert checks["bars_gap_before"][1]["examples"] == "AAPL 2023-11-22"
    assert checks["primary_key_unique"][0] and checks["non_empty"][0]
    (materialization,) = [m for m in result.asset_materializations_for_node("prices")]
    metadata = {k: v.value for k, v in materialization.metadata.items()}
    assert metadata["tickers"] == 2 and metadata["rows_in_table"] == 6069 + 5241
    assert str(metadata["skipped"]).startswith("BAD: ") and "invalid value 'x'" in str(metadata["skipped"])
    assert metadata["benchmark_spy"] == "5241 bars 1999-11-01..2020-08-28"

    # a provider that cannot list its tickers leaves the stored table as it was
    result = _materialize(uri, tmp_path / "missing")
    assert result.success
    (materialization,) = result.asset_materializations_for_node("prices")
    assert "does not exist" in str(materialization.metadata["unavailable"].value)
    assert read_table(Lake(uri), PRICES).num_rows == 6069 + 5241
