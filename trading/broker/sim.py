"""The sim broker: a paper account that fills at the next available lake price with slippage.

An order placed on a trading day fills at the opening prices of the bars from that day on: each bar fills at most
``participation`` x its volume (so a large order fills over several bars: partial fills), at the open moved
``slippage_bps`` against the order. An order with no bar yet stays open (until cancelled). Positions are
valued at the last close before the trading day.
Commission: ``commission_per_share`` with a minimum per fill (IBKR's fixed US stock rate by default).
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from datetime import UTC, date, datetime, time

from trading.broker.base import (
    AccountSnapshot,
    BrokerFill,
    BrokerPosition,
    BrokerStatus,
    OrderRequest,
    OrderUpdate,
)
from trading.prices import LakePrices


class _SimOrder:
    """State of one sim order."""

    def __init__(self, request: OrderRequest) -> None:
        self.request = request
        self.fills: list[BrokerFill] = []
        self.status: BrokerStatus = "submitted"
        self.message = ""

    @property
    def filled(self) -> float:
        return sum(f.quantity for f in self.fills)


class SimBroker:
    """A paper broker over lake prices (state in memory; the rebalance seeds it from the order store)."""

    name = "sim"
    is_paper = True

    def __init__(
        self,
        account: str,
        prices: LakePrices,
        trade_date: date,
        *,
        cash: float,
        positions: Mapping[str, float],
        slippage_bps: float = 5.0,
        participation: float = 1.0,
        max_bars: int = 5,
        commission_per_share: float = 0.005,
        min_commission: float = 1.0,
    ) -> None:
        """A sim account holding ``cash`` and ``positions``, trading on ``trade_date`` (and the days after)."""
        self.account_id = account
        self.prices = prices
        self.trade_date = trade_date
        self.cash = cash
        self.holdings: dict[str, float] = {t: q for t, q in positions.items() if q}
        self.slippage_bps = slippage_bps
        self.participation = participation
        self.max_bars = max_bars
        self.commission_per_share = commission_per_share
        self.min_commission = min_commission
        self._orders: dict[str, _SimOrder] = {}

    async def connect(self) -> None:
        """Nothing to connect."""

    async def disconnect(self) -> None:
        """Nothing to disconnect."""

    async def ensure_connected(self) -> bool:
        """Always connected."""
        return False

    def _mark(self, ticker: str) -> float:
        bar = self.prices.last_before(ticker, self.trade_date)
        if bar is None:
            raise ValueError(f"sim broker: no price of {ticker} before {self.trade_date}")
        return bar.close

    async def account(self) -> AccountSnapshot:
        """Cash plus positions at their last close before the trading day."""
        self.prices.load(self.holdings, self.trade_date.year - 1, self.trade_date.year + 1)
        value = sum(q * self._mark(t) for t, q in self.holdings.items())
        return AccountSnapshot(account=self.account_id, net_liquidation=self.cash + value, cash=self.cash)

    async def positions(self) -> list[BrokerPosition]:
        """The held positions."""
        return [BrokerPosition(ticker=t, quantity=q, avg_cost=None) for t, q in sorted(self.holdings.items())]

    async def quotes(self, tickers: Sequence[str]) -> dict[str, float]:
        """None: the sim has no live market (the collar reference is the lake's alone)."""
        return {}

    async def known_orders(self) -> set[str]:
        """Ids of the orders placed with this broker."""
        return set(self._orders)

    async def place(self, order: OrderRequest) -> None:
        """Accept the order and fill it against the bars from the trading day on."""
        if order.client_order_id in self._orders:
            return
        sim = self._orders[order.client_order_id] = _SimOrder(order)
        self.prices.load([order.ticker], self.trade_date.year - 1, self.trade_date.year + 1)
        bars = self.prices.bars_from(order.ticker, self.trade_date)[: self.max_bars]
        if not bars:
            sim.message = f"no {order.ticker} price on or after {self.trade_date} yet"
            return
        sign = 1 if order.side == "BUY" else -1
        for n, bar in enumerate(bars, 1):
            remaining = order.quantity - sim.filled
            if remaining <= 0:
                break
            cap = math.floor(self.participation * bar.volume) if self.participation < 1 else remaining
            quantity = min(remaining, cap)
            if quantity <= 0:
                continue
            price = bar.open * (1 + sign * self.slippage_bps / 10_000)
            limit = order.limit_price if order.order_type == "LMT" else None
            if limit is not None and (price - limit) * sign > 0:
                continue  # the limit is not reached on this bar
            commission = max(self.min_commission, quantity * self.commission_per_share)
            sim.fills.append(
                BrokerFill(
                    exec_id=f"sim-{order.client_order_id}-{n}",
                    client_order_id=order.client_order_id,
                    quantity=quantity,
                    price=round(price, 6),
                    commission=round(commission, 6),
                    time=datetime.combine(bar.date, time(14, 30), tzinfo=UTC),
                )
            )
            self.cash -= sign * quantity * price + commission
            self.holdings[order.ticker] = self.holdings.get(order.ticker, 0.0) + sign * quantity
        sim.status = (
            "filled" if sim.filled >= order.quantity else ("partially_filled" if sim.fills else "submitted")
        )

    async def cancel(self, client_order_id: str) -> None:
        """Cancel what is left of an open order."""
        sim = self._orders.get(client_order_id)
        if sim and sim.status in ("submitted", "partially_filled"):
            sim.status = "cancelled"
            sim.message = "cancelled on request"

    async def updates(self, client_order_ids: Sequence[str]) -> list[OrderUpdate]:
        """The state of the given orders."""
        return [
            OrderUpdate(
                client_order_id=cid,
                status=sim.status,
                filled_quantity=sim.filled,
                fills=tuple(sim.fills),
                message=sim.message,
            )
            if (sim := self._orders.get(cid))
            else OrderUpdate(client_order_id=cid, status="unknown", filled_quantity=0, message="never placed")
            for cid in client_order_ids
        ]
