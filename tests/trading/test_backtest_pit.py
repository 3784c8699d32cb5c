"""No look-ahead: filings are invisible before their acceptance, and nothing after t changes decisions up to t."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import numpy as np
import polars as pl
import pytest

from lake.storage import Lake
from tests.support.prices import filer_view as load_filer_view
from trading.backtest.engine import Limits
from trading.backtest.run import BacktestConfig, run_backtest
from trading.data import VISIBLE_FROM, PointInTimeView, knowable_at
from trading.strategies import EqualWeight, FactorScore, Momentum, QualityValue, SignalTilt, Strategy
from trading.strategies.factor import fundamentals

AAPL_10K_FY2023 = "0000320193-23-000106"  # accepted 2023-11-02 18:08:27 New York time, filing date 2023-11-03


@pytest.fixture(scope="module")
def filer_view(built_lake: Lake) -> PointInTimeView:
    """Prices of the filers and SPY, with signals, statement values, factors, companies and the CUSIP map."""
    return load_filer_view(built_lake)


def test_decisions_are_taken_at_the_new_york_close() -> None:
    assert knowable_at(date(2023, 11, 2)) == datetime(2023, 11, 2, 20, 0, tzinfo=UTC)  # EDT
    assert knowable_at(date(2023, 11, 6)) == datetime(2023, 11, 6, 21, 0, tzinfo=UTC)  # EST


def test_apple_10k_is_invisible_until_the_day_after_its_evening_acceptance(
    filer_view: PointInTimeView,
) -> None:
    filings = filer_view.frames["statement_values"].filter(pl.col("accession_number") == AAPL_10K_FY2023)
    assert filings.get_column("accepted_at").unique().to_list() == [
        datetime(2023, 11, 2, 22, 8, 27, tzinfo=UTC)
    ]
    visible = {
        day: filer_view.rows("statement_values", date.fromisoformat(day))
        .filter(pl.col("accession_number") == AAPL_10K_FY2023)
        .height
        for day in ("2023-11-01", "2023-11-02", "2023-11-03")
    }
    assert visible == {"2023-11-01": 0, "2023-11-02": 0, "2023-11-03": filings.height}
    assert filings.height == 201

    def apple(day: str) -> tuple[object, ...]:
        rows = fundamentals(filer_view, date.fromisoformat(day)).filter(pl.col("cik") == 320193)
        return rows.select("report_period", "gross_margin", "eps").row(0)

    # FY2022 (gross profit 170,782 / revenue 394,328) until the FY2023 10-K is public (169,148 / 383,285)
    assert apple("2023-11-02") == (date(2022, 9, 24), pytest.approx(170782 / 394328), 6.11)
    assert apple("2023-11-03") == (date(2023, 9, 30), pytest.approx(169148 / 383285), 6.13)


def test_quality_value_ranks_apple_and_nvidia_on_known_statements(filer_view: PointInTimeView) -> None:
    strategy = QualityValue()
    day = date(2023, 12, 29)
    # AAPL: margin 0.441, yield 6.13 / 192.53 = 3.2%; NVDA: margin 0.569, yield 1.74 / 495.22 = 0.35%
    assert strategy.scores(filer_view, day) == {"AAPL": 0.75, "NVDA": 0.75}
    assert strategy.target_weights(filer_view, day) == {"AAPL": 1.0}  # tie broken by ticker
    # Apple's first 10-K in the mirror was accepted on the evening of 2022-10-27
    assert strategy.target_weights(filer_view, date(2022, 10, 27)) == {}
    assert strategy.target_weights(filer_view, date(2022, 10, 28)) == {"AAPL": 1.0}


def test_factor_score_reads_the_month_end_panel_from_its_close(filer_view: PointInTimeView) -> None:
    factors = filer_view.frames["factors"]

    def momentum(day: date) -> dict[str, float]:
        rows = factors.filter(pl.col("date") == day, pl.col("ticker").is_in(list(filer_view.universe(day))))
        return dict(rows.select("ticker", "momentum").iter_rows())

    # the mirror's statements give no value/quality z-scores, so the score is the momentum z-score of the
    # latest month-end row known at the close: 2023-11-30's on 2023-12-28, 2023-12-29's from its close
    strategy = FactorScore()
    assert strategy.scores(filer_view, date(2023, 12, 28)) == pytest.approx(momentum(date(2023, 11, 30)))
    assert strategy.scores(filer_view, date(2023, 12, 29)) == pytest.approx(momentum(date(2023, 12, 29)))
    assert strategy.scores(filer_view, date(2023, 12, 29))["NVDA"] == 3.0  # z-score clipped at 3
    assert strategy.target_weights(filer_view, date(2023, 12, 29)) == {"NVDA": 1.0}


def test_signal_tilt_drops_tesla_while_its_amended_report_is_recent(filer_view: PointInTimeView) -> None:
    # Tesla's 10-K/A was accepted 2020-04-28 07:01 New York time; the window is 90 days
    strategy = SignalTilt(lookback_days=90)
    held = {
        d: "TSLA" in strategy.target_weights(filer_view, date.fromisoformat(d))
        for d in ("2020-04-27", "2020-04-28", "2020-07-24", "2020-07-27")
    }
    assert held == {"2020-04-27": True, "2020-04-28": False, "2020-07-24": False, "2020-07-27": True}
    assert strategy.scores(filer_view, date(2020, 4, 28)) == {"TSLA": pytest.approx(-0.5 * 0.5 * 0.5)}
    weights = strategy.target_weights(filer_view, date(2020, 4, 28))
    assert weights == {t: pytest.approx(1 / 6) for t in ("AAPL", "MSFT", "NFLX", "NVDA", "ORCL", "UNP")}


def _mutate_after(view: PointInTimeView, t: date, seed: int = 3) -> PointInTimeView:
    """Every price after ``t`` and every value of every row that became public after ``t``'s close changed;
    new signals stamped after ``t`` added for every ticker."""
    rng = np.random.default_rng(seed)
    prices = view.prices
    close = prices.close.copy()
    later = prices.dates > np.datetime64(t, "D")
    close[later] *= rng.uniform(0.5, 1.5, close[later].shape)
    cutoff = knowable_at(t)
    frames: dict[str, pl.DataFrame] = {}
    for name, frame in view.frames.items():
        if VISIBLE_FROM not in frame.columns:
            frames[name] = frame
            continue
        after = pl.col(VISIBLE_FROM).is_null() | (pl.col(VISIBLE_FROM) > cutoff)
        changes = [
            pl.when(after).then(pl.col(c) * -3.0 + 7.0).otherwise(pl.col(c)).alias(c)
            for c, dtype in frame.schema.items()
            if dtype == pl.Float64
        ]
        if name == "signals":
            changes.append(pl.when(after).then(pl.lit("AAPL")).otherwise(pl.col("ticker")).alias("ticker"))
        frames[name] = frame.with_columns(changes)
    injected = pl.DataFrame(
        {
            "kind": ["late_filing"] * len(prices.tickers),
            "ticker": list(prices.tickers),
            "cik": [None] * len(prices.tickers),
            "score": [1.0] * len(prices.tickers),
            "confidence": [1.0] * len(prices.tickers),
            "details": ["{}"] * len(prices.tickers),
            "as_of": [cutoff + timedelta(days=5)] * len(prices.tickers),
        }
    ).with_columns(pl.col("as_of").alias(VISIBLE_FROM))
    frames["signals"] = pl.concat([frames["signals"], injected], how="diagonal_relaxed")
    return view.replace(prices=type(prices)(prices.dates, prices.tickers, close), frames=frames)


@pytest.mark.parametrize(
    "strategy",
    [
        QualityValue(),
        QualityValue(long_short=True),
        SignalTilt(),
        SignalTilt(long_short=True),
        EqualWeight(),
        Momentum(lookback=126, top=0.25),
        FactorScore(top=0.25),
    ],
    ids=lambda s: f"{s.name}{'-ls' if getattr(s, 'long_short', False) else ''}",
)
def test_changing_everything_after_t_changes_nothing_up_to_t(
    filer_view: PointInTimeView, strategy: Strategy
) -> None:
    t = date(2023, 6, 30)
    mutated = _mutate_after(filer_view, t)
    long_short = getattr(strategy, "long_short", False)
    limits = Limits(long_only=not long_short, max_gross=2.0 if long_short else 1.0)
    config = BacktestConfig(date(2022, 6, 1), date(2024, 3, 8), "monthly", 5.0, 2.0, limits)
    original, changed = run_backtest(strategy, filer_view, config), run_backtest(strategy, mutated, config)
    assert original.rebalance_days == changed.rebalance_days
    upto = sum(d <= t for d in original.rebalance_days)
    assert upto == 14 and original.rebalance_days[upto - 1] == t
    np.testing.assert_array_equal(original.weights[:upto], changed.weights[:upto])
    known = original.simulation.dates <= np.datetime64(t, "D")
    np.testing.assert_array_equal(original.simulation.equity[known], changed.simulation.equity[known])
    # and the mutation is seen after t: the curve moves
    assert not np.allclose(original.simulation.equity[~known], changed.simulation.equity[~known])


def test_the_mutation_reaches_the_decisions_after_t(filer_view: PointInTimeView) -> None:
    t = date(2023, 6, 30)
    mutated = _mutate_after(filer_view, t)
    # Apple's 10-Q of 2023-08-03 and 10-K of 2023-11-02 changed; late-filing signals injected on 2023-07-05
    for strategy, after in ((QualityValue(), date(2023, 11, 30)), (SignalTilt(), date(2023, 7, 31))):
        assert strategy.target_weights(filer_view, after) != strategy.target_weights(mutated, after)
