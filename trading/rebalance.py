"""The rebalance job: targets -> orders -> risk checks -> broker -> fills, all recorded in the order store.

Run it as its own process (``python -m trading.rebalance``) so ib_async's event loop is isolated; the Dagster
job launches exactly that. Dry-run is the default (orders computed and checked, never sent, nothing written
to the orders table); ``--mode paper`` trades the sim broker or an IBKR paper account (IBKR_ACCOUNT); live
trading needs ``--live`` AND ``AIHF_LIVE_TRADING=I_UNDERSTAND`` and is refused otherwise. With
``TRADING_KILL_SWITCH=on`` nothing is placed (checked again before every order). One run per account at a
time: a PostgreSQL advisory lock; a second run reports "locked" and trades nothing.

Exit codes: 0 completed (also dry-run, kill switch, or completed with rejected/unfilled orders), 1 failed or
incomplete (broker lost), 2 refused (mode guards), 3 locked (another run in progress).
"""

from __future__ import annotations

import argparse
import asyncio
import getpass
import socket
import sys
import uuid
from collections.abc import Callable, Sequence
from datetime import UTC, date, datetime, time
from typing import Any, Literal

import msgspec

from lake.settings import Settings
from lake.storage import Lake
from trading.broker.base import Broker, BrokerDisconnected, OrderRequest, OrderUpdate
from trading.oms.store import ExecutionRecord, IllegalTransition, NewOrder, OrderStore
from trading.orders import orders_from_targets
from trading.prices import LakePrices
from trading.risk import NEW_YORK, RiskDecision, check_orders, load_limits
from trading.targets import TargetSource, load_target_source

LIVE_CONFIRMATION = "I_UNDERSTAND"
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
EXIT_CODES: dict[str, int] = {
    "dry-run": 0,
    "kill-switch": 0,
    "completed": 0,
    "completed-with-issues": 0,
    "failed": 1,
    "incomplete": 1,
    "refused": 2,
    "locked": 3,
}


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


class OrderLine(msgspec.Struct, kw_only=True):
    """One order of the run as the report shows it."""

    client_order_id: str
    ticker: str
    side: str
    quantity: float
    ref_price: float
    status: str
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
                f"  {'order':<34} {'side':<4} {'qty':>8} {'ref':>10} {'status':<17} {'filled':>8} {'avg':>10}"
            )
            for o in self.orders:
                avg = f"{o.avg_fill_price:10.4f}" if o.avg_fill_price else f"{'':>10}"
                lines.append(
                    f"  {o.client_order_id:<34} {o.side:<4} {o.quantity:>8g} {o.ref_price:>10.4f} "
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


def client_order_id(account: str, day: date, ticker: str, side: str, quantity: int) -> str:
    """The id of an order: the same plan on the same day gets the same id, so it is never placed twice."""
    return f"{account}-{day:%Y%m%d}-{ticker}-{side}-{quantity}"


def _kill_switch_on() -> bool:
    """Read TRADING_KILL_SWITCH now (it may be turned on while a run is placing orders)."""
    return Settings.from_env().trading_kill_switch


BrokerFactory = Callable[[RunConfig, OrderStore, LakePrices, date], Broker]


def default_broker(cfg: RunConfig, store: OrderStore, prices: LakePrices, as_of: date) -> Broker:
    """The sim broker (seeded from the order store) or IBKR, as configured."""
    s = cfg.settings
    if cfg.broker == "sim":
        from trading.broker.sim import SimBroker

        return SimBroker(
            cfg.account,
            prices,
            as_of,
            cash=s.trading_sim_cash + store.net_cash_flow(cfg.account),
            positions=store.positions(cfg.account),
            slippage_bps=s.trading_slippage_bps,
        )
    from trading.broker.ibkr import IbkrBroker

    return IbkrBroker(s.ibkr_host, s.ibkr_port, s.ibkr_client_id, cfg.account, is_paper=cfg.mode != "live")


class Rebalance:
    """One run (use :func:`run`)."""

    def __init__(
        self,
        cfg: RunConfig,
        *,
        source: TargetSource | None = None,
        broker_factory: BrokerFactory = default_broker,
        clock: datetime | None = None,
    ) -> None:
        """A run of ``cfg``; ``source``, ``broker_factory`` and ``clock`` (placement time) replace the defaults."""
        self.cfg = cfg
        self.source = source
        self.broker_factory = broker_factory
        started = datetime.now(UTC)
        if clock is not None:
            self.clock = clock
        elif cfg.as_of is not None:  # a replayed day trades at its 09:30 New York open
            self.clock = datetime.combine(cfg.as_of, time(9, 30), tzinfo=NEW_YORK).astimezone(UTC)
        else:
            self.clock = started
        self.as_of = cfg.as_of or self.clock.astimezone(NEW_YORK).date()
        self.report = RunReport(
            run_id=f"rb-{started:%Y%m%dT%H%M%S}-{uuid.uuid4().hex[:6]}",
            mode=cfg.mode,
            broker=cfg.broker,
            account=cfg.account,
            as_of=self.as_of.isoformat(),
            started_at=started.isoformat(timespec="seconds"),
        )
        self.store: OrderStore | None = None
        self.broker: Broker | None = None

    def event(self, text: str) -> None:
        """Note something the report must tell."""
        self.report.events.append(text)

    async def run(self) -> RunReport:
        """Do the run; never raises (a failure is the report's status)."""
        report = self.report
        why = refusal(self.cfg)
        try:
            self.store = OrderStore.open(self.cfg.settings.pg_url, self.cfg.actor)
        except Exception as exc:  # the store is where everything is recorded: without it nothing happens
            report.status = "failed"
            self.event(f"order store unavailable: {exc}")
            return self._finish()
        store = self.store
        try:
            if why:
                report.status = "refused"
                self.event(f"refused: {why}")
                store.audit(
                    "run.refused", account_id=self.cfg.account or None, subject=report.run_id, reason=why
                )
                return self._finish()
            store.ensure_account(self.cfg.account, self.cfg.broker, is_paper=is_paper_account(self.cfg))
            locked = self.cfg.mode != "dry-run"
            if locked and not store.try_lock(self.cfg.account):
                report.status = "locked"
                self.event(f"another rebalance of {self.cfg.account} is in progress: nothing done")
                store.audit("run.locked", account_id=self.cfg.account, subject=report.run_id)
                return self._finish()
            try:
                await self._run(store)
            finally:
                if locked:
                    store.unlock(self.cfg.account)
        except Exception as exc:
            report.status = "failed"
            self.event(f"failed: {type(exc).__name__}: {exc}")
            try:
                store.audit(
                    "run.failed", account_id=self.cfg.account or None, subject=report.run_id, reason=str(exc)
                )
            except Exception as audit_exc:
                self.event(f"could not audit the failure: {audit_exc}")
        finally:
            if self.broker is not None:
                await self.broker.disconnect()
            if store.run_id == report.run_id:
                try:
                    store.finish_run(report.run_id, report.status, msgspec.to_builtins(report))
                except Exception as exc:
                    self.event(f"could not store the report: {exc}")
            store.close()
        return self._finish()

    def _finish(self) -> RunReport:
        self.report.finished_at = datetime.now(UTC).isoformat(timespec="seconds")
        return self.report

    async def _run(self, store: OrderStore) -> None:
        cfg, report = self.cfg, self.report
        s = cfg.settings
        limits = load_limits(s.trading_risk_limits)
        lake = Lake.from_settings(s)
        prices = LakePrices(lake)
        source = self.source or load_target_source(s.trading_strategy, s.trading_universe, lake)
        report.targets = dict(sorted(source(self.clock).items()))
        versions: dict[str, int | None] = {"prices": prices.version()}
        extra = getattr(source, "lake_versions", None)
        if callable(extra):
            versions.update(extra())
        report.lake_versions = versions
        store.start_run(report.run_id, cfg.account, cfg.mode, versions)

        self.broker = broker = self.broker_factory(cfg, store, prices, self.as_of)
        await broker.connect()
        held = await broker.positions()
        store.reconcile_positions(
            cfg.account, {p.ticker: (p.quantity, p.avg_cost) for p in held}, broker.name
        )
        positions = {p.ticker: p.quantity for p in held}
        snapshot = await broker.account()
        report.equity, report.cash = snapshot.net_liquidation, snapshot.cash

        tickers = set(report.targets) | set(positions)
        prices.load(tickers, self.as_of.year - 5, self.as_of.year)
        last: dict[str, float] = {}
        price_dates: dict[str, date] = {}
        for ticker in sorted(tickers):
            bar = prices.last_before(ticker, self.as_of)  # the latest close known during the session
            if bar is None:
                continue
            last[ticker], price_dates[ticker] = bar.close, bar.date
        plan = orders_from_targets(
            report.targets,
            positions,
            last,
            snapshot.net_liquidation,
            cash_buffer_pct=limits.cash_buffer_pct,
            lot_size=limits.lot_size,
        )
        report.skipped = dict(plan.skipped)
        # the turnover limit is a real-time control: orders created since midnight New York (wall clock)
        day_start = datetime.combine(datetime.now(NEW_YORK).date(), time(0), tzinfo=NEW_YORK)
        decisions = check_orders(
            plan.orders,
            limits=limits,
            positions=positions,
            prices=last,
            last_close=last,
            equity=snapshot.net_liquidation,
            traded_today=store.traded_notional_since(cfg.account, day_start),
            now=self.clock,
            price_dates=price_dates,
        )
        lines = {self._id(d): self._line(d) for d in decisions}
        report.orders = list(lines.values())
        for d in decisions:
            if not d.accepted:
                report.risk_rejections[d.order.ticker] = [
                    {"limit": b.limit, "value": b.value, "threshold": b.threshold, "excess": b.excess}
                    for b in d.breaches
                ]
        if cfg.mode == "dry-run" or _kill_switch_on():
            report.status = "dry-run" if cfg.mode == "dry-run" else "kill-switch"
            if report.status == "kill-switch":
                self.event("TRADING_KILL_SWITCH is on: no order placed")
            for line in lines.values():
                line.status = "planned" if not line.reason else "rejected"
            store.audit(
                f"run.{report.status}",
                account_id=cfg.account,
                subject=report.run_id,
                details={"orders": [msgspec.to_builtins(line) for line in lines.values()]},
            )
            return

        to_send: list[RiskDecision] = []
        for d in decisions:
            cid = self._id(d)
            new = NewOrder(
                client_order_id=cid,
                account_id=cfg.account,
                run_id=report.run_id,
                ticker=d.order.ticker,
                side=d.order.side,
                quantity=d.order.quantity,
                ref_price=d.order.ref_price,
            )
            stored, created = store.submit_new(new, reason="" if d.accepted else "risk")
            if not d.accepted:
                if created:
                    stored = store.transition(cid, "rejected", reason=d.reason)
                lines[cid].status = stored.status
                continue
            if not created and stored.status != "new":
                self.event(f"{cid} was already placed earlier ({stored.status}): not sent again")
                lines[cid].status = stored.status
                continue
            to_send.append(d)
        await self._place(store, broker, to_send, lines)
        await self._wait(store, broker, [self._id(d) for d in to_send], lines)
        try:
            await broker.ensure_connected()
            held = await broker.positions()
            store.reconcile_positions(
                cfg.account, {p.ticker: (p.quantity, p.avg_cost) for p in held}, broker.name
            )
            report.positions_after = {p.ticker: p.quantity for p in held}
        except BrokerDisconnected as exc:
            self.event(f"positions not reconciled after the run: {exc}")
        for cid, line in lines.items():
            if (record := store.get(cid)) is not None:
                line.status, line.filled_quantity = record.status, record.filled_quantity
                line.avg_fill_price = record.avg_fill_price
                line.reason = record.reason
                line.commission = sum(e.commission for e in store.executions(cid))
        statuses = {line.status for line in lines.values()}
        if report.status != "incomplete":
            report.status = "completed" if statuses <= {"filled"} else "completed-with-issues"
        events = getattr(broker, "events", [])
        report.events[:0] = [f"broker: {e}" for e in events]

    def _id(self, d: RiskDecision) -> str:
        return client_order_id(self.cfg.account, self.as_of, d.order.ticker, d.order.side, d.order.quantity)

    def _line(self, d: RiskDecision) -> OrderLine:
        return OrderLine(
            client_order_id=self._id(d),
            ticker=d.order.ticker,
            side=d.order.side,
            quantity=d.order.quantity,
            ref_price=d.order.ref_price,
            status="new" if d.accepted else "rejected",
            reason=d.reason,
        )

    async def _place(
        self,
        store: OrderStore,
        broker: Broker,
        decisions: Sequence[RiskDecision],
        lines: dict[str, OrderLine],
    ) -> None:
        """Send the accepted orders; an order the broker already has is not sent again."""
        known = await broker.known_orders()
        for n, d in enumerate(decisions):
            cid = self._id(d)
            if _kill_switch_on():
                self.event(f"TRADING_KILL_SWITCH turned on: {len(decisions) - n} order(s) not placed")
                for rest in decisions[n:]:
                    store.transition(self._id(rest), "cancelled", reason="kill switch: not placed")
                return
            request = OrderRequest(
                client_order_id=cid,
                account=self.cfg.account,
                ticker=d.order.ticker,
                side=d.order.side,
                quantity=d.order.quantity,
            )
            for attempt in (1, 2):
                try:
                    if await broker.ensure_connected():
                        self.event("reconnected to the broker before placing")
                        known = await broker.known_orders()
                    if cid in known:
                        self.event(f"{cid} is already at the broker: not sent again")
                    else:
                        await broker.place(request)
                    store.transition(cid, "submitted")
                    break
                except BrokerDisconnected as exc:
                    self.event(f"broker lost while placing {cid}: {exc}")
                    if attempt == 2:
                        self.report.status = "incomplete"
                        self.event(
                            f"{cid} is in doubt (it may have reached the broker): left new; the next run today "
                            "reuses its id and sends it only if the broker does not have it"
                        )
                        for rest in decisions[n + 1 :]:
                            store.transition(
                                self._id(rest), "cancelled", reason="broker unreachable: not placed"
                            )
                        return

    async def _wait(
        self, store: OrderStore, broker: Broker, ids: list[str], lines: dict[str, OrderLine]
    ) -> None:
        """Poll fills until every order is done or the timeout; then cancel what is left and poll a little more."""
        loop = asyncio.get_running_loop()
        open_ids = [cid for cid in ids if not self._done(store, cid)]
        deadline = loop.time() + self.cfg.fill_timeout_s
        cancelled_at: float | None = None
        while open_ids:
            try:
                if await broker.ensure_connected():
                    self.event("reconnected to the broker; order states re-read")
                self._apply(store, await broker.updates(open_ids))
            except BrokerDisconnected as exc:
                self.report.status = "incomplete"
                self.event(f"broker lost while waiting for fills: {exc}; still open: {', '.join(open_ids)}")
                return
            open_ids = [cid for cid in open_ids if not self._done(store, cid)]
            if not open_ids:
                return
            now = loop.time()
            if cancelled_at is None and now >= deadline:
                self.event(f"fill timeout ({self.cfg.fill_timeout_s:g} s): cancelling {', '.join(open_ids)}")
                cancelled_at = now
                for cid in open_ids:
                    try:
                        await broker.cancel(cid)
                    except BrokerDisconnected as exc:
                        self.event(f"cancel of {cid} not sent: {exc}")
            elif cancelled_at is not None and now >= cancelled_at + self.cfg.cancel_grace_s:
                self.report.status = "incomplete"
                self.event(f"no cancel confirmation for {', '.join(open_ids)}: left open in the order store")
                return
            await asyncio.sleep(self.cfg.poll_interval_s)

    @staticmethod
    def _done(store: OrderStore, cid: str) -> bool:
        stored = store.get(cid)
        return stored is None or stored.is_terminal

    def _apply(self, store: OrderStore, updates: Sequence[OrderUpdate]) -> None:
        """Record new fills, then cancellations and rejections."""
        for update in updates:
            cid = update.client_order_id
            for fill in update.fills:
                try:
                    store.record_execution(
                        ExecutionRecord(
                            exec_id=fill.exec_id,
                            client_order_id=cid,
                            quantity=fill.quantity,
                            price=fill.price,
                            commission=fill.commission,
                            executed_at=fill.time,
                        )
                    )
                except IllegalTransition as exc:
                    self.event(f"fill {fill.exec_id} not recorded: {exc}")
            stored = store.get(cid)
            if stored is None or stored.is_terminal:
                continue
            if update.status in ("cancelled", "rejected"):
                status = (
                    "rejected"
                    if update.status == "rejected" and stored.status == "submitted"
                    else "cancelled"
                )
                why = update.message or update.status
                if update.error_code:
                    why = f"broker error {update.error_code}: {why}"
                store.transition(cid, status, reason=why)  # type: ignore[arg-type]


def config_from_args(argv: Sequence[str] | None = None, settings: Settings | None = None) -> RunConfig:
    """Parse the command line over the settings."""
    s = settings or Settings.from_env()
    parser = argparse.ArgumentParser(prog="python -m trading.rebalance", description=__doc__.split("\n\n")[0])
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


def main(argv: Sequence[str] | None = None) -> int:
    """Run one rebalance from the command line; print the report; return the exit code."""
    args = list(sys.argv[1:] if argv is None else argv)
    cfg = config_from_args(args)
    report = asyncio.run(Rebalance(cfg).run())
    if "--json" in args:
        print(msgspec.json.encode(report).decode())
    else:
        print(report.text())
    return EXIT_CODES[report.status]


if __name__ == "__main__":
    raise SystemExit(main())
