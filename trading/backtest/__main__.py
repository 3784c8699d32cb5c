"""``python -m trading.backtest``: run a strategy over the lake, print a summary, store it, write HTML."""

from __future__ import annotations

import argparse
import sys
from datetime import date
from pathlib import Path

from lake.settings import Settings
from lake.storage import Lake
from trading.backtest.engine import REBALANCE_RULES, Limits
from trading.backtest.report import html_report, summary_table
from trading.backtest.run import BacktestConfig, run_backtest
from trading.backtest.store import store_result
from trading.data import PointInTimeView
from trading.strategies import STRATEGIES, make_strategy


def parser() -> argparse.ArgumentParser:
    """The command line."""
    p = argparse.ArgumentParser(prog="python -m trading.backtest", description=__doc__)
    p.add_argument("--strategy", required=True, choices=sorted(STRATEGIES))
    p.add_argument("--start", required=True, type=date.fromisoformat)
    p.add_argument("--end", required=True, type=date.fromisoformat)
    p.add_argument("--rebalance", default="monthly", choices=REBALANCE_RULES)
    p.add_argument("--cost-bps", type=float, default=5.0, help="commission per traded notional (bps)")
    p.add_argument("--slippage-bps", type=float, default=0.0, help="slippage per traded notional (bps)")
    p.add_argument("--long-short", action="store_true", help="allow short weights (default long-only)")
    p.add_argument(
        "--max-gross", type=float, default=None, help="gross exposure cap (default 1, 2 long-short)"
    )
    p.add_argument("--max-net", type=float, default=1.0, help="net exposure cap (default 1)")
    p.add_argument("--max-weight", type=float, default=None, help="cap on one name's |weight|")
    p.add_argument("--tickers", default="", help="comma-separated tickers to load (default all + SPY)")
    p.add_argument("--benchmark", default="SPY")
    p.add_argument("--value", default="close", choices=("close", "adj_close"), help="price or total return")
    p.add_argument("--param", action="append", default=[], metavar="KEY=VALUE", help="strategy parameter")
    p.add_argument("--html", type=Path, default=None, help="write the equity curve vs SPY here (.html)")
    p.add_argument("--no-store", action="store_true", help="do not write backtest_runs / backtest_equity")
    p.add_argument("--lake", default=None, help="lake URI (default LAKE_URI)")
    return p


def main(argv: list[str] | None = None) -> int:
    """Run the CLI; returns the exit code (2 on bad input, with the reason on stderr)."""
    args = parser().parse_args(argv)
    try:
        params = dict(item.split("=", 1) for item in args.param)
    except ValueError:
        print(f"error: --param takes KEY=VALUE, got {args.param}", file=sys.stderr)
        return 2
    if args.long_short:
        params.setdefault("long_short", "true")
    settings = Settings.from_env()
    lake = Lake(args.lake, settings.storage_options()) if args.lake else Lake.from_settings(settings)
    try:
        strategy = make_strategy(args.strategy, params)
        limits = Limits(
            long_only=not args.long_short,
            max_gross=args.max_gross if args.max_gross is not None else (2.0 if args.long_short else 1.0),
            max_net=args.max_net,
            max_weight=args.max_weight,
        )
        config = BacktestConfig(
            args.start, args.end, args.rebalance, args.cost_bps, args.slippage_bps, limits
        )
        tickers = [t.strip().upper() for t in args.tickers.split(",") if t.strip()] or None
        print(f"loading {lake.uri} ...", file=sys.stderr)
        view = PointInTimeView.load(
            lake, tickers=tickers, end=args.end, benchmark=args.benchmark, value=args.value
        )
        print(f"{len(view.prices.tickers)} tickers x {len(view.prices.dates)} days", file=sys.stderr)

        def progress(done: int, total: int, day: date) -> None:
            if done == total or done % max(1, total // 20) == 0:
                print(f"  decisions {done}/{total} ({day})", file=sys.stderr)

        result = run_backtest(strategy, view, config, progress=progress)
    except (ValueError, KeyError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    print(summary_table(result))
    if not args.no_store:
        store_result(lake, result)
        print(f"stored run {result.run_id} in backtest_runs / backtest_equity", file=sys.stderr)
    if args.html is not None:
        args.html.parent.mkdir(parents=True, exist_ok=True)
        args.html.write_text(html_report(result), encoding="utf-8")
        print(f"wrote {args.html}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
