"""Human-readable output of a run: the summary table and a self-contained HTML page (inline SVG chart)."""

from __future__ import annotations

import html
import json

import numpy as np

from trading.backtest.run import BacktestResult

_PERCENT = {
    "total_return",
    "cagr",
    "volatility",
    "max_drawdown",
    "exposure",
    "net_exposure",
    "hit_rate",
    "costs",
}
_PERCENT |= {f"benchmark_{k}" for k in ("total_return", "cagr", "max_drawdown")}


def format_metric(name: str, value: float | None) -> str:
    """A metric as text: percentages for returns and fractions, two decimals for ratios, '-' for None."""
    if value is None or not np.isfinite(value):
        return "-"
    if name in _PERCENT:
        return f"{value * 100:.2f}%"
    if name.endswith("days"):
        return f"{value:.0f}"
    return f"{value:.2f}"


def summary_table(result: BacktestResult) -> str:
    """The run's metrics as an aligned two-column text table."""
    sim = result.simulation
    lines = [
        f"run {result.run_id}",
        f"strategy {result.strategy} {json.dumps(result.params, sort_keys=True, default=str)}",
        f"{sim.dates[0]} .. {sim.dates[-1]}, {len(result.rebalance_days)} rebalances ({result.config.rebalance}), "
        f"costs {result.config.cost_bps:g} + {result.config.slippage_bps:g} bps",
    ]
    width = max(len(k) for k in result.metrics)
    lines += [f"  {k.ljust(width)}  {format_metric(k, v):>10}" for k, v in result.metrics.items()]
    return "\n".join(lines)


def _polyline(values: np.ndarray, lo: float, hi: float, width: int, height: int, color: str) -> str:
    n = len(values)
    points = [
        f"{40 + i * (width - 50) / max(n - 1, 1):.1f},{10 + (hi - v) * (height - 40) / (hi - lo):.1f}"
        for i, v in enumerate(values)
        if np.isfinite(v)
    ]
    return f'<polyline fill="none" stroke="{color}" stroke-width="1.5" points="{" ".join(points)}"/>'


def equity_svg(result: BacktestResult, width: int = 900, height: int = 360) -> str:
    """The equity curve (blue) and the benchmark (grey) as an inline SVG, with y-axis ticks and the dates."""
    equity, bench = result.simulation.equity, result.benchmark
    values = np.concatenate([equity, bench[np.isfinite(bench)]])
    lo, hi = float(values.min()), float(values.max())
    if hi - lo < 1e-12:
        lo, hi = lo - 0.5, hi + 0.5
    ticks = np.linspace(lo, hi, 5)
    grid = "".join(
        f'<line x1="40" x2="{width - 10}" y1="{y:.1f}" y2="{y:.1f}" stroke="#eee"/>'
        f'<text x="2" y="{y + 4:.1f}" font-size="10">{t:.2f}</text>'
        for t in ticks
        for y in [10 + (hi - t) * (height - 40) / (hi - lo)]
    )
    dates = result.simulation.dates
    labels = (
        f'<text x="40" y="{height - 8}" font-size="10">{dates[0]}</text>'
        f'<text x="{width - 80}" y="{height - 8}" font-size="10">{dates[-1]}</text>'
    )
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" font-family="sans-serif">'
        f"{grid}{_polyline(bench, lo, hi, width, height, '#999')}"
        f"{_polyline(equity, lo, hi, width, height, '#1f77b4')}{labels}</svg>"
    )


def html_report(result: BacktestResult) -> str:
    """A self-contained HTML page: title, parameters, the chart vs the benchmark, the metrics."""
    rows = "".join(
        f"<tr><td>{html.escape(k)}</td><td style='text-align:right'>{format_metric(k, v)}</td></tr>"
        for k, v in result.metrics.items()
    )
    params = html.escape(json.dumps(result.params, sort_keys=True, default=str))
    versions = html.escape(json.dumps(dict(result.versions), sort_keys=True))
    return (
        "<!doctype html><html><head><meta charset='utf-8'>"
        f"<title>Backtest {html.escape(result.run_id)}</title></head>"
        "<body style='font-family:sans-serif'>"
        f"<h1>{html.escape(result.strategy)} vs SPY</h1>"
        f"<p>run <code>{html.escape(result.run_id)}</code>; parameters <code>{params}</code>; "
        f"rebalance {html.escape(result.config.rebalance)}; costs {result.config.cost_bps:g} + "
        f"{result.config.slippage_bps:g} bps; lake versions <code>{versions}</code></p>"
        f"{equity_svg(result)}"
        "<p><span style='color:#1f77b4'>strategy</span> · <span style='color:#999'>SPY (price return; "
        "no line where the SPY series has no bar)</span></p>"
        f"<table>{rows}</table></body></html>\n"
    )
