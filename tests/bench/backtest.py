"""`make bench`: the vectorized backtester against a naive day-by-day, ticker-by-ticker loop, same run.

Two panels:

- real: every ticker and every day of ``AIHF_SHARED_DIR/prices`` (252 files, 1999-11-01 .. 2024-03-08);
- synthetic 500 tickers x 10 years (2,520 trading days), built from the real series: the daily log returns
  of the stocks with full 2017-01-03 .. 2024-03-08 history are cut into 21-day blocks; a block schedule is a
  random sequence of block start days (seeded), shared by all tickers of one copy so that the blocks keep
  the real cross-section's co-movement; copy ``c`` of real ticker ``k`` is that ticker's returns along
  schedule ``c``, compounded from its first real close. Two copies of each real ticker with different
  schedules give 500 series (no price is invented beyond re-ordering real daily returns).

Strategy: 12-1 month momentum, top 20% equal weight, monthly rebalance (last trading day of each month),
5 + 2 bps costs. The vectorized figure is the whole backtest (decisions + limits + simulation + metrics); the
naive baseline is :func:`trading.backtest.naive.simulate_naive` on the same decisions. The equity curves are
compared (max absolute difference printed). Target (issue #8): 500 x 10y monthly under 2 s. Printed, not
asserted.
"""

from __future__ import annotations

import os
import statistics
import time
from collections.abc import Callable
from typing import Any

import numpy as np

from tests.support.prices import read_prices
from trading.backtest.engine import Limits, constrain, cost_rate, rebalance_indices, simulate
from trading.backtest.metrics import summarize
from trading.backtest.naive import simulate_naive
from trading.data import PointInTimeView, PricePanel, panel_from_frame
from trading.strategies import Momentum

ROUNDS = int(os.environ.get("BENCH_ROUNDS", "3"))
BLOCK = 21
YEARS = 10
TICKERS = 500


def synthetic_panel(
    real: PricePanel, tickers: int = TICKERS, days: int = 252 * YEARS, seed: int = 8
) -> PricePanel:
    """The block-resampled panel described in the module docstring."""
    window = real.between(np.datetime64("2017-01-03").astype(object), None)
    full = [i for i, t in enumerate(window.tickers) if t != "SPY" and np.all(np.isfinite(window.close[:, i]))]
    logret = np.diff(np.log(window.close[:, full]), axis=0)
    rng = np.random.default_rng(seed)
    copies = -(-tickers // len(full))
    blocks = -(-days // BLOCK)
    columns = []
    names = []
    for c in range(copies):
        starts = rng.integers(0, logret.shape[0] - BLOCK, blocks)
        rows = (starts[:, None] + np.arange(BLOCK)[None, :]).ravel()[:days]
        path = window.close[0, full] * np.exp(np.cumsum(logret[rows], axis=0))
        columns.append(path)
        names += [f"{window.tickers[k]}.{c}" for k in full]
    close = np.hstack(columns)[:, :tickers]
    dates = np.busday_offset(np.datetime64("2014-01-02"), np.arange(days), roll="forward")
    return PricePanel(dates.astype("datetime64[D]"), tuple(names[:tickers]), np.ascontiguousarray(close))


def _timed(fn: Callable[[], Any], rounds: int) -> tuple[float, Any]:
    times, out = [], None
    for _ in range(rounds):
        started = time.perf_counter()
        out = fn()
        times.append(time.perf_counter() - started)
    return statistics.median(times), out


def bench(label: str, panel: PricePanel) -> None:
    """Time the vectorized backtest and the naive loop on ``panel``; print figures, ratio and agreement."""
    view = PointInTimeView(panel)
    strategy = Momentum()
    start, end = 0, len(panel.dates) - 1
    rate = cost_rate(5.0, 2.0)
    reb = rebalance_indices(panel.dates, start, end, "monthly")
    days = [panel.day(int(i)) for i in reb]

    def vectorized() -> Any:
        weights = constrain(strategy.weights_panel(view, days), Limits())
        sim = simulate(panel.close, reb, weights, start=start, end=end, dates=panel.dates, rate=rate)
        summarize(sim)
        return weights, sim

    fast_s, (weights, fast) = _timed(vectorized, ROUNDS)
    sim_s, _ = _timed(
        lambda: simulate(panel.close, reb, weights, start=start, end=end, dates=panel.dates, rate=rate),
        ROUNDS,
    )
    naive_s, slow = _timed(
        lambda: simulate_naive(panel.close, reb, weights, start=start, end=end, dates=panel.dates, rate=rate),
        1,
    )
    diff = float(np.max(np.abs(fast.equity - slow.equity)))
    cells = panel.close.shape[0] * panel.close.shape[1]
    print(
        f"{label}: {len(panel.tickers)} tickers x {len(panel.dates)} days ({panel.dates[0]} .. {panel.dates[-1]}), "
        f"{len(reb)} monthly rebalances"
    )
    print(
        f"  vectorized backtest (decisions + simulation + metrics) {fast_s:8.3f} s  ({cells / fast_s / 1e6:.1f} M cells/s)"
    )
    print(f"    of which the simulation alone                          {sim_s:8.3f} s")
    print(f"  naive loop simulation (baseline)                       {naive_s:8.3f} s")
    print(
        f"  naive / vectorized simulation: {naive_s / sim_s:,.0f}x; whole vectorized backtest {naive_s / fast_s:,.1f}x faster"
    )
    print(f"  max |equity difference| vectorized vs naive: {diff:.2e}; final equity {fast.equity[-1]:.4f}")


def main() -> None:
    """Load the shared prices, build the synthetic panel, run both benchmarks."""
    started = time.perf_counter()
    real = panel_from_frame(read_prices())
    print(f"read {len(real.tickers)} price files in {time.perf_counter() - started:.2f} s")
    bench("real panel", real)
    started = time.perf_counter()
    synthetic = synthetic_panel(real)
    print(f"built the synthetic panel in {time.perf_counter() - started:.2f} s")
    bench(f"synthetic {TICKERS} x {YEARS}y", synthetic)
    print("target: synthetic 500 x 10y monthly under 2 s (vectorized backtest)")


if __name__ == "__main__":
    main()
