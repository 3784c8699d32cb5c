"""Performance metrics of an equity curve (pure functions over numpy arrays).

Definitions (daily data, 252 trading days a year, risk-free rate 0):

- ``total_return`` = last equity / 1.0 - 1 (equity starts at 1.0 in cash, before the first trade).
- ``cagr`` = (1 + total_return) ** (365.25 / calendar days from the first to the last day) - 1.
- ``volatility`` = sample standard deviation of daily returns x sqrt(252).
- ``sharpe`` = mean daily return / its sample standard deviation x sqrt(252).
- ``sortino`` = mean daily return / downside deviation x sqrt(252), downside deviation =
  sqrt(mean(min(r, 0)^2)) over all days.
- ``max_drawdown`` = min over days of equity / running peak - 1 (negative; the peak starts at 1.0).
- ``turnover`` = traded notional / equity summed over the run, per year (2.0 = the book traded twice a year,
  counting buys and sells).
- ``exposure`` / ``net_exposure`` = mean gross / net exposure at the close.
- ``hit_rate`` = share of days with a positive return among days with a non-zero return.
"""

from __future__ import annotations

import math

import numpy as np

from trading.backtest.engine import Simulation

TRADING_DAYS = 252


def _ratio(numerator: float, denominator: float) -> float | None:
    return None if denominator == 0 or not math.isfinite(denominator) else numerator / denominator


def sharpe(returns: np.ndarray, periods: int = TRADING_DAYS) -> float | None:
    """Annualized Sharpe ratio (risk-free 0); None with fewer than two returns or zero volatility."""
    if len(returns) < 2:
        return None
    ratio = _ratio(float(np.mean(returns)), float(np.std(returns, ddof=1)))
    return None if ratio is None else ratio * math.sqrt(periods)


def sortino(returns: np.ndarray, periods: int = TRADING_DAYS) -> float | None:
    """Annualized Sortino ratio (target 0); None without returns or without a losing day."""
    if len(returns) == 0:
        return None
    downside = math.sqrt(float(np.mean(np.minimum(returns, 0.0) ** 2)))
    ratio = _ratio(float(np.mean(returns)), downside)
    return None if ratio is None else ratio * math.sqrt(periods)


def max_drawdown(equity: np.ndarray, initial: float = 1.0) -> float:
    """The worst fall from a running peak (peak starts at ``initial``), as a negative fraction (0 = none)."""
    if len(equity) == 0:
        return 0.0
    peak = np.maximum.accumulate(np.concatenate(([initial], equity)))[1:]
    return float(np.min(equity / peak - 1.0))


def cagr(total_return: float, days: float) -> float | None:
    """Compound annual growth over ``days`` calendar days; None for a zero-length run or a total loss."""
    if days <= 0 or total_return <= -1:
        return None
    return float((1.0 + total_return) ** (365.25 / days) - 1.0)


def summarize(sim: Simulation, benchmark: np.ndarray | None = None) -> dict[str, float | None]:
    """Every metric of the module docstring for ``sim`` (and the benchmark's return, volatility, Sharpe).

    Args:
        sim: The simulation.
        benchmark: The benchmark's curve on the same days (NaN where it has no bar), starting at 1.0.
    """
    returns = sim.returns
    days = float((sim.dates[-1] - sim.dates[0]).astype(np.int64)) if len(sim.dates) else 0.0
    years = max(days / 365.25, 1e-9)
    total = float(sim.equity[-1] - 1.0) if len(sim.equity) else 0.0
    active = returns[returns != 0]
    out: dict[str, float | None] = {
        "total_return": total,
        "cagr": cagr(total, days),
        "volatility": float(np.std(returns, ddof=1) * math.sqrt(TRADING_DAYS)) if len(returns) > 1 else None,
        "sharpe": sharpe(returns),
        "sortino": sortino(returns),
        "max_drawdown": max_drawdown(sim.equity),
        "turnover": float(sim.turnover.sum() / years),
        "costs": float(sim.cost.sum()),
        "exposure": float(np.mean(sim.gross)) if len(sim.gross) else 0.0,
        "net_exposure": float(np.mean(sim.net)) if len(sim.net) else 0.0,
        "hit_rate": float(np.mean(active > 0)) if len(active) else None,
        "days": float(len(sim.dates)),
    }
    if benchmark is not None:
        known = np.flatnonzero(np.isfinite(benchmark))
        if len(known) > 1:
            curve = benchmark[known]
            bench_returns = curve[1:] / curve[:-1] - 1.0
            span = float((sim.dates[known[-1]] - sim.dates[known[0]]).astype(np.int64))
            out["benchmark_total_return"] = float(curve[-1] / curve[0] - 1.0)
            out["benchmark_cagr"] = cagr(float(curve[-1] / curve[0] - 1.0), span)
            out["benchmark_sharpe"] = sharpe(bench_returns)
            out["benchmark_max_drawdown"] = max_drawdown(curve / curve[0])
            out["benchmark_days"] = float(len(known))
    return out
