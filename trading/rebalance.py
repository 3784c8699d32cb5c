"""The rebalance job: targets -> orders -> risk checks -> broker -> fills, all recorded in the order store.

Run it as its own process (``python -m trading.rebalance``) so ib_async's event loop is isolated; the Dagster
job launches exactly that. Dry-run is the default (orders computed and checked, never sent, nothing written
to the orders table); ``--mode paper`` trades the sim broker or an IBKR paper account (IBKR_ACCOUNT); live
trading needs ``--live`` AND ``AIHF_LIVE_TRADING=I_UNDERSTAND`` and is refused otherwise. With the kill switch
on (``TRADING_KILL_SWITCH=on`` or ``python -m trading.killswitch on``) nothing is placed (checked again before
every order). Names whose last close is flagged, stale, not positive or beyond the collar around the median of
the closes before it are not sized (trading/pricing.py); orders go out as marketable limit orders unless
``TRADING_ORDER_TYPE=market``. One run per account at a time: a PostgreSQL advisory lock; a second run reports
"locked" and trades nothing.

Exit codes: 0 completed (also dry-run, kill switch, or completed with rejected/unfilled orders), 1 failed or
incomplete (broker lost), 2 refused (mode guards), 3 locked (another run in progress).
"""

from __future__ import annotations

import asyncio
import sys
import uuid
from collections.abc import Callable, Sequence
from datetime import UTC, date, datetime, time
from typing import Any, Literal

import msgspec

from lake.storage import Lake
from trading.broker.base import Broker, BrokerDisconnected, OrderRequest, OrderUpdate
from trading.killswitch import stop_reason
from trading.oms.store import ExecutionRecord, IllegalTransition, NewOrder, OrderStore
from trading.orders import limit_price, orders_from_targets
from trading.prices import LakePrices
from trading.pricing import price_points, screen
from trading.risk import NEW_YORK, Breach, RiskDecision, check_orders, load_limits
from trading.run_config import RunConfig, config_from_args, is_paper_account, refusal
from trading.run_report import OrderLine, RunReport, RunStatus
from trading.targets import TargetSource, load_target_source

__all__ = [
    "OrderLine",
    "Rebalance",
    "RunConfig",
    "RunReport",
    "RunStatus",
    "config_from_args",
    "is_paper_account",
    "main",
    "refusal",
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


def client_order_id(account: str, day: date, ticker: str, side: str, quantity: int) -> str:
    """The id of an order: the same plan on the same day gets the same id, so it is never placed twice."""
    return f"{account}-{day:%Y%m%d}-{ticker}-{side}-{quantity}"


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
        #: ticker -> (order type, limit price) of the accepted orders
        self.terms: dict[str, tuple[Literal["MKT", "LMT"], float | None]] = {}

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
        today = self.clock.astimezone(NEW_YORK).date()
        quotes = await broker.quotes(sorted(tickers))
        points = price_points(prices, tickers, self.as_of, limits.reference_closes, quotes)
        usable, refused = screen(points, today=today, limits=limits)
        last = {t: p.close for t, p in usable.items()}
        reference = {t: p.reference for t, p in usable.items() if p.reference is not None}
        centres = {t: c for t, p in usable.items() if (c := p.limit_reference) is not None}
        plan = orders_from_targets(
            report.targets,
            positions,
            last,
            snapshot.net_liquidation,
            cash_buffer_pct=limits.cash_buffer_pct,
            lot_size=limits.lot_size,
        )
        report.skipped = dict(plan.skipped)
        for ticker, breaches in refused.items():  # a bad price sizes nothing: the name is refused, named
            report.skipped[ticker] = "; ".join(b.text for b in breaches)
            report.risk_rejections[ticker] = [_breach_row(b) for b in breaches]
            self.event(f"{ticker} not traded ({points[ticker].reference_source}): {report.skipped[ticker]}")
        # held names whose close is refused are valued at their reference (exposure is not under-counted)
        valuation = {t: p.reference for t, p in points.items() if p.reference is not None} | last
        # the turnover limit is a real-time control: orders created since midnight New York (wall clock)
        day_start = datetime.combine(datetime.now(NEW_YORK).date(), time(0), tzinfo=NEW_YORK)
        decisions = check_orders(
            plan.orders,
            limits=limits,
            positions=positions,
            prices=valuation,
            reference=reference,
            equity=snapshot.net_liquidation,
            traded_today=store.traded_notional_since(cfg.account, day_start),
            now=self.clock,
            price_dates={t: p.date for t, p in usable.items()},
            price_flags={t: p.flags for t, p in usable.items()},
            quotes=quotes,
        )
        self.terms = {
            d.order.ticker: self._terms(d, centres, limits.price_collar_pct) for d in decisions if d.accepted
        }
        lines = {self._id(d): self._line(d) for d in decisions}
        report.orders = list(lines.values())
        for d in decisions:
            if not d.accepted:
                report.risk_rejections[d.order.ticker] = [_breach_row(b) for b in d.breaches]
        why = stop_reason(store)
        if cfg.mode == "dry-run" or why:
            report.status = "dry-run" if cfg.mode == "dry-run" else "kill-switch"
            if report.status == "kill-switch":
                self.event(f"{why}: no order placed")
            for line in lines.values():
                line.status = "planned" if not line.reason else "rejected"
            store.audit(
                f"run.{report.status}",
                account_id=cfg.account,
                subject=report.run_id,
                details={
                    "orders": [msgspec.to_builtins(line) for line in lines.values()],
                    "refused": dict(report.risk_rejections),
                },
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
                **self._order_terms(d),
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
            clean = statuses <= {"filled"} and not refused
            report.status = "completed" if clean else "completed-with-issues"
        events = getattr(broker, "events", [])
        report.events[:0] = [f"broker: {e}" for e in events]

    def _id(self, d: RiskDecision) -> str:
        return client_order_id(self.cfg.account, self.as_of, d.order.ticker, d.order.side, d.order.quantity)

    def _terms(
        self, d: RiskDecision, reference: dict[str, float], collar_pct: float
    ) -> tuple[Literal["MKT", "LMT"], float | None]:
        """Market, or (the default) a marketable limit at the collar reference +/- the collar."""
        if self.cfg.settings.trading_order_type == "market":
            return "MKT", None
        return "LMT", limit_price(d.order.side, reference[d.order.ticker], collar_pct)

    def _order_terms(self, d: RiskDecision) -> dict[str, Any]:
        """order_type and limit_price of an accepted order (a rejected one is recorded as planned: MKT)."""
        order_type, limit = self.terms.get(d.order.ticker, ("MKT", None))
        return {"order_type": order_type, "limit_price": limit}

    def _line(self, d: RiskDecision) -> OrderLine:
        return OrderLine(
            client_order_id=self._id(d),
            ticker=d.order.ticker,
            side=d.order.side,
            quantity=d.order.quantity,
            ref_price=d.order.ref_price,
            status="new" if d.accepted else "rejected",
            reason=d.reason,
            **self._order_terms(d),
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
            why = stop_reason(store)
            if why:
                self.event(f"kill switch: {why}: {len(decisions) - n} order(s) not placed")
                for rest in decisions[n:]:
                    store.transition(self._id(rest), "cancelled", reason="kill switch: not placed")
                return
            request = OrderRequest(
                client_order_id=cid,
                account=self.cfg.account,
                ticker=d.order.ticker,
                side=d.order.side,
                quantity=d.order.quantity,
                **self._order_terms(d),
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


def _breach_row(b: Breach) -> dict[str, Any]:
    """A breach as the report's JSON row."""
    return {
        "limit": b.limit,
        "value": b.value,
        "threshold": b.threshold,
        "excess": b.excess,
        "message": b.message,
    }


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
