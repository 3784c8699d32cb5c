"""What a rebalance run did: one line per order and the run's report (printed, and stored in ``trading.runs``)."""

from __future__ import annotations

from typing import Any, Literal

import msgspec

RunStatus = Literal[
    "dry-run",
    "kill-switch",
    "completed",
    "completed-with-issues",
    "incomplete",
    "locked",
    "refused",
    "failed",
]


class OrderLine(msgspec.Struct, kw_only=True):
    """One order of the run as the report shows it."""

    client_order_id: str
    ticker: str
    side: str
    quantity: float
    ref_price: float
    status: str
    order_type: str = "MKT"
    limit_price: float | None = None
    filled_quantity: float = 0.0
    avg_fill_price: float | None = None
    commission: float = 0.0
    reason: str = ""


class RunReport(msgspec.Struct, kw_only=True):
    """What a run did; printed at the end and stored in ``trading.runs.report``."""

    run_id: str
    mode: str
    broker: str
    account: str
    as_of: str
    status: RunStatus = "failed"
    started_at: str = ""
    finished_at: str = ""
    equity: float | None = None
    cash: float | None = None
    targets: dict[str, float] = {}
    orders: list[OrderLine] = []
    risk_rejections: dict[str, list[dict[str, Any]]] = {}
    skipped: dict[str, str] = {}
    events: list[str] = []
    positions_after: dict[str, float] = {}
    lake_versions: dict[str, int | None] = {}

    def text(self) -> str:
        """The report as a small table."""
        lines = [
            f"rebalance {self.run_id}: {self.status}",
            f"  mode {self.mode} · broker {self.broker} · account {self.account} · as of {self.as_of}",
        ]
        if self.equity is not None:
            lines.append(f"  equity {self.equity:,.2f} USD · cash {self.cash or 0:,.2f} USD")
        if self.orders:
            lines.append(
                f"  {'order':<34} {'side':<4} {'qty':>8} {'ref':>10} {'limit':>10} {'status':<17} "
                f"{'filled':>8} {'avg':>10}"
            )
            for o in self.orders:
                avg = f"{o.avg_fill_price:10.4f}" if o.avg_fill_price else f"{'':>10}"
                limit = f"{o.limit_price:10.4f}" if o.limit_price is not None else f"{'MKT':>10}"
                lines.append(
                    f"  {o.client_order_id:<34} {o.side:<4} {o.quantity:>8g} {o.ref_price:>10.4f} {limit} "
                    f"{o.status:<17} {o.filled_quantity:>8g} {avg}" + (f"  {o.reason}" if o.reason else "")
                )
        else:
            lines.append("  no orders")
        for ticker, reason in self.skipped.items():
            lines.append(f"  skipped {ticker}: {reason}")
        lines += [f"  event: {e}" for e in self.events]
        if self.positions_after:
            held = ", ".join(f"{t} {q:g}" for t, q in self.positions_after.items())
            lines.append(f"  positions after: {held}")
        return "\n".join(lines)
