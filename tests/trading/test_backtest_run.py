"""A backtest run end to end on the lake: SPY buy-and-hold over 2019, storage in the lake, the CLI and report."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

import numpy as np
import polars as pl
import pytest

from lake.delta import read_table, table_exists, table_version
from lake.registry import table
from lake.storage import Lake
from tests.support.prices import filer_view as load_filer_view
from trading.backtest.__main__ import main
from trading.backtest.report import html_report
from trading.backtest.run import BacktestConfig, run_backtest
from trading.backtest.store import store_result
from trading.data import PointInTimeView
from trading.strategies import BuyAndHold, EqualWeight, Momentum, make_strategy

SPY_2018_12_31, SPY_2019_12_31 = 249.92, 321.86  # closes in ../shared/prices/SPY.csv


@pytest.fixture(scope="module")
def priced_lake(built_lake: Lake) -> Lake:
    """The built lake: its ``prices`` table is the prices asset's load of the shared price files."""
    assert table_exists(built_lake, table("prices"))
    return built_lake


@pytest.fixture(scope="module")
def filer_view(priced_lake: Lake) -> PointInTimeView:
    """Prices of the filers and SPY, with signals, statement values, factors, companies and the CUSIP map."""
    return load_filer_view(priced_lake)


def test_spy_buy_and_hold_2019_is_the_close_ratio_less_costs(filer_view: PointInTimeView) -> None:
    config = BacktestConfig(date(2018, 12, 31), date(2019, 12, 31), "monthly", cost_bps=5.0, slippage_bps=1.0)
    result = run_backtest(BuyAndHold("SPY"), filer_view, config)
    sim = result.simulation
    assert (str(sim.dates[0]), str(sim.dates[-1]), len(sim.dates)) == ("2018-12-31", "2019-12-31", 253)
    assert sim.equity[-1] == pytest.approx((1 - 0.0006) * SPY_2019_12_31 / SPY_2018_12_31, abs=1e-12)
    assert result.benchmark[-1] == pytest.approx(SPY_2019_12_31 / SPY_2018_12_31)
    m = result.metrics
    assert m["benchmark_total_return"] == pytest.approx(SPY_2019_12_31 / SPY_2018_12_31 - 1)
    assert m["total_return"] == pytest.approx(sim.equity[-1] - 1)
    assert m["exposure"] == pytest.approx(1.0)
    assert m["turnover"] == pytest.approx(1.0 / (365 / 365.25))  # one purchase in one year
    assert m["max_drawdown"] == pytest.approx(-0.0662, abs=1e-4)  # 2019-05-03 -> 2019-06-03


def test_runs_are_stored_with_parameters_versions_and_curve(
    priced_lake: Lake, filer_view: PointInTimeView
) -> None:
    config = BacktestConfig(date(2019, 1, 1), date(2020, 6, 30), "weekly", cost_bps=5.0)
    result = run_backtest(EqualWeight(tickers=("AAPL", "MSFT", "UNP")), filer_view, config)
    store_result(priced_lake, result)
    store_result(priced_lake, result)  # idempotent
    runs = pl.from_arrow(read_table(priced_lake, "backtest_runs", filters=[("run_id", "=", result.run_id)]))
    assert isinstance(runs, pl.DataFrame) and runs.height == 1
    row = runs.row(0, named=True)
    assert row["strategy"] == "equal_weight"
    assert json.loads(row["params"])["tickers"] == ["AAPL", "MSFT", "UNP"]
    assert json.loads(row["table_versions"])["prices"] == table_version(priced_lake, _spec("prices"))
    assert row["tickers"] == 3 and row["rebalance"] == "weekly"
    assert row["sharpe"] == pytest.approx(result.metrics["sharpe"])
    curve = pl.from_arrow(
        read_table(priced_lake, "backtest_equity", filters=[("run_id", "=", result.run_id)])
    )
    assert isinstance(curve, pl.DataFrame)
    curve = curve.sort("date")
    assert curve.height == len(result.simulation.dates)
    np.testing.assert_allclose(curve.get_column("equity").to_numpy(), result.simulation.equity)
    assert curve.get_column("benchmark").null_count() == 0  # SPY has bars through 2020-08-28
    assert curve.get_column("turnover").sum() == pytest.approx(result.simulation.turnover.sum())


def _spec(name: str):  # type: ignore[no-untyped-def]
    from lake.registry import table

    return table(name)


def test_cli_prints_a_summary_stores_the_run_and_writes_html(
    priced_lake: Lake, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    html = tmp_path / "report.html"
    code = main(
        [
            "--strategy",
            "quality_value",
            "--start",
            "2022-06-01",
            "--end",
            "2024-03-08",
            "--rebalance",
            "monthly",
            "--cost-bps",
            "5",
            "--tickers",
            "AAPL,NVDA,MSFT,TSLA",
            "--lake",
            priced_lake.uri,
            "--html",
            str(html),
        ]
    )
    out, err = capsys.readouterr()
    assert code == 0, err
    assert "decisions 22/22 (2024-02-29)" in err
    assert "strategy quality_value" in out and "sharpe" in out
    assert "benchmark_total_return" not in out  # the SPY file ends 2020-08-28: no benchmark metrics
    page = html.read_text()
    assert page.startswith("<!doctype html>") and "<svg" in page and "<polyline" in page
    run_id = out.split()[1]
    runs = pl.from_arrow(read_table(priced_lake, "backtest_runs", filters=[("run_id", "=", run_id)]))
    assert isinstance(runs, pl.DataFrame) and runs.height == 1


def test_cli_refuses_bad_input_with_a_reason(priced_lake: Lake, capsys: pytest.CaptureFixture[str]) -> None:
    args = [
        "--strategy",
        "momentum",
        "--start",
        "2019-01-01",
        "--end",
        "2019-12-31",
        "--lake",
        priced_lake.uri,
    ]
    assert main([*args, "--param", "top=lots", "--no-store"]) == 2
    assert "parameter top" in capsys.readouterr().err
    assert main([*args, "--param", "nope=1", "--no-store"]) == 2
    assert "has no parameter 'nope'" in capsys.readouterr().err
    early = ["--strategy", "equal_weight", "--start", "1990-01-01", "--end", "1990-02-01"]
    assert main([*early, "--lake", priced_lake.uri, "--no-store"]) == 2
    assert "no price rows for that selection" in capsys.readouterr().err


def test_momentum_vectorized_equals_its_per_day_decisions(filer_view: PointInTimeView) -> None:
    strategy = make_strategy("momentum", {"lookback": "126", "top": "0.25", "long_short": "true"})
    assert isinstance(strategy, Momentum) and strategy.long_short
    days = [date(2021, 1, 29), date(2022, 6, 30), date(2023, 12, 29)]
    panel = strategy.weights_panel(filer_view, days)
    for row, day in zip(panel, days, strict=True):
        expected = strategy.target_weights(filer_view, day)
        assert {t: w for t, w in zip(filer_view.prices.tickers, row, strict=True) if w} == expected
        longs, shorts = sum(v > 0 for v in expected.values()), sum(v < 0 for v in expected.values())
        assert longs == shorts == max(1, int(row_names(filer_view, day) * 0.25))


def row_names(view: PointInTimeView, day: date) -> int:
    """Names with 126 days of history on ``day`` (the benchmark excluded)."""
    history = view.history(day, 127).close
    return int(sum(np.isfinite(history[0, i]) and t != "SPY" for i, t in enumerate(view.prices.tickers)))


def test_html_report_is_self_contained(filer_view: PointInTimeView) -> None:
    result = run_backtest(
        BuyAndHold("AAPL"), filer_view, BacktestConfig(date(2020, 1, 1), date(2021, 12, 31))
    )
    page = html_report(result)
    assert "http" not in page.replace("http://www.w3.org/2000/svg", "")  # nothing fetched from elsewhere
    assert page.count("<polyline") == 2
