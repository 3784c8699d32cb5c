"""Backtest runs as lake tables: ``backtest_runs`` (one row per run) and ``backtest_equity`` (its daily curve)."""

from __future__ import annotations

import json
import math
from dataclasses import asdict

import numpy as np
import pyarrow as pa

from lake.delta import merge_upsert
from lake.registry import table
from lake.storage import Lake
from trading.backtest.run import BacktestResult


def _num(value: float | None) -> float | None:
    return None if value is None or not math.isfinite(value) else float(value)


def run_row(result: BacktestResult) -> pa.Table:
    """The ``backtest_runs`` row of ``result``."""
    m = result.metrics
    config = asdict(result.config)
    limits = config.pop("limits")
    sim = result.simulation
    row = {
        "run_id": result.run_id,
        "strategy": result.strategy,
        "params": json.dumps({**result.params, "limits": limits}, sort_keys=True, default=str),
        "start": sim.dates[0].astype(object),
        "end": sim.dates[-1].astype(object),
        "rebalance": result.config.rebalance,
        "cost_bps": result.config.cost_bps,
        "slippage_bps": result.config.slippage_bps,
        "tickers": int(np.count_nonzero(np.any(result.weights != 0, axis=0))),
        "table_versions": json.dumps(dict(result.versions), sort_keys=True),
        "metrics": json.dumps({k: _num(v) for k, v in m.items()}, sort_keys=True),
        **{
            k: _num(m.get(k))
            for k in (
                "total_return",
                "cagr",
                "sharpe",
                "sortino",
                "max_drawdown",
                "turnover",
                "exposure",
                "hit_rate",
                "benchmark_total_return",
            )
        },
        "created": result.created,
    }
    return pa.Table.from_pylist([row], schema=table("backtest_runs").schema)


def equity_rows(result: BacktestResult) -> pa.Table:
    """The ``backtest_equity`` rows of ``result`` (one per simulated day)."""
    sim = result.simulation
    bench = result.benchmark
    return pa.table(
        {
            "run_id": pa.array([result.run_id] * len(sim.dates), pa.string()),
            "date": pa.array(sim.dates.astype("datetime64[D]"), pa.date32()),
            "equity": pa.array(sim.equity, pa.float64()),
            "daily_return": pa.array(sim.returns, pa.float64()),
            "benchmark": pa.array(
                np.where(np.isfinite(bench), bench, np.nan), pa.float64(), from_pandas=True
            ),
            "exposure": pa.array(sim.gross, pa.float64()),
            "net_exposure": pa.array(sim.net, pa.float64()),
            "turnover": pa.array(sim.turnover, pa.float64()),
            "cost": pa.array(sim.cost, pa.float64()),
        },
        schema=table("backtest_equity").schema,
    )


def store_result(lake: Lake, result: BacktestResult) -> None:
    """Write the run and its curve (upserts by key: storing the same run twice changes nothing)."""
    merge_upsert(lake, table("backtest_equity"), equity_rows(result))
    merge_upsert(lake, table("backtest_runs"), run_row(result))
