"""The order store: accounts, runs, orders with their state machine, executions, positions, audit rows.

Every change is one transaction that also writes its audit row (who, when, why, the lake table versions the
run read). Orders are keyed by the client order id: submitting the same id again returns the stored order
(idempotent), submitting it with different terms is refused. Illegal status transitions are refused.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import UTC, datetime
from typing import Any, Literal

import msgspec
import psycopg
from psycopg.rows import dict_row
from psycopg.types.json import Jsonb

from trading.oms.migrate import ensure_database, migrate

Status = Literal["new", "submitted", "partially_filled", "filled", "cancelled", "rejected"]
TERMINAL: frozenset[str] = frozenset({"filled", "cancelled", "rejected"})
#: status -> the statuses it may move to (a status may repeat only for partial fills)
TRANSITIONS: dict[str, frozenset[str]] = {
    "new": frozenset({"submitted", "rejected", "cancelled"}),
    "submitted": frozenset({"partially_filled", "filled", "cancelled", "rejected"}),
    "partially_filled": frozenset({"partially_filled", "filled", "cancelled"}),
    "filled": frozenset(),
    "cancelled": frozenset(),
    "rejected": frozenset(),
}


class IllegalTransition(ValueError):
    """An order was asked to move to a status its current status cannot reach."""


class ConflictingOrder(ValueError):
    """A client order id was submitted again with different terms."""


class NewOrder(msgspec.Struct, frozen=True, kw_only=True):
    """The terms of an order as first recorded."""

    client_order_id: str
    account_id: str
    run_id: str | None
    ticker: str
    side: Literal["BUY", "SELL"]
    quantity: float
    ref_price: float | None = None
    order_type: str = "MKT"
    limit_price: float | None = None


class OrderRecord(msgspec.Struct, frozen=True, kw_only=True):
    """An order as stored."""

    client_order_id: str
    account_id: str
    run_id: str | None
    ticker: str
    side: Literal["BUY", "SELL"]
    quantity: float
    order_type: str
    limit_price: float | None
    ref_price: float | None
    status: Status
    filled_quantity: float
    avg_fill_price: float | None
    reason: str

    @property
    def is_terminal(self) -> bool:
        """Filled, cancelled or rejected."""
        return self.status in TERMINAL


class KillSwitch(msgspec.Struct, frozen=True, kw_only=True):
    """The order store's kill switch: engaged or not, why, by whom, since when."""

    engaged: bool
    reason: str
    set_by: str
    set_at: datetime


class ExecutionRecord(msgspec.Struct, frozen=True, kw_only=True):
    """One fill of an order (exec_id is the broker's execution id)."""

    exec_id: str
    client_order_id: str
    quantity: float
    price: float
    commission: float
    executed_at: datetime


def _record(row: Mapping[str, Any]) -> OrderRecord:
    """An order row as a record (numerics as floats)."""
    return OrderRecord(
        client_order_id=row["client_order_id"],
        account_id=row["account_id"],
        run_id=row["run_id"],
        ticker=row["ticker"],
        side=row["side"],
        quantity=float(row["quantity"]),
        order_type=row["order_type"],
        limit_price=row["limit_price"],
        ref_price=row["ref_price"],
        status=row["status"],
        filled_quantity=float(row["filled_quantity"]),
        avg_fill_price=row["avg_fill_price"],
        reason=row["reason"],
    )


class OrderStore:
    """The order store over one PostgreSQL connection (autocommit; each change is its own transaction)."""

    def __init__(self, conn: psycopg.Connection[dict[str, Any]], actor: str) -> None:
        """Use an open connection (``row_factory=dict_row``); ``actor`` is written into every audit row."""
        self.conn = conn
        self.actor = actor
        self.run_id: str | None = None
        self.lake_versions: dict[str, int | None] = {}

    @classmethod
    def open(cls, url: str, actor: str) -> OrderStore:
        """Create the database if needed, apply the migrations and connect."""
        ensure_database(url)
        migrate(url)
        return cls(psycopg.connect(url, autocommit=True, row_factory=dict_row), actor)

    def close(self) -> None:
        """Close the connection (releasing any advisory lock it holds)."""
        self.conn.close()

    def _audit(
        self,
        action: str,
        *,
        account_id: str | None = None,
        subject: str = "",
        reason: str = "",
        details: Mapping[str, Any] | None = None,
    ) -> None:
        """Write one audit row (inside the caller's transaction)."""
        self.conn.execute(
            "INSERT INTO trading.audit (actor, action, account_id, run_id, subject, reason, details, lake_versions)"
            " VALUES (%s, %s, %s, %s, %s, %s, %s, %s)",
            (
                self.actor,
                action,
                account_id,
                self.run_id,
                subject,
                reason,
                Jsonb(dict(details or {})),
                Jsonb(self.lake_versions),
            ),
        )

    def audit(
        self,
        action: str,
        *,
        account_id: str | None = None,
        subject: str = "",
        reason: str = "",
        details: Mapping[str, Any] | None = None,
    ) -> None:
        """Record an action that changes no order (a refusal, a disconnect, a reconnect...)."""
        with self.conn.transaction():
            self._audit(action, account_id=account_id, subject=subject, reason=reason, details=details)

    def ensure_account(self, account_id: str, broker: str, is_paper: bool) -> None:
        """Register the account, or check it is registered with the same paper/live flag.

        Raises:
            ValueError: the account is registered with the other paper/live flag.
        """
        with self.conn.transaction():
            row = self.conn.execute(
                "INSERT INTO trading.accounts (account_id, broker, is_paper) VALUES (%s, %s, %s)"
                " ON CONFLICT (account_id) DO NOTHING RETURNING account_id",
                (account_id, broker, is_paper),
            ).fetchone()
            if row:
                self._audit(
                    "account.registered",
                    account_id=account_id,
                    subject=account_id,
                    details={"broker": broker, "is_paper": is_paper},
                )
                return
            stored = self.conn.execute(
                "SELECT is_paper FROM trading.accounts WHERE account_id = %s", (account_id,)
            ).fetchone()
        if stored and stored["is_paper"] != is_paper:
            kind = "paper" if stored["is_paper"] else "live"
            raise ValueError(f"account {account_id} is registered as a {kind} account")

    def start_run(
        self, run_id: str, account_id: str, mode: str, lake_versions: Mapping[str, int | None]
    ) -> None:
        """Record the start of a rebalance run; later audit rows carry its id and lake versions."""
        self.run_id = run_id
        self.lake_versions = dict(lake_versions)
        with self.conn.transaction():
            self.conn.execute(
                "INSERT INTO trading.runs (run_id, account_id, mode) VALUES (%s, %s, %s)",
                (run_id, account_id, mode),
            )
            self._audit("run.started", account_id=account_id, subject=run_id, details={"mode": mode})

    def finish_run(self, run_id: str, status: str, report: Mapping[str, Any]) -> None:
        """Record the end of a run with its report."""
        with self.conn.transaction():
            self.conn.execute(
                "UPDATE trading.runs SET finished_at = now(), status = %s, report = %s WHERE run_id = %s",
                (status, Jsonb(dict(report)), run_id),
            )
            self._audit("run.finished", subject=run_id, reason=status)

    def kill_switch(self) -> KillSwitch:
        """The kill switch as stored now (read fresh each call: a running process sees an operator's change)."""
        row = self.conn.execute("SELECT engaged, reason, set_by, set_at FROM trading.kill_switch").fetchone()
        if row is None:  # the row is created by the migration; a missing one is a damaged store: stop
            return KillSwitch(
                engaged=True, reason="kill switch row missing", set_by="?", set_at=datetime.now(UTC)
            )
        return KillSwitch(**row)

    def set_kill_switch(self, engaged: bool, reason: str) -> KillSwitch:
        """Turn the kill switch on or off (audited as ``killswitch.on`` / ``killswitch.off``, actor and reason)."""
        with self.conn.transaction():
            row = self.conn.execute(
                "INSERT INTO trading.kill_switch (id, engaged, reason, set_by, set_at)"
                " VALUES (true, %s, %s, %s, clock_timestamp())"
                " ON CONFLICT (id) DO UPDATE SET engaged = EXCLUDED.engaged, reason = EXCLUDED.reason,"
                " set_by = EXCLUDED.set_by, set_at = EXCLUDED.set_at"
                " RETURNING engaged, reason, set_by, set_at",
                (engaged, reason, self.actor),
            ).fetchone()
            self._audit(f"killswitch.{'on' if engaged else 'off'}", subject="kill_switch", reason=reason)
        assert row is not None
        return KillSwitch(**row)

    def try_lock(self, account_id: str) -> bool:
        """Take the account's rebalance lock (a session advisory lock); False when another session holds it."""
        row = self.conn.execute(
            "SELECT pg_try_advisory_lock(hashtext('aihf.rebalance'), hashtext(%s)) AS ok", (account_id,)
        ).fetchone()
        return bool(row and row["ok"])

    def unlock(self, account_id: str) -> None:
        """Release the account's rebalance lock."""
        self.conn.execute(
            "SELECT pg_advisory_unlock(hashtext('aihf.rebalance'), hashtext(%s))", (account_id,)
        )

    def get(self, client_order_id: str) -> OrderRecord | None:
        """The stored order, or None."""
        row = self.conn.execute(
            "SELECT * FROM trading.orders WHERE client_order_id = %s", (client_order_id,)
        ).fetchone()
        return _record(row) if row else None

    def orders(self, *, run_id: str | None = None, account_id: str | None = None) -> list[OrderRecord]:
        """Orders of a run or an account, oldest first."""
        rows = self.conn.execute(
            "SELECT * FROM trading.orders WHERE (%(run)s::text IS NULL OR run_id = %(run)s)"
            " AND (%(acct)s::text IS NULL OR account_id = %(acct)s) ORDER BY created_at, client_order_id",
            {"run": run_id, "acct": account_id},
        ).fetchall()
        return [_record(r) for r in rows]

    def submit_new(self, order: NewOrder, *, reason: str = "") -> tuple[OrderRecord, bool]:
        """Record a new order; the same client order id again returns the stored one (created=False).

        Raises:
            ConflictingOrder: the id exists with another account, ticker, side or quantity.
        """
        with self.conn.transaction():
            row = self.conn.execute(
                "INSERT INTO trading.orders (client_order_id, account_id, run_id, ticker, side, quantity,"
                " order_type, limit_price, ref_price, reason) VALUES (%s, %s, %s, %s, %s, %s, %s, %s, %s, %s)"
                " ON CONFLICT (client_order_id) DO NOTHING RETURNING *",
                (
                    order.client_order_id,
                    order.account_id,
                    order.run_id,
                    order.ticker,
                    order.side,
                    order.quantity,
                    order.order_type,
                    order.limit_price,
                    order.ref_price,
                    reason,
                ),
            ).fetchone()
            if row:
                self._audit(
                    "order.new",
                    account_id=order.account_id,
                    subject=order.client_order_id,
                    reason=reason,
                    details=msgspec.to_builtins(order),
                )
                return _record(row), True
        stored = self.get(order.client_order_id)
        assert stored is not None
        terms = (stored.account_id, stored.ticker, stored.side, stored.quantity)
        if terms != (order.account_id, order.ticker, order.side, float(order.quantity)):
            raise ConflictingOrder(
                f"client order id {order.client_order_id} exists as {stored.side} {stored.quantity:g} "
                f"{stored.ticker} on {stored.account_id}"
            )
        self.audit("order.resubmitted", account_id=order.account_id, subject=order.client_order_id)
        return stored, False

    def transition(self, client_order_id: str, status: Status, *, reason: str = "") -> OrderRecord:
        """Move an order to ``status`` (audited).

        Raises:
            KeyError: no such order.
            IllegalTransition: the current status cannot move to ``status``.
        """
        with self.conn.transaction():
            row = self.conn.execute(
                "SELECT * FROM trading.orders WHERE client_order_id = %s FOR UPDATE", (client_order_id,)
            ).fetchone()
            if row is None:
                raise KeyError(f"no order {client_order_id}")
            return self._move(_record(row), status, reason)

    def _move(self, order: OrderRecord, status: Status, reason: str) -> OrderRecord:
        """Check and apply a transition of a row locked by the caller's transaction."""
        if status not in TRANSITIONS[order.status]:
            raise IllegalTransition(
                f"order {order.client_order_id}: {order.status} -> {status} is not allowed"
            )
        row = self.conn.execute(
            "UPDATE trading.orders SET status = %s, reason = CASE WHEN %s = '' THEN reason ELSE %s END,"
            " updated_at = now() WHERE client_order_id = %s RETURNING *",
            (status, reason, reason, order.client_order_id),
        ).fetchone()
        assert row is not None
        self._audit(
            f"order.{status}",
            account_id=order.account_id,
            subject=order.client_order_id,
            reason=reason,
            details={"from": order.status, "filled_quantity": float(row["filled_quantity"])},
        )
        return _record(row)

    def record_execution(self, execution: ExecutionRecord) -> tuple[OrderRecord, bool]:
        """Store a fill once (by exec_id) and move the order to partially_filled or filled.

        Returns:
            The order after the fill, and whether the fill was new.

        Raises:
            KeyError: no such order.
            IllegalTransition: the order is cancelled/rejected/filled and cannot take more fills, or the fill
                would exceed the order's quantity.
        """
        with self.conn.transaction():
            row = self.conn.execute(
                "SELECT * FROM trading.orders WHERE client_order_id = %s FOR UPDATE",
                (execution.client_order_id,),
            ).fetchone()
            if row is None:
                raise KeyError(f"no order {execution.client_order_id}")
            order = _record(row)
            inserted = self.conn.execute(
                "INSERT INTO trading.executions (exec_id, client_order_id, quantity, price, commission, executed_at)"
                " VALUES (%s, %s, %s, %s, %s, %s) ON CONFLICT (exec_id) DO NOTHING RETURNING exec_id",
                (
                    execution.exec_id,
                    execution.client_order_id,
                    execution.quantity,
                    execution.price,
                    execution.commission,
                    execution.executed_at,
                ),
            ).fetchone()
            if not inserted:
                return order, False
            totals = self.conn.execute(
                "SELECT sum(quantity) AS qty, sum(quantity * price) / sum(quantity) AS avg"
                " FROM trading.executions WHERE client_order_id = %s",
                (execution.client_order_id,),
            ).fetchone()
            assert totals is not None
            filled = float(totals["qty"])
            if filled > order.quantity + 1e-9:
                raise IllegalTransition(
                    f"order {order.client_order_id}: fills of {filled:g} exceed the quantity {order.quantity:g}"
                )
            self.conn.execute(
                "UPDATE trading.orders SET filled_quantity = %s, avg_fill_price = %s, updated_at = now()"
                " WHERE client_order_id = %s",
                (filled, float(totals["avg"]), order.client_order_id),
            )
            self._audit(
                "execution",
                account_id=order.account_id,
                subject=order.client_order_id,
                details=msgspec.to_builtins(execution),
            )
            status: Status = "filled" if filled >= order.quantity - 1e-9 else "partially_filled"
            if order.status == "new":
                order = self._move(order, "submitted", "fill before acknowledgement")
            return self._move(msgspec.structs.replace(order, filled_quantity=filled), status, ""), True

    def executions(self, client_order_id: str) -> list[ExecutionRecord]:
        """The fills of an order, oldest first."""
        rows = self.conn.execute(
            "SELECT * FROM trading.executions WHERE client_order_id = %s ORDER BY executed_at, exec_id",
            (client_order_id,),
        ).fetchall()
        return [
            ExecutionRecord(
                exec_id=r["exec_id"],
                client_order_id=r["client_order_id"],
                quantity=float(r["quantity"]),
                price=r["price"],
                commission=r["commission"],
                executed_at=r["executed_at"],
            )
            for r in rows
        ]

    def positions(self, account_id: str) -> dict[str, float]:
        """Positions last reconciled from the broker: ticker -> shares."""
        rows = self.conn.execute(
            "SELECT ticker, quantity FROM trading.positions WHERE account_id = %s ORDER BY ticker",
            (account_id,),
        ).fetchall()
        return {r["ticker"]: float(r["quantity"]) for r in rows}

    def reconcile_positions(
        self, account_id: str, reported: Mapping[str, tuple[float, float | None]], source: str
    ) -> dict[str, tuple[float, float]]:
        """Replace the account's positions with the broker's report; returns ticker -> (stored, reported) diffs."""
        with self.conn.transaction():
            before = {
                r["ticker"]: float(r["quantity"])
                for r in self.conn.execute(
                    "SELECT ticker, quantity FROM trading.positions WHERE account_id = %s FOR UPDATE",
                    (account_id,),
                ).fetchall()
            }
            self.conn.execute("DELETE FROM trading.positions WHERE account_id = %s", (account_id,))
            for ticker, (quantity, avg_cost) in sorted(reported.items()):
                if quantity:
                    self.conn.execute(
                        "INSERT INTO trading.positions (account_id, ticker, quantity, avg_cost, source)"
                        " VALUES (%s, %s, %s, %s, %s)",
                        (account_id, ticker, quantity, avg_cost, source),
                    )
            after = {t: q for t, (q, _) in reported.items() if q}
            diffs = {
                t: (before.get(t, 0.0), after.get(t, 0.0))
                for t in sorted(set(before) | set(after))
                if abs(before.get(t, 0.0) - after.get(t, 0.0)) > 1e-9
            }
            self._audit(
                "positions.reconciled",
                account_id=account_id,
                subject=account_id,
                reason=source,
                details={"positions": after, "changed": {t: list(d) for t, d in diffs.items()}},
            )
        return diffs

    def traded_notional_since(self, account_id: str, since: datetime) -> float:
        """USD notional of the orders sent to the broker since ``since`` (filled part at fill prices, rest at ref)."""
        row = self.conn.execute(
            "SELECT coalesce(sum(filled_quantity * coalesce(avg_fill_price, ref_price, 0)"
            " + CASE WHEN status IN ('submitted', 'partially_filled') THEN (quantity - filled_quantity)"
            " * coalesce(ref_price, 0) ELSE 0 END), 0) AS notional FROM trading.orders"
            " WHERE account_id = %s AND created_at >= %s AND status NOT IN ('new', 'rejected')",
            (account_id, since),
        ).fetchone()
        return float(row["notional"]) if row else 0.0

    def net_cash_flow(self, account_id: str) -> float:
        """Cash the account's fills moved: sells minus buys minus commissions (USD)."""
        row = self.conn.execute(
            "SELECT coalesce(sum(CASE WHEN o.side = 'SELL' THEN 1 ELSE -1 END * e.quantity * e.price"
            " - e.commission), 0) AS flow FROM trading.executions e JOIN trading.orders o USING (client_order_id)"
            " WHERE o.account_id = %s",
            (account_id,),
        ).fetchone()
        return float(row["flow"]) if row else 0.0

    def audit_rows(self, subject: str | None = None) -> list[dict[str, Any]]:
        """Audit rows (of one subject, or all), oldest first."""
        return self.conn.execute(
            "SELECT * FROM trading.audit WHERE (%(s)s::text IS NULL OR subject = %(s)s) ORDER BY audit_id",
            {"s": subject},
        ).fetchall()
