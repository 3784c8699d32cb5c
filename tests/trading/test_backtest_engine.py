"""The vectorized engine against the naive loop, the metrics against hand computations, the limits."""

from __future__ import annotations

import math
from datetime import date

import numpy as np
import pytest

from tests.support.prices import read_prices
from trading.backtest.engine import Limits, constrain, cost_rate, rebalance_indices, simulate
from trading.backtest.metrics import cagr, max_drawdown, sharpe, sortino, summarize
from trading.backtest.naive import simulate_naive
from trading.data import PricePanel, panel_from_frame

TICKERS = ["AAPL", "MSFT", "NVDA", "TSLA", "UNP", "SNOW", "SPY"]


@pytest.fixture(scope="module")
def panel() -> PricePanel:
    """Real closes of a few filers and SPY, 2010-2024 (SNOW starts 2020-09, SPY ends 2020-08, TSLA 2010-06)."""
    frame = read_prices(tickers=TICKERS)
    return panel_from_frame(frame.filter(frame["date"] >= date(2010, 1, 1)))


def _index(panel: PricePanel, day: str) -> int:
    return panel.last_index(date.fromisoformat(day))


@pytest.mark.parametrize(
    ("rule", "limits", "bps"),
    [
        ("monthly", Limits(), 5.0),
        ("weekly", Limits(long_only=False, max_gross=1.6, max_net=0.3), 12.5),
        ("daily", Limits(long_only=False, max_gross=2.0, max_net=0.0, max_weight=0.4), 1.0),
    ],
)
def test_vectorized_equals_naive_on_real_prices(
    panel: PricePanel, rule: str, limits: Limits, bps: float
) -> None:
    start, end = _index(panel, "2019-06-03"), _index(panel, "2022-12-30")
    reb = rebalance_indices(panel.dates, start, end, rule)
    rng = np.random.default_rng(8)
    raw = rng.normal(0.2, 1.0, (len(reb), len(panel.tickers)))
    tradable = np.isfinite(panel.close[reb])  # SNOW before its listing, SPY after its file ends: no weight
    weights = constrain(np.where(tradable, raw, 0.0), limits)
    args = {"start": start, "end": end, "dates": panel.dates, "rate": cost_rate(bps, 2.5)}
    fast = simulate(panel.close, reb, weights, **args)
    slow = simulate_naive(panel.close, reb, weights, **args)
    assert len(fast.equity) == end - start + 1
    for name in ("equity", "gross", "net", "turnover", "cost"):
        np.testing.assert_allclose(getattr(fast, name), getattr(slow, name), rtol=0, atol=1e-9, err_msg=name)
    assert fast.equity[-1] != pytest.approx(1.0)


def test_buy_and_hold_equity_is_the_price_ratio_less_costs(panel: PricePanel) -> None:
    start, end = _index(panel, "2018-12-31"), _index(panel, "2019-12-31")
    reb = rebalance_indices(panel.dates, start, end, "monthly")
    spy = panel.column("SPY")
    weights = np.zeros((len(reb), len(panel.tickers)))
    weights[:, spy] = 1.0
    sim = simulate(panel.close, reb, weights, start=start, end=end, dates=panel.dates, rate=cost_rate(5, 0))
    assert sim.equity[-1] == pytest.approx((1 - 0.0005) * 321.86 / 249.92, abs=1e-12)
    # bought once; monthly rebalances of a 100% book trade nothing
    assert sim.turnover.sum() == pytest.approx(1.0)
    assert np.all(sim.gross == pytest.approx(1.0))


def test_cash_short_and_drift_by_hand() -> None:
    # two assets over four days; 50% long A, 25% short B, 75% cash, rebalanced on day 2
    close = np.array([[10.0, 20.0], [11.0, 18.0], [12.0, 18.0], [12.0, 24.0]])
    dates = np.arange(np.datetime64("2020-01-01"), np.datetime64("2020-01-05"))
    weights = np.array([[0.5, -0.25], [0.5, -0.25]])
    sim = simulate(close, [0, 2], weights, start=0, end=3, dates=dates, rate=0.0)
    # day 1: 1 + 0.5*0.1 - 0.25*(-0.1) = 1.075; day 2: 1 + 0.5*0.2 - 0.25*(-0.1) = 1.125
    # day 3 (rebalanced on day 2): 1.125 * (1 + 0.5*0 - 0.25*(24/18 - 1)) = 1.125 * (1 - 1/12)
    np.testing.assert_allclose(sim.equity, [1.0, 1.075, 1.125, 1.125 * (1 - 1 / 12)], atol=1e-15)
    # drifted weights before the day-2 rebalance: A 0.6/1.125, B -0.225/1.125
    assert sim.turnover[2] == pytest.approx(abs(0.5 - 0.6 / 1.125) + abs(-0.25 + 0.225 / 1.125))
    assert sim.gross[1] == pytest.approx((0.55 + 0.225) / 1.075)


def test_metrics_on_a_known_series() -> None:
    returns = np.array([0.01, -0.02, 0.03, 0.0, -0.01])
    mean, sd = 0.002, math.sqrt(sum((r - 0.002) ** 2 for r in returns) / 4)
    assert sharpe(returns) == pytest.approx(mean / sd * math.sqrt(252))
    assert sortino(returns) == pytest.approx(mean / math.sqrt((0.02**2 + 0.01**2) / 5) * math.sqrt(252))
    equity = np.cumprod(1 + returns)
    # peak 1.01 after day 1, trough 1.01 * 0.98 = 0.9898 -> -2%; later peak 1.019494, then -1%
    assert max_drawdown(equity) == pytest.approx(-0.02)
    assert max_drawdown(np.array([0.9, 0.8, 1.2])) == pytest.approx(-0.2)  # from the initial 1.0
    assert cagr(0.21, 730.5) == pytest.approx(0.1)


def test_summary_counts_turnover_exposure_and_hits(panel: PricePanel) -> None:
    start, end = _index(panel, "2021-01-04"), _index(panel, "2021-12-31")
    reb = rebalance_indices(panel.dates, start, end, "quarterly")
    assert [str(panel.dates[i]) for i in reb] == ["2021-01-04", "2021-03-31", "2021-06-30", "2021-09-30"]
    weights = np.zeros((len(reb), len(panel.tickers)))
    weights[:, panel.column("AAPL")] = 0.5
    sim = simulate(panel.close, reb, weights, start=start, end=end, dates=panel.dates, rate=0.001)
    m = summarize(sim)
    assert sim.turnover[0] == pytest.approx(0.5)
    assert m["exposure"] == pytest.approx(float(np.mean(sim.gross)))
    assert 0.25 < m["exposure"] < 0.75  # type: ignore[operator]
    returns = sim.returns
    assert m["hit_rate"] == pytest.approx(np.mean(returns[returns != 0] > 0))
    assert m["costs"] == pytest.approx(0.001 * sim.turnover.sum())


def test_monthly_rebalances_are_last_trading_days(panel: PricePanel) -> None:
    reb = rebalance_indices(panel.dates, _index(panel, "2019-01-02"), _index(panel, "2019-06-28"), "monthly")
    days = [str(panel.dates[i]) for i in reb]
    assert days == ["2019-01-02", "2019-01-31", "2019-02-28", "2019-03-29", "2019-04-30", "2019-05-31"]
    weekly = rebalance_indices(
        panel.dates, _index(panel, "2019-07-01"), _index(panel, "2019-07-19"), "weekly"
    )
    assert [str(panel.dates[i]) for i in weekly] == ["2019-07-01", "2019-07-05", "2019-07-12"]


def test_limits() -> None:
    w = np.array([[0.6, 0.6, -0.5], [0.2, -0.9, -0.6]])
    # caps scale down, never up
    np.testing.assert_allclose(constrain(w, Limits()), [[0.5, 0.5, 0.0], [0.2, 0.0, 0.0]])
    ls = constrain(w, Limits(long_only=False, max_gross=1.5, max_net=0.2))
    assert np.all(np.abs(ls).sum(axis=1) <= 1.5 + 1e-12)
    assert np.all(np.abs(ls.sum(axis=1)) <= 0.2 + 1e-12)
    np.testing.assert_allclose(
        constrain(w, Limits(long_only=False, max_gross=9, max_net=9, max_weight=0.5)),
        [[0.5, 0.5, -0.5], [0.2, -0.5, -0.5]],
    )
    with pytest.raises(ValueError, match="positive"):
        Limits(max_gross=0)


def test_a_weight_without_a_price_is_refused(panel: PricePanel) -> None:
    start = _index(panel, "2019-01-02")
    weights = np.zeros((1, len(panel.tickers)))
    weights[0, panel.column("SNOW")] = 1.0  # SNOW listed 2020-09-16
    with pytest.raises(ValueError, match="no price yet"):
        simulate(panel.close, [start], weights, start=start, end=start + 5, dates=panel.dates)
    with pytest.raises(ValueError, match="rebalance must be one of"):
        rebalance_indices(panel.dates, start, start + 5, "hourly")
