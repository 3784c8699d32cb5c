"""The kill switch: the order store's row, the operator command, and a run stopped while it places orders."""

from __future__ import annotations

import asyncio
from datetime import date
from pathlib import Path
from typing import Any

import pytest

from lake.storage import Lake
from tests.trading.test_rebalance import config, rows, settings
from trading import killswitch
from trading.broker.base import Broker, OrderRequest
from trading.broker.sim import SimBroker
from trading.oms.store import OrderStore
from trading.prices import LakePrices
from trading.rebalance import Rebalance, RunConfig


def test_store_switch_records_who_when_why(pg_url: str) -> None:
    store = OrderStore.open(pg_url, "alice@desk")
    try:
        initial = store.kill_switch()
        assert (initial.engaged, initial.set_by, initial.reason) == (False, "migration", "initial state")
        on = store.set_kill_switch(True, "bad prices")
        assert (on.engaged, on.set_by, on.reason) == (True, "alice@desk", "bad prices")
        assert on.set_at > initial.set_at
        assert store.kill_switch() == on
        assert killswitch.stop_reason(store) == killswitch.describe(on)
        assert killswitch.describe(on).startswith("order store kill switch ON (set by alice@desk at ")
        store.set_kill_switch(False, "fixed")
        assert killswitch.stop_reason(store) is None
    finally:
        store.close()
    assert rows(
        pg_url, "SELECT actor, action, reason FROM trading.audit WHERE subject = 'kill_switch' ORDER BY 1, 2"
    ) == [
        ("alice@desk", "killswitch.off", "fixed"),
        ("alice@desk", "killswitch.on", "bad prices"),
    ]


def test_operator_command(pg_url: str, monkeypatch: Any, capsys: Any) -> None:
    monkeypatch.setenv("AIHF_PG_URL", pg_url)
    monkeypatch.setenv("TRADING_KILL_SWITCH", "off")
    assert killswitch.main(["on", "--reason", "halt everything"]) == 0
    out = capsys.readouterr().out
    assert "order store kill switch ON" in out and ": halt everything)" in out and "placement STOPPED" in out
    assert killswitch.main(["status"]) == 0
    assert "kill switch ON" in capsys.readouterr().out
    with pytest.raises(SystemExit):
        killswitch.main(["off"])  # a reason is required
    assert killswitch.main(["off", "--reason", "resume"]) == 0
    assert capsys.readouterr().out.endswith("placement allowed\n")
    assert rows(pg_url, "SELECT engaged, reason FROM trading.kill_switch") == [(False, "resume")]


def test_dotenv_edit_is_seen_although_the_environment_says_off(tmp_path: Path, monkeypatch: Any) -> None:
    # before: the process environment (TRADING_KILL_SWITCH=off) hid a later edit of .env
    monkeypatch.setenv("TRADING_KILL_SWITCH", "off")
    dotenv = tmp_path / ".env"
    dotenv.write_text("TRADING_KILL_SWITCH=off\n")
    assert killswitch.stop_reason(None, dotenv) is None
    dotenv.write_text("TRADING_KILL_SWITCH=on\n")
    assert killswitch.stop_reason(None, dotenv) == "TRADING_KILL_SWITCH is on in .env"
    monkeypatch.setenv("TRADING_KILL_SWITCH", "on")
    assert killswitch.stop_reason(None, dotenv) == "TRADING_KILL_SWITCH is on"


def test_unreadable_switch_stops_placement(pg_url: str) -> None:
    store = OrderStore.open(pg_url, "t")
    store.close()
    assert (killswitch.stop_reason(store) or "").startswith(
        "order store kill switch unreadable (OperationalError"
    )


class FlipAfterFirstOrder(SimBroker):
    """A sim broker whose first placed order makes an operator turn the kill switch on (another connection)."""

    async def place(self, order: OrderRequest) -> None:
        await super().place(order)
        if len(self._orders) == 1:
            assert killswitch.main(["on", "--reason", "stop the run"]) == 0


def flipping_broker(cfg: RunConfig, store: OrderStore, prices: LakePrices, as_of: date) -> Broker:
    return FlipAfterFirstOrder(
        cfg.account,
        prices,
        as_of,
        cash=cfg.settings.trading_sim_cash,
        positions=store.positions(cfg.account),
        slippage_bps=cfg.settings.trading_slippage_bps,
    )


def test_switch_turned_on_during_a_run_stops_it(prices_lake: Lake, pg_url: str, monkeypatch: Any) -> None:
    # the run starts with TRADING_KILL_SWITCH=off in its environment; the operator's command stops it
    monkeypatch.setenv("TRADING_KILL_SWITCH", "off")
    monkeypatch.setenv("AIHF_PG_URL", pg_url)
    s = settings(prices_lake, pg_url)
    report = asyncio.run(Rebalance(config(s), broker_factory=flipping_broker).run())
    assert report.status == "completed-with-issues", report.text()
    statuses = [(o.ticker, o.status, o.reason) for o in report.orders]
    assert statuses[0] == ("AAPL", "filled", "")
    assert statuses[1:] == [(o.ticker, "cancelled", "kill switch: not placed") for o in report.orders[1:]]
    (stopped,) = [e for e in report.events if e.startswith("kill switch: ")]
    assert "order store kill switch ON (set by " in stopped and stopped.endswith(
        ": stop the run): 6 order(s) not placed"
    )
    assert rows(pg_url, "SELECT status, count(*) FROM trading.orders GROUP BY 1 ORDER BY 1") == [
        ("cancelled", 6),
        ("filled", 1),
    ]
    # the next run sees the switch before anything is planned for placement
    again = asyncio.run(Rebalance(config(s)).run())
    assert again.status == "kill-switch"
    assert any(
        e.startswith("order store kill switch ON") and e.endswith(": no order placed") for e in again.events
    )
