"""The configuration of one rebalance run (settings + command line) and the guards on it (pure)."""

from __future__ import annotations

import argparse
import getpass
import socket
from collections.abc import Sequence
from datetime import date
from typing import Literal

import msgspec

from lake.settings import Settings

LIVE_CONFIRMATION = "I_UNDERSTAND"


class RunConfig(msgspec.Struct, frozen=True, kw_only=True):
    """Everything one run needs (built from the settings and the command line)."""

    mode: Literal["dry-run", "paper", "live"]
    live_flag: bool
    live_confirmation: str
    broker: Literal["sim", "ibkr"]
    account: str
    as_of: date | None
    fill_timeout_s: float
    poll_interval_s: float = 0.25
    cancel_grace_s: float = 5.0
    actor: str
    settings: Settings


def refusal(cfg: RunConfig) -> str | None:
    """Why this configuration must not run (None when it may); pure, tested on its own."""
    if cfg.live_flag and cfg.mode != "live":
        return "--live given but the mode is not live"
    if cfg.mode == "live":
        if not cfg.live_flag:
            return "live trading needs the --live flag (TRADING_MODE=live alone is not enough)"
        if cfg.live_confirmation != LIVE_CONFIRMATION:
            return f"live trading needs AIHF_LIVE_TRADING={LIVE_CONFIRMATION} in the environment"
        if cfg.broker != "ibkr":
            return "live trading needs TRADING_BROKER=ibkr (the sim broker is paper only)"
    if cfg.broker == "ibkr" and not cfg.account:
        return "IBKR_ACCOUNT is empty: name the IBKR (paper) account to trade"
    if cfg.broker == "ibkr" and cfg.as_of is not None and cfg.mode != "dry-run":
        return "--as-of replays a past day: only the sim broker (or a dry run) can do that"
    return None


def is_paper_account(cfg: RunConfig) -> bool:
    """Whether the account is registered as paper: sim and paper runs are; a dry run is when IBKR says so (D...)."""
    if cfg.broker == "sim" or cfg.mode == "paper":
        return True
    return cfg.mode == "dry-run" and cfg.account.startswith("D")


def config_from_args(argv: Sequence[str] | None = None, settings: Settings | None = None) -> RunConfig:
    """Parse the command line over the settings."""
    s = settings or Settings.from_env()
    parser = argparse.ArgumentParser(
        prog="python -m trading.rebalance",
        description="One rebalance: targets -> orders -> risk checks -> broker -> fills.",
    )
    parser.add_argument(
        "--mode", choices=("dry-run", "paper", "live"), help=f"default TRADING_MODE ({s.trading_mode})"
    )
    parser.add_argument("--live", action="store_true", help="trade real money (also needs AIHF_LIVE_TRADING)")
    parser.add_argument(
        "--broker", choices=("sim", "ibkr"), help=f"default TRADING_BROKER ({s.trading_broker})"
    )
    parser.add_argument("--account", help="account id (default IBKR_ACCOUNT; SIM for the sim broker)")
    parser.add_argument(
        "--as-of",
        type=date.fromisoformat,
        help="replay a past trading day from its open (sim broker or dry run)",
    )
    parser.add_argument(
        "--timeout", type=float, help=f"fill timeout in s (default {s.trading_fill_timeout_s:g})"
    )
    parser.add_argument("--json", action="store_true", help="print the report as JSON instead of a table")
    args = parser.parse_args(argv)
    broker = args.broker or s.trading_broker
    mode = "live" if args.live and not args.mode else (args.mode or s.trading_mode)
    return RunConfig(
        mode=mode,
        live_flag=args.live,
        live_confirmation=s.live_trading,
        broker=broker,
        account=args.account or s.ibkr_account or ("SIM" if broker == "sim" else ""),
        as_of=args.as_of,
        fill_timeout_s=args.timeout if args.timeout is not None else s.trading_fill_timeout_s,
        actor=f"{getpass.getuser()}@{socket.gethostname()}",
        settings=s,
    )
