"""The IBKR broker (ib_async) against the fake TWS over a real loopback socket; prices are real closes."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from typing import Any

import pytest

from tests.trading.conftest import close_on
from tests.trading.fake_tws import ACCOUNT, SERVER_VERSION, FakeTws
from trading.broker.base import BrokerDisconnected, OrderRequest, OrderUpdate
from trading.broker.ibkr import IbkrBroker

DAY = "2024-03-08"
PRICES = {t: close_on(t, DAY) for t in ("AAPL", "MSFT", "NVDA", "TSLA")}


def run(test: Callable[[FakeTws, IbkrBroker], Awaitable[None]], **fake: Any) -> FakeTws:
    """Start a fake TWS, connect a broker to it, run ``test``, tear both down."""

    async def main() -> FakeTws:
        tws = FakeTws(prices=PRICES, **fake)
        port = await tws.start()
        broker = IbkrBroker(
            "127.0.0.1", port, 17, ACCOUNT, is_paper=True, connect_timeout=5, reconnect_delay=0.05
        )
        try:
            await broker.connect()
            await test(tws, broker)
        finally:
            await broker.disconnect()
            await tws.stop()
        return tws

    return asyncio.run(main())


async def wait_for(
    broker: IbkrBroker, ids: list[str], done: Callable[[list[OrderUpdate]], bool], timeout: float = 5
) -> list[OrderUpdate]:
    """Poll the broker's updates until ``done`` or the timeout."""
    deadline = asyncio.get_running_loop().time() + timeout
    while True:
        updates = await broker.updates(ids)
        if done(updates) or asyncio.get_running_loop().time() > deadline:
            return updates
        await asyncio.sleep(0.02)


def order(cid: str, ticker: str, quantity: int, side: str = "BUY") -> OrderRequest:
    return OrderRequest(client_order_id=cid, account=ACCOUNT, ticker=ticker, side=side, quantity=quantity)  # type: ignore[arg-type]


def test_handshake_account_summary_and_positions() -> None:
    async def test(tws: FakeTws, broker: IbkrBroker) -> None:
        assert broker.ib.client.serverVersion() == SERVER_VERSION
        assert broker.ib.managedAccounts() == [ACCOUNT]
        snapshot = await broker.account()
        # 10 AAPL at 170.729996 (2024-03-08 close) + 250,000 cash
        assert snapshot.cash == 250_000.0 and snapshot.net_liquidation == pytest.approx(251_707.30, abs=0.01)
        positions = await broker.positions()
        assert [(p.ticker, p.quantity, p.avg_cost) for p in positions] == [("AAPL", 10.0, 150.0)]

    tws = run(test, positions={"AAPL": (10.0, 150.0)}, cash=250_000.0)
    start = tws.placed(71)[0]
    assert start[2] == "17"  # startApi carries the client id
    assert {m for m, _ in tws.received} >= {71, 61, 5, 7, 62}


def test_fill_with_commission_and_split_fills() -> None:
    async def test(tws: FakeTws, broker: IbkrBroker) -> None:
        await broker.place(order("a-1", "AAPL", 100))
        await broker.place(order("n-1", "NVDA", 30))
        updates = await wait_for(broker, ["a-1", "n-1"], lambda us: all(u.status == "filled" for u in us))
        aapl, nvda = updates
        assert aapl.status == "filled" and aapl.filled_quantity == 100
        (fill,) = aapl.fills
        assert fill.price == 170.729996 and fill.commission == 1.0 and fill.client_order_id == "a-1"
        assert [f.quantity for f in nvda.fills] == [10, 10, 10] and nvda.status == "filled"
        assert {f.price for f in nvda.fills} == {875.280029}
        positions = {p.ticker: p.quantity for p in await broker.positions()}
        assert positions == {"AAPL": 100.0, "NVDA": 30.0}

    tws = run(test, behaviour={"NVDA": "split:3"})
    placed = tws.placed()
    assert [(f[3], f[16], f[17], f[26]) for f in placed] == [
        ("AAPL", "BUY", "100", "a-1"),
        ("NVDA", "BUY", "30", "n-1"),
    ]
    assert all(f[23] == ACCOUNT for f in placed)


def test_partial_fill_then_cancel() -> None:
    async def test(tws: FakeTws, broker: IbkrBroker) -> None:
        await broker.place(order("t-1", "TSLA", 50))
        (update,) = await wait_for(broker, ["t-1"], lambda us: us[0].filled_quantity == 20)
        assert update.status == "partially_filled" and update.filled_quantity == 20
        await broker.cancel("t-1")
        (update,) = await wait_for(broker, ["t-1"], lambda us: us[0].status == "cancelled")
        assert update.status == "cancelled" and update.filled_quantity == 20 and update.error_code == 202

    tws = run(test, behaviour={"TSLA": "partial:20"})
    assert tws.placed(4)[0][2] == tws.placed()[0][1]  # cancelOrder names the placed order id


def test_rejected_order_reports_error_201() -> None:
    async def test(tws: FakeTws, broker: IbkrBroker) -> None:
        await broker.place(order("m-1", "MSFT", 5))
        (update,) = await wait_for(broker, ["m-1"], lambda us: us[0].status == "rejected")
        assert update.status == "rejected" and update.error_code == 201
        assert "No trading permissions for MSFT" in update.message

    run(test, behaviour={"MSFT": "reject"})


def test_dropped_connection_reconnects_and_recovers_fills() -> None:
    async def test(tws: FakeTws, broker: IbkrBroker) -> None:
        with pytest.raises(BrokerDisconnected, match="connection lost before TWS acknowledged a-2"):
            await broker.place(order("a-2", "AAPL", 7))  # executed, but the client hears nothing: in doubt
        assert not broker.ib.isConnected()
        with pytest.raises(BrokerDisconnected):
            await broker.updates(["a-2"])
        assert await broker.ensure_connected()
        assert "a-2" in await broker.known_orders()  # never sent twice
        (update,) = await wait_for(broker, ["a-2"], lambda us: us[0].filled_quantity == 7)
        assert update.filled_quantity == 7 and update.fills[0].price == 170.729996
        assert broker.events == ["connection to TWS lost", "reconnected to TWS"]

    tws = run(test, drop_after_orders=1)
    assert tws.connections == 2 and len(tws.placed()) == 1


def test_unreachable_tws_and_foreign_account() -> None:
    async def main() -> None:
        broker = IbkrBroker(
            "127.0.0.1",
            1,
            17,
            ACCOUNT,
            is_paper=True,
            connect_timeout=1,
            reconnect_attempts=2,
            reconnect_delay=0.01,
        )
        with pytest.raises(BrokerDisconnected, match=r"cannot connect to TWS at 127\.0\.0\.1:1"):
            await broker.connect()
        with pytest.raises(BrokerDisconnected, match="unreachable after 2 attempts"):
            await broker.ensure_connected()
        tws = FakeTws(prices=PRICES)
        port = await tws.start()
        other = IbkrBroker("127.0.0.1", port, 18, "DU7654321", is_paper=True, connect_timeout=5)
        with pytest.raises(ValueError, match="DU7654321 is not managed by this TWS login"):
            await other.connect()
        live = FakeTws(prices=PRICES, accounts=("U1234567",))
        live_port = await live.start()
        paper = IbkrBroker("127.0.0.1", live_port, 19, "U1234567", is_paper=True, connect_timeout=5)
        with pytest.raises(ValueError, match="U1234567 is not a paper account"):
            await paper.connect()
        await tws.stop()
        await live.stop()

    asyncio.run(main())
