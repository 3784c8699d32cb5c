"""One backtest run: strategy decisions on rebalance days, constrained, simulated, measured."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable, Mapping
from dataclasses import asdict, dataclass, field
from datetime import UTC, date, datetime
from typing import Any

import numpy as np

from trading.backtest.engine import Limits, Simulation, constrain, cost_rate, rebalance_indices, simulate
from trading.backtest.metrics import summarize
from trading.data import PointInTimeView
from trading.strategies.base import Strategy, weights_row

#: ``progress(done, total, day)`` after each rebalance decision.
Progress = Callable[[int, int, date], None]


@dataclass(frozen=True)
class BacktestConfig:
    """What a run simulates besides the strategy.

    Attributes:
        start: First day (the first trading day on or after it is the first rebalance).
        end: Last day (the last trading day on or before it ends the run).
        rebalance: ``daily``, ``weekly``, ``monthly`` or ``quarterly`` (last trading day of each period).
        cost_bps: Commission per traded notional, basis points.
        slippage_bps: Slippage per traded notional, basis points.
        limits: Exposure limits applied to the strategy's targets.
    """

    start: date
    end: date
    rebalance: str = "monthly"
    cost_bps: float = 5.0
    slippage_bps: float = 0.0
    limits: Limits = field(default_factory=Limits)


@dataclass(frozen=True)
class BacktestResult:
    """A finished run.

    Attributes:
        run_id: Unique id (strategy, creation time, hash of the inputs).
        strategy: The strategy's name.
        params: Its parameters.
        config: The run's configuration.
        simulation: The daily simulation.
        benchmark: The benchmark curve on the simulated days (1.0 on the first day; NaN without a bar).
        metrics: :func:`trading.backtest.metrics.summarize` of the simulation.
        rebalance_days: The decision days.
        weights: The constrained target weights, one row per rebalance day.
        tickers: Columns of ``weights``.
        versions: Lake table -> Delta version read.
        created: When the run finished (UTC).
    """

    run_id: str
    strategy: str
    params: dict[str, Any]
    config: BacktestConfig
    simulation: Simulation
    benchmark: np.ndarray
    metrics: dict[str, float | None]
    rebalance_days: list[date]
    weights: np.ndarray
    tickers: tuple[str, ...]
    versions: Mapping[str, int | None]
    created: datetime


def decisions(
    strategy: Strategy, view: PointInTimeView, days: list[date], progress: Progress | None = None
) -> np.ndarray:
    """The strategy's target weights on ``days`` (its vectorized :meth:`weights_panel` when it has one)."""
    if type(strategy).weights_panel is not Strategy.weights_panel:
        out = strategy.weights_panel(view, days)
        if progress is not None and days:
            progress(len(days), len(days), days[-1])
        return out
    columns = {t: i for i, t in enumerate(view.prices.tickers)}
    rows = np.zeros((len(days), len(columns)))
    for k, day in enumerate(days):
        rows[k] = weights_row(strategy.target_weights(view, day), columns, strategy.name, day)
        if progress is not None:
            progress(k + 1, len(days), day)
    return rows


def _run_id(
    strategy: Strategy, config: BacktestConfig, versions: Mapping[str, int | None], now: datetime
) -> str:
    payload = json.dumps(
        [strategy.name, strategy.params, asdict(config), dict(versions), now.isoformat()],
        default=str,
        sort_keys=True,
    )
    return f"{strategy.name}-{now:%Y%m%dT%H%M%S}-{hashlib.sha256(payload.encode()).hexdigest()[:8]}"


def run_backtest(
    strategy: Strategy,
    view: PointInTimeView,
    config: BacktestConfig,
    *,
    progress: Progress | None = None,
    now: datetime | None = None,
) -> BacktestResult:
    """Decide on each rebalance day, apply the limits, simulate with costs, measure against the benchmark.

    Raises:
        ValueError: no trading day between start and end, or a strategy output the engine refuses.
    """
    prices = view.prices
    start = int(np.searchsorted(prices.dates, np.datetime64(config.start, "D"), side="left"))
    end = prices.last_index(config.end)
    if start >= len(prices.dates) or end < start:
        raise ValueError(f"no trading day between {config.start} and {config.end} in the price panel")
    reb = rebalance_indices(prices.dates, start, end, config.rebalance)
    days = [prices.day(int(i)) for i in reb]
    weights = constrain(decisions(strategy, view, days, progress), config.limits)
    sim = simulate(
        prices.close,
        reb,
        weights,
        start=start,
        end=end,
        dates=prices.dates,
        rate=cost_rate(config.cost_bps, config.slippage_bps),
    )
    benchmark = np.full(len(sim.dates), np.nan)
    if view.benchmark in prices.tickers:
        series = prices.close[start : end + 1, prices.column(view.benchmark)]
        if np.isfinite(series[0]):
            benchmark = series / series[0]
    created = now or datetime.now(UTC)
    return BacktestResult(
        run_id=_run_id(strategy, config, view.versions, created),
        strategy=strategy.name,
        params=strategy.params,
        config=config,
        simulation=sim,
        benchmark=benchmark,
        metrics=summarize(sim, benchmark),
        rebalance_days=days,
        weights=weights,
        tickers=prices.tickers,
        versions=dict(view.versions),
        created=created,
    )
