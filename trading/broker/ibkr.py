"""The IBKR broker: TWS / IB Gateway through ib_async's async API, with reconnects.

The client order id travels as the order's ``orderRef``, so after a reconnect (ib_async forgets its trades)
the open orders and executions the startup sync fetches are matched back to our orders; an order the broker
already knows is never sent again. Fills are reported once their commission report has arrived.
"""

from __future__ import annotations

import asyncio
import logging
import math
from collections.abc import Sequence

from ib_async import IB, Contract, LimitOrder, MarketOrder, Order, Stock, Trade
from ib_async.ib import StartupFetch
from ib_async.order import OrderStatus

from trading.broker.base import (
    AccountSnapshot,
    BrokerDisconnected,
    BrokerFill,
    BrokerPosition,
    BrokerStatus,
    OrderRequest,
    OrderUpdate,
)

log = logging.getLogger(__name__)

#: what the connection fetches on (re)connect: positions, open orders, and the day's executions
STARTUP_FETCH = StartupFetch.POSITIONS | StartupFetch.ORDERS_OPEN | StartupFetch.EXECUTIONS
#: IBKR error code of "Order Canceled - reason:" (a cancellation, not a rejection)
CANCELLED_CODE = 202
DONE_STATES = {OrderStatus.Cancelled, OrderStatus.ApiCancelled, OrderStatus.Inactive}


class IbkrBroker:
    """One IBKR account through TWS or IB Gateway."""

    name = "ibkr"

    def __init__(
        self,
        host: str,
        port: int,
        client_id: int,
        account: str,
        *,
        is_paper: bool,
        connect_timeout: float = 10.0,
        reconnect_attempts: int = 5,
        reconnect_delay: float = 1.0,
        ack_timeout: float = 10.0,
        quote_timeout: float = 5.0,
    ) -> None:
        """Trade ``account`` through the TWS/Gateway API at ``host:port`` as API client ``client_id``."""
        if not account:
            raise ValueError("IBKR_ACCOUNT is empty: name the account to trade")
        self.host, self.port, self.client_id, self.account_id = host, port, client_id, account
        self.is_paper = is_paper
        self.connect_timeout = connect_timeout
        self.reconnect_attempts = reconnect_attempts
        self.reconnect_delay = reconnect_delay
        self.ack_timeout = ack_timeout
        self.quote_timeout = quote_timeout
        self.ib = IB()
        #: what happened to the connection (disconnects, reconnects), for the run report
        self.events: list[str] = []
        self._connected_once = False
        #: every trade this broker object has seen, by client order id: ib_async forgets trades on a
        #: disconnect, and an order rejected or cancelled before it is neither open nor filled afterwards
        self._seen: dict[str, Trade] = {}
        self.ib.disconnectedEvent += self._on_disconnected
        self.ib.orderStatusEvent += self._on_status

    def _on_status(self, trade: Trade) -> None:
        if trade.order.orderRef:
            self._seen[trade.order.orderRef] = trade

    def _on_disconnected(self) -> None:
        self.events.append("connection to TWS lost")
        log.warning("IBKR connection lost")

    async def connect(self) -> None:
        """Connect and sync; check the account is managed by this login (and is a paper one in paper mode).

        Raises:
            BrokerDisconnected: TWS/Gateway cannot be reached.
            ValueError: the account is not one of the login's, or a paper run points at a live account.
        """
        if self.ib.isConnected():
            return
        try:
            await self.ib.connectAsync(
                self.host,
                self.port,
                clientId=self.client_id,
                timeout=self.connect_timeout,
                account=self.account_id,
                fetchFields=STARTUP_FETCH,
            )
        except (OSError, TimeoutError, ConnectionError) as exc:
            raise BrokerDisconnected(f"cannot connect to TWS at {self.host}:{self.port}: {exc!r}") from exc
        accounts = self.ib.managedAccounts()
        if self.account_id not in accounts:
            self.ib.disconnect()
            raise ValueError(
                f"account {self.account_id} is not managed by this TWS login ({', '.join(accounts)})"
            )
        if self.is_paper and not self.account_id.startswith("D"):
            self.ib.disconnect()
            raise ValueError(
                f"paper trading refused: {self.account_id} is not a paper account (they start with D)"
            )
        if self._connected_once:
            self.events.append("reconnected to TWS")
        self._connected_once = True

    async def disconnect(self) -> None:
        """Close the connection."""
        self.ib.disconnectedEvent -= self._on_disconnected
        self.ib.orderStatusEvent -= self._on_status
        self.ib.disconnect()

    async def ensure_connected(self) -> bool:
        """Reconnect (with backoff) when the connection dropped; True when a reconnect happened.

        Raises:
            BrokerDisconnected: every attempt failed.
        """
        if self.ib.isConnected():
            return False
        last: Exception | None = None
        for attempt in range(self.reconnect_attempts):
            try:
                await self.connect()
                return True
            except BrokerDisconnected as exc:
                last = exc
                await asyncio.sleep(self.reconnect_delay * 2**attempt)
        self.events.append(f"reconnect failed after {self.reconnect_attempts} attempts")
        raise BrokerDisconnected(f"TWS unreachable after {self.reconnect_attempts} attempts: {last}")

    def _require(self) -> None:
        if not self.ib.isConnected():
            raise BrokerDisconnected("not connected to TWS")

    async def account(self) -> AccountSnapshot:
        """Net liquidation and total cash from the account summary."""
        self._require()
        values = await self.ib.accountSummaryAsync(self.account_id)
        found = {
            v.tag: float(v.value) for v in values if v.currency in ("USD", "BASE", "") and _number(v.value)
        }
        missing = {"NetLiquidation", "TotalCashValue"} - set(found)
        if missing:
            raise ValueError(f"account summary of {self.account_id} lacks {', '.join(sorted(missing))}")
        return AccountSnapshot(
            account=self.account_id, net_liquidation=found["NetLiquidation"], cash=found["TotalCashValue"]
        )

    async def positions(self) -> list[BrokerPosition]:
        """Stock positions of the account (by symbol)."""
        self._require()
        reported = await self.ib.reqPositionsAsync()
        return sorted(
            (
                BrokerPosition(ticker=p.contract.symbol, quantity=p.position, avg_cost=p.avgCost)
                for p in reported
                if p.account == self.account_id and p.position and p.contract.secType == "STK"
            ),
            key=lambda p: p.ticker,
        )

    async def quotes(self, tickers: Sequence[str]) -> dict[str, float]:
        """Snapshot quotes: the last price (the bid/ask midpoint when the last lies outside them) of each ticker.

        A ticker TWS gives no usable price for (no market data subscription: error 354; nothing within
        ``quote_timeout``, contract lookup included) is left out; the rebalance then checks against the lake's
        reference alone.
        """
        self._require()
        if not tickers:
            return {}
        try:
            async with asyncio.timeout(self.quote_timeout):
                qualified = await self.ib.qualifyContractsAsync(*[Stock(t, "SMART", "USD") for t in tickers])
                contracts = [c for c in qualified if isinstance(c, Contract) and c.conId]
                found = await self.ib.reqTickersAsync(*contracts) if contracts else []
        except (TimeoutError, ConnectionError) as exc:
            self.events.append(f"no quotes from TWS ({type(exc).__name__}): the lake reference alone is used")
            return {}
        quotes: dict[str, float] = {}
        for ticker in found:
            price = ticker.marketPrice()
            if price is not None and math.isfinite(price) and price > 0:
                quotes[ticker.contract.symbol] = float(price)  # type: ignore[union-attr]
        return quotes

    def _trades(self) -> dict[str, Trade]:
        """Trades by client order id: this connection's, else the last seen before a reconnect."""
        current = {t.order.orderRef: t for t in self.ib.trades() if t.order.orderRef}
        self._seen.update(current)
        return {**self._seen, **current}

    async def known_orders(self) -> set[str]:
        """Client order ids (orderRef) the broker has: open, filled, or acknowledged before a reconnect."""
        self._require()
        current = {t.order.orderRef for t in self.ib.trades() if t.order.orderRef}
        filled = {f.execution.orderRef for f in self.ib.fills() if f.execution.orderRef}
        acknowledged = {
            ref
            for ref, t in self._seen.items()
            if t.orderStatus.status != OrderStatus.PendingSubmit or any(e.errorCode for e in t.log)
        }
        return current | filled | acknowledged

    async def place(self, order: OrderRequest) -> None:
        """Send a DAY limit (or market) order on SMART routing, orderRef = client order id.

        Raises:
            ValueError: a limit order without a finite positive limit price (never sent as a market order).
        """
        self._require()
        contract = Stock(order.ticker, "SMART", "USD")
        if order.order_type == "LMT":
            if order.limit_price is None or not math.isfinite(order.limit_price) or order.limit_price <= 0:
                raise ValueError(
                    f"limit order {order.client_order_id} has no usable limit ({order.limit_price})"
                )
            ib_order: Order = LimitOrder(order.side, order.quantity, order.limit_price)
        else:
            ib_order = MarketOrder(order.side, order.quantity)
        ib_order.account = self.account_id
        ib_order.orderRef = order.client_order_id
        ib_order.tif = "DAY"
        trade = self.ib.placeOrder(contract, ib_order)
        self._seen[order.client_order_id] = trade
        # wait for TWS to acknowledge (or reject) it: an order whose connection dropped before that is in
        # doubt, and the caller must look it up after reconnecting instead of assuming it arrived
        loop = asyncio.get_running_loop()
        deadline = loop.time() + self.ack_timeout
        while trade.orderStatus.status == OrderStatus.PendingSubmit and not any(
            e.errorCode for e in trade.log
        ):
            if not self.ib.isConnected():
                raise BrokerDisconnected(f"connection lost before TWS acknowledged {order.client_order_id}")
            if loop.time() > deadline:
                raise BrokerDisconnected(
                    f"no acknowledgement of {order.client_order_id} in {self.ack_timeout:g} s"
                )
            await asyncio.sleep(0.01)

    async def cancel(self, client_order_id: str) -> None:
        """Cancel the order's remainder (when it is still working)."""
        self._require()
        trade = self._trades().get(client_order_id)
        if trade is not None and not trade.isDone():
            self.ib.cancelOrder(trade.order)

    async def updates(self, client_order_ids: Sequence[str]) -> list[OrderUpdate]:
        """Status and fills (with commissions) of the given orders, as this connection knows them."""
        self._require()
        trades = self._trades()
        fills: dict[str, dict[str, BrokerFill]] = {}
        for fill in self.ib.fills():
            ref = fill.execution.orderRef
            if not ref or not fill.commissionReport.execId:
                continue
            fills.setdefault(ref, {})[fill.execution.execId] = BrokerFill(
                exec_id=fill.execution.execId,
                client_order_id=ref,
                quantity=fill.execution.shares,
                price=fill.execution.price,
                commission=fill.commissionReport.commission,
                time=fill.execution.time,
            )
        result = []
        for cid in client_order_ids:
            own = tuple(sorted(fills.get(cid, {}).values(), key=lambda f: f.exec_id))
            filled = sum(f.quantity for f in own)
            trade = trades.get(cid)
            status: BrokerStatus = "unknown"
            message, code = "", None
            if trade is not None:
                errors = [e for e in trade.log if e.errorCode]
                if errors:
                    message, code = errors[-1].message, errors[-1].errorCode
                state = trade.orderStatus.status
                if state == OrderStatus.Filled or (filled and filled >= trade.order.totalQuantity):
                    status = "filled"
                elif state in DONE_STATES:
                    rejected = code is not None and code != CANCELLED_CODE and not filled
                    status = "rejected" if rejected else "cancelled"
                else:
                    status = "partially_filled" if filled else "submitted"
            result.append(
                OrderUpdate(
                    client_order_id=cid,
                    status=status,
                    filled_quantity=filled,
                    fills=own,
                    message=message,
                    error_code=code,
                )
            )
        return result


def _number(text: str) -> bool:
    try:
        float(text)
    except ValueError:
        return False
    return True
