"""The naive backtest: :func:`trading.backtest.engine.simulate` one day and one ticker at a time.

Same conventions, holding share counts and cash. It is the reference the vectorized engine is tested
against and the baseline of ``make bench``.
"""

from __future__ import annotations

import math
from collections.abc import Sequence

import numpy as np

from trading.backtest.engine import Simulation


def simulate_naive(
    close: np.ndarray,
    rebalance: Sequence[int] | np.ndarray,
    weights: np.ndarray,
    *,
    start: int,
    end: int,
    dates: np.ndarray,
    rate: float = 0.0,
) -> Simulation:
    """Loop over days and tickers: mark holdings to the last close, trade to the targets on rebalance days.

    Arguments and result as :func:`trading.backtest.engine.simulate`.
    """
    n = close.shape[1]
    targets = {int(day): [float(x) for x in row] for day, row in zip(rebalance, weights, strict=True)}
    rows = close.tolist()
    last = [math.nan] * n
    shares = [0.0] * n
    cash = 1.0
    equity_out: list[float] = []
    gross_out: list[float] = []
    net_out: list[float] = []
    turnover_out: list[float] = []
    for t in range(end + 1):
        row = rows[t]
        for i in range(n):
            if row[i] == row[i]:  # not NaN
                last[i] = row[i]
        if t < start:
            continue
        equity = cash
        for i in range(n):
            if shares[i] != 0.0:
                equity += shares[i] * last[i]
        turnover = 0.0
        if t in targets:
            traded = 0.0
            target = targets[t]
            for i in range(n):
                current = shares[i] * last[i] if shares[i] != 0.0 else 0.0
                traded += abs(target[i] * equity - current)
            turnover = traded / equity if equity else 0.0
            equity -= rate * traded
            cash = equity
            for i in range(n):
                if target[i] != 0.0:
                    if last[i] != last[i]:
                        raise ValueError(f"weight {target[i]} on column {i} at day index {t}, no price yet")
                    shares[i] = target[i] * equity / last[i]
                    cash -= shares[i] * last[i]
                else:
                    shares[i] = 0.0
        long_short = [shares[i] * last[i] for i in range(n) if shares[i] != 0.0]
        equity_out.append(equity)
        gross_out.append(sum(abs(v) for v in long_short) / equity if equity > 0 else 0.0)
        net_out.append(sum(long_short) / equity if equity > 0 else 0.0)
        turnover_out.append(turnover)
    turnover_arr = np.array(turnover_out)
    return Simulation(
        dates=dates[start : end + 1].astype("datetime64[D]"),
        equity=np.array(equity_out),
        gross=np.array(gross_out),
        net=np.array(net_out),
        turnover=turnover_arr,
        cost=turnover_arr * rate,
    )
