"""The broker interface the rebalance talks to (async), and the reports brokers give back."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Literal, Protocol

import msgspec

BrokerStatus = Literal["submitted", "partially_filled", "filled", "cancelled", "rejected", "unknown"]


class BrokerDisconnected(ConnectionError):
    """The connection to the broker is lost and could not be re-established."""


class OrderRequest(msgspec.Struct, frozen=True, kw_only=True):
    """An order to send: the client order id travels with it (IBKR: ``orderRef``)."""

    client_order_id: str
    account: str
    ticker: str
    side: Literal["BUY", "SELL"]
    quantity: int
    order_type: Literal["MKT", "LMT"] = "MKT"
    limit_price: float | None = None


class BrokerFill(msgspec.Struct, frozen=True, kw_only=True):
    """One execution as the broker reports it."""

    exec_id: str
    client_order_id: str
    quantity: float
    price: float
    commission: float
    time: datetime


class OrderUpdate(msgspec.Struct, frozen=True, kw_only=True):
    """What the broker knows of one order now: its status, all its fills so far, and an error if any."""

    client_order_id: str
    status: BrokerStatus
    filled_quantity: float
    fills: tuple[BrokerFill, ...] = ()
    message: str = ""
    error_code: int | None = None


class AccountSnapshot(msgspec.Struct, frozen=True, kw_only=True):
    """Account values the rebalance needs (USD)."""

    account: str
    net_liquidation: float
    cash: float


class BrokerPosition(msgspec.Struct, frozen=True, kw_only=True):
    """One position as the broker reports it."""

    ticker: str
    quantity: float
    avg_cost: float | None


class Broker(Protocol):
    """An async broker connection. Every method may raise :class:`BrokerDisconnected`."""

    name: str
    is_paper: bool

    async def connect(self) -> None:
        """Open the connection (idempotent)."""
        ...

    async def disconnect(self) -> None:
        """Close the connection."""
        ...

    async def ensure_connected(self) -> bool:
        """Reconnect when the connection dropped; True when a reconnect happened."""
        ...

    async def account(self) -> AccountSnapshot:
        """Net liquidation and cash of the traded account."""
        ...

    async def positions(self) -> list[BrokerPosition]:
        """The traded account's positions."""
        ...

    async def quotes(self, tickers: Sequence[str]) -> dict[str, float]:
        """The broker's current price of each ticker it can quote now (left out when it cannot)."""
        ...

    async def known_orders(self) -> set[str]:
        """Client order ids the broker already has (open or with fills), to never send one twice."""
        ...

    async def place(self, order: OrderRequest) -> None:
        """Send an order (its outcome arrives through :meth:`updates`)."""
        ...

    async def cancel(self, client_order_id: str) -> None:
        """Ask to cancel what is left of an order."""
        ...

    async def updates(self, client_order_ids: Sequence[str]) -> list[OrderUpdate]:
        """The current state of the given orders (all fills so far each time)."""
        ...
