"""The kill switch: an operator stops all order placement, also of a run already in progress.

Two sources, either one on stops placement: the ``TRADING_KILL_SWITCH`` setting (the process environment,
and the ``.env`` file read again on its own, since the environment would otherwise hide an edit of it) and a
row in the order store (``trading.kill_switch``), which every process re-reads. The rebalance asks
:func:`stop_reason` before each order it places. The operator command::

    python -m trading.killswitch on --reason "bad prices in the lake"
    python -m trading.killswitch off --reason "prices fixed"
    python -m trading.killswitch status

records who (user@host) and when with the reason, and writes an audit row. A switch that cannot be read
counts as on (fail closed).
"""

from __future__ import annotations

import argparse
import getpass
import socket
import sys
from collections.abc import Sequence
from pathlib import Path

from lake.settings import Settings
from trading.oms.store import KillSwitch, OrderStore


def describe(state: KillSwitch) -> str:
    """One line: on/off, by whom, since when, why."""
    return (
        f"order store kill switch {'ON' if state.engaged else 'off'} "
        f"(set by {state.set_by} at {state.set_at:%Y-%m-%d %H:%M:%S %Z}: {state.reason or 'no reason'})"
    )


def stop_reason(store: OrderStore | None, dotenv: Path | None = None) -> str | None:
    """Why no order may be placed now (None when placing may go on); read fresh on every call.

    ``dotenv`` is the ``.env`` file to read (default: the project's).
    """
    try:
        if Settings.from_env(dotenv=dotenv).trading_kill_switch:
            return "TRADING_KILL_SWITCH is on"
        # the .env file alone: the environment of a running process would hide an edit made since it started
        if Settings.from_env(env={}, dotenv=dotenv).trading_kill_switch:
            return "TRADING_KILL_SWITCH is on in .env"
    except ValueError as exc:
        return f"kill switch setting unreadable ({exc})"
    if store is None:
        return None
    try:
        state = store.kill_switch()
    except Exception as exc:  # the switch must be readable to trade
        return f"order store kill switch unreadable ({type(exc).__name__}: {exc})"
    return describe(state) if state.engaged else None


def main(argv: Sequence[str] | None = None) -> int:
    """Turn the order store's kill switch on or off, or show it; returns the exit code."""
    parser = argparse.ArgumentParser(
        prog="python -m trading.killswitch", description=__doc__.split("\n\n")[0]
    )
    parser.add_argument("action", choices=("on", "off", "status"))
    parser.add_argument("--reason", default="", help="why (required for on and off; stored and audited)")
    args = parser.parse_args(list(sys.argv[1:] if argv is None else argv))
    if args.action != "status" and not args.reason.strip():
        parser.error(f"{args.action} needs --reason")
    settings = Settings.from_env()
    store = OrderStore.open(settings.pg_url, f"{getpass.getuser()}@{socket.gethostname()}")
    try:
        if args.action == "status":
            state = store.kill_switch()
        else:
            state = store.set_kill_switch(args.action == "on", args.reason.strip())
        print(describe(state))
        why = stop_reason(store)
        print(f"placement {'STOPPED: ' + why if why else 'allowed'}")
    finally:
        store.close()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
