"""The order store on a real PostgreSQL: migrations, idempotent orders, the state machine, fills, audit."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import psycopg
import pytest

from tests.trading.conftest import close_on
from trading.oms.migrate import migrate, migrations
from trading.oms.store import ConflictingOrder, ExecutionRecord, IllegalTransition, NewOrder, OrderStore

AAPL = close_on("AAPL", "2024-03-01")
T0 = datetime(2024, 3, 1, 15, 0, tzinfo=UTC)


@pytest.fixture
def store(pg_url: str) -> OrderStore:
    oms = OrderStore.open(pg_url, actor="test")
    oms.ensure_account("DU123456", "ibkr", is_paper=True)
    oms.start_run("run-1", "DU123456", "paper", {"prices": 3})
    return oms


def _order(cid: str = "c-1", quantity: float = 100) -> NewOrder:
    return NewOrder(
        client_order_id=cid,
        account_id="DU123456",
        run_id="run-1",
        ticker="AAPL",
        side="BUY",
        quantity=quantity,
        ref_price=AAPL,
    )


def test_migrations_apply_once_and_refuse_edits(pg_url: str, tmp_path: Path) -> None:
    assert migrate(pg_url) == [m.version for m in migrations()] == [1, 2]
    assert migrate(pg_url) == []
    edited = tmp_path / "m"
    edited.mkdir()
    (edited / "0001_order_store.sql").write_text(migrations()[0].sql + "\n-- edited\n")
    with pytest.raises(RuntimeError, match="0001_order_store changed after it was applied"):
        migrate(pg_url, edited)
    with psycopg.connect(pg_url) as conn:
        tables = {
            r[0]
            for r in conn.execute(
                "SELECT table_name FROM information_schema.tables WHERE table_schema = 'trading'"
            )
        }
    assert tables == {
        "schema_migrations",
        "accounts",
        "runs",
        "orders",
        "executions",
        "positions",
        "audit",
        "kill_switch",
    }


def test_account_flag_cannot_flip(store: OrderStore) -> None:
    store.ensure_account("DU123456", "ibkr", is_paper=True)
    with pytest.raises(ValueError, match="DU123456 is registered as a paper account"):
        store.ensure_account("DU123456", "ibkr", is_paper=False)


def test_resubmission_is_idempotent_and_conflicts_refused(store: OrderStore) -> None:
    first, created = store.submit_new(_order())
    again, created_again = store.submit_new(_order())
    assert created and not created_again and again == first and first.status == "new"
    with pytest.raises(ConflictingOrder, match="exists as BUY 100 AAPL on DU123456"):
        store.submit_new(_order(quantity=101))
    assert len(store.orders(run_id="run-1")) == 1


def test_state_machine_and_fills(store: OrderStore) -> None:
    store.submit_new(_order())
    with pytest.raises(IllegalTransition, match="new -> filled is not allowed"):
        store.transition("c-1", "filled")
    store.transition("c-1", "submitted")
    fill = ExecutionRecord(
        exec_id="e1", client_order_id="c-1", quantity=40, price=179.55, commission=0.4, executed_at=T0
    )
    order, new = store.record_execution(fill)
    assert new and order.status == "partially_filled" and order.filled_quantity == 40
    assert store.record_execution(fill) == (order, False)  # the same report twice changes nothing
    order, _ = store.record_execution(
        ExecutionRecord(
            exec_id="e2", client_order_id="c-1", quantity=60, price=179.70, commission=0.6, executed_at=T0
        )
    )
    assert order.status == "filled" and order.filled_quantity == 100
    assert order.avg_fill_price == pytest.approx((40 * 179.55 + 60 * 179.70) / 100)
    with pytest.raises(IllegalTransition, match="filled -> cancelled"):
        store.transition("c-1", "cancelled")
    with pytest.raises(IllegalTransition, match="exceed the quantity 100"):
        store.record_execution(
            ExecutionRecord(
                exec_id="e3", client_order_id="c-1", quantity=1, price=180, commission=0, executed_at=T0
            )
        )
    assert [e.exec_id for e in store.executions("c-1")] == ["e1", "e2"]  # the refused fill was rolled back
    actions = [r["action"] for r in store.audit_rows("c-1")]
    assert actions == [
        "order.new",
        "order.submitted",
        "execution",
        "order.partially_filled",
        "execution",
        "order.filled",
    ]
    row = store.audit_rows("c-1")[0]
    assert row["actor"] == "test" and row["run_id"] == "run-1" and row["lake_versions"] == {"prices": 3}
    # filled at 179.55/179.70, so today's traded notional is the fill value
    assert store.traded_notional_since("DU123456", datetime(2024, 1, 1, tzinfo=UTC)) == pytest.approx(
        40 * 179.55 + 60 * 179.70
    )


def test_rejected_and_cancelled_are_terminal(store: OrderStore) -> None:
    store.submit_new(_order("r"))
    store.transition("r", "rejected", reason="max_order_notional")
    assert store.get("r").reason == "max_order_notional"  # type: ignore[union-attr]
    with pytest.raises(IllegalTransition):
        store.transition("r", "submitted")
    store.submit_new(_order("p"))
    store.transition("p", "submitted")
    store.transition("p", "cancelled", reason="fill timeout")
    with pytest.raises(IllegalTransition):
        store.record_execution(
            ExecutionRecord(
                exec_id="late", client_order_id="p", quantity=1, price=180, commission=0, executed_at=T0
            )
        )


def test_positions_reconcile_with_diffs(store: OrderStore) -> None:
    assert store.reconcile_positions("DU123456", {"AAPL": (100, 180.0), "MSFT": (5, 400.0)}, "broker") == {
        "AAPL": (0.0, 100.0),
        "MSFT": (0.0, 5.0),
    }
    assert store.reconcile_positions("DU123456", {"AAPL": (100, 180.0)}, "broker") == {"MSFT": (5.0, 0.0)}
    assert store.positions("DU123456") == {"AAPL": 100.0}


def test_advisory_lock_is_exclusive(pg_url: str, store: OrderStore) -> None:
    other = OrderStore.open(pg_url, actor="other")
    try:
        assert store.try_lock("DU123456")
        assert not other.try_lock("DU123456")
        assert other.try_lock("DU999999")
        store.unlock("DU123456")
        assert other.try_lock("DU123456")
    finally:
        other.close()
