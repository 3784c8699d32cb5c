"""A fake TWS: a real asyncio socket server speaking the TWS API wire protocol (server version 157).

Handshake: the client sends ``API\\0`` then a length-prefixed ``v<min>..<max>`` range; the server answers with
its version and connection time, then waits for startApi (71) and sends nextValidId (9) and managedAccounts
(15). Every later message is 4-byte big-endian length + NUL-terminated fields. Field layouts follow
ib_async's decoder.py for server version 157 (no advancedOrderRejectJson in errors, faProfile in openOrder,
no pendingPriceRevision in execDetails).

Per-symbol order behaviour (``behaviour``): ``fill`` (default, one execution), ``split:K`` (K executions),
``partial:N`` (N shares, the rest stays working), ``hold`` (working, no fill), ``reject`` (error 201).
Snapshot quotes (reqMktData) come from ``quotes``; without them every request gets error 354 (no subscription).
``drop_after_orders=N`` closes the client's socket right after the N-th placeOrder was executed, before any
report is sent: the client learns the outcome only after reconnecting (open orders, executions); with
``drop_loses_order`` the socket closes before the order is booked (it is lost and must be sent again).
State (orders, executions, positions, cash) lives in the server and survives dropped connections.
"""

from __future__ import annotations

import asyncio
import struct
from dataclasses import dataclass, field
from datetime import UTC, datetime

SERVER_VERSION = 157
ACCOUNT = "DU1234567"


@dataclass
class FakeOrder:
    """An order the fake received."""

    order_id: int
    client_id: int
    perm_id: int
    symbol: str
    action: str
    quantity: float
    order_type: str
    limit_price: str
    account: str
    order_ref: str
    status: str = "PreSubmitted"
    filled: float = 0.0
    avg_price: float = 0.0


@dataclass
class FakeExecution:
    """An execution of a fake order."""

    exec_id: str
    order: FakeOrder
    shares: float
    price: float
    cum_qty: float
    avg_price: float
    commission: float
    time: datetime


@dataclass
class FakeTws:
    """The server; ``await start()`` then connect ib_async to ``port``."""

    prices: dict[str, float]
    positions: dict[str, tuple[float, float]] = field(default_factory=dict)
    cash: float = 1_000_000.0
    behaviour: dict[str, str] = field(default_factory=dict)
    accounts: tuple[str, ...] = (ACCOUNT,)
    drop_after_orders: int | None = None
    #: with drop_after_orders: drop the socket BEFORE the order is executed (the order is lost, never booked)
    drop_loses_order: bool = False
    #: snapshot quotes (reqMktData) by symbol; None = no market data subscription (error 354, like a paper
    #: account without one)
    quotes: dict[str, float] | None = None
    commission_per_share: float = 0.005
    min_commission: float = 1.0
    next_order_id: int = 1
    orders: dict[int, FakeOrder] = field(default_factory=dict)
    executions: list[FakeExecution] = field(default_factory=list)
    #: every message received: (message id, fields)
    received: list[tuple[int, list[str]]] = field(default_factory=list)
    connections: int = 0
    port: int = 0
    _server: asyncio.AbstractServer | None = None
    _writers: list[asyncio.StreamWriter] = field(default_factory=list)
    _placed: int = 0
    _con_ids: dict[str, int] = field(default_factory=dict)

    async def start(self) -> int:
        """Listen on a free loopback port; returns it."""
        self._server = await asyncio.start_server(self._serve, "127.0.0.1", 0)
        self.port = self._server.sockets[0].getsockname()[1]
        return self.port

    async def stop(self) -> None:
        """Stop listening, then close every connection (TWS gone: a reconnect finds nobody listening)."""
        if self._server is not None:
            self._server.close()  # first: a client reconnecting while its socket closes must be refused
        for writer in self._writers:
            writer.close()
        await asyncio.sleep(0.05)  # let the connection handlers see EOF and finish
        if self._server is not None:
            await self._server.wait_closed()

    def drop_connections(self) -> None:
        """Close every client socket now (TWS restart, network cut)."""
        for writer in self._writers:
            writer.close()
        self._writers.clear()

    def placed(self, msg_id: int = 3) -> list[list[str]]:
        """Fields of every received message of one id (default placeOrder)."""
        return [f for m, f in self.received if m == msg_id]

    def con_id(self, symbol: str) -> int:
        """A stable contract id per symbol."""
        return self._con_ids.setdefault(symbol, 265598 + 1000 * len(self._con_ids))

    # --- wire --------------------------------------------------------------------------------------------

    @staticmethod
    def _frame(fields: list[object]) -> bytes:
        payload = "".join(f"{_text(f)}\0" for f in fields).encode()
        return struct.pack(">I", len(payload)) + payload

    def _send(self, writer: asyncio.StreamWriter, *fields: object) -> None:
        if not writer.is_closing():
            writer.write(self._frame(list(fields)))

    async def _read(self, reader: asyncio.StreamReader) -> list[str]:
        size = struct.unpack(">I", await reader.readexactly(4))[0]
        return (await reader.readexactly(size)).decode().split("\0")[:-1]

    async def _serve(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        self.connections += 1
        self._writers.append(writer)
        client_id = -1
        try:
            if await reader.readexactly(4) != b"API\0":
                return
            size = struct.unpack(">I", await reader.readexactly(4))[0]
            versions = (await reader.readexactly(size)).decode()  # "v157..178" (+ " options"), no NUL
            low, _, high = versions.removeprefix("v").partition("..")
            if not int(low) <= SERVER_VERSION <= int(high.split(" ")[0]):
                return
            self._send(writer, SERVER_VERSION, datetime.now(UTC).strftime("%Y%m%d %H:%M:%S UTC"))
            while True:
                fields = await self._read(reader)
                msg_id = int(fields[0])
                self.received.append((msg_id, fields))
                if msg_id == 71:  # startApi: version, clientId, optional capabilities
                    client_id = int(fields[2])
                    self._send(writer, 9, 1, self.next_order_id)
                    self._send(writer, 15, 1, ",".join(self.accounts))
                else:
                    await self._dispatch(writer, msg_id, fields, client_id)
                await writer.drain()
        except (asyncio.IncompleteReadError, ConnectionError):
            pass
        finally:
            writer.close()
            if writer in self._writers:
                self._writers.remove(writer)

    async def _dispatch(
        self, writer: asyncio.StreamWriter, msg_id: int, fields: list[str], client_id: int
    ) -> None:
        if msg_id == 61:  # reqPositions
            for symbol, (quantity, avg_cost) in sorted(self.positions.items()):
                self._send(
                    writer, 61, 3, self.accounts[0], *self._contract(symbol, "SMART"), quantity, avg_cost
                )
            self._send(writer, 62, 1)
        elif msg_id == 62:  # reqAccountSummary: version, reqId, group, tags
            req_id = fields[2]
            value = self.cash + sum(q * self.prices[s] for s, (q, _) in self.positions.items())
            for tag, amount in (("NetLiquidation", value), ("TotalCashValue", self.cash)):
                self._send(writer, 63, 1, req_id, self.accounts[0], tag, f"{amount:.2f}", "USD")
            self._send(writer, 63, 1, req_id, self.accounts[0], "AccountType", "INDIVIDUAL", "")
            self._send(writer, 64, 1, req_id)
        elif msg_id in (5, 16):  # reqOpenOrders, reqAllOpenOrders
            for order in self.orders.values():
                if order.status in ("PreSubmitted", "Submitted") and (
                    msg_id == 16 or order.client_id == client_id
                ):
                    self._send(writer, *self._open_order(order))
                    self._send(writer, *self._order_status(order))
            self._send(writer, 53, 1)
        elif msg_id == 99:  # reqCompletedOrders
            self._send(writer, 102)
        elif msg_id == 6:  # reqAccountUpdates: version, subscribe, account
            self._send(writer, 54, 1, fields[3])
        elif msg_id == 76:  # reqAccountUpdatesMulti: version, reqId, ...
            self._send(writer, 74, 1, fields[2])
        elif msg_id == 7:  # reqExecutions: version, reqId, filter...
            req_id = int(fields[2])
            for execution in self.executions:
                self._send(writer, *self._exec_details(req_id, execution))
                self._send(writer, *self._commission(execution))
            self._send(writer, 55, 1, req_id)
        elif msg_id == 9:  # reqContractDetails: version, reqId, contract (conId, symbol, ...)
            req_id, symbol = int(fields[2]), fields[4]
            if symbol in self.prices:
                # contractDetails (server < 164): version, reqId, symbol, secType, lastTimes, strike, right,
                # exchange, currency, localSymbol, marketName, tradingClass, conId, minTick, mdSizeMultiplier,
                # multiplier, orderTypes, validExchanges, priceMagnifier, underConId, longName, primaryExchange,
                # contractMonth, industry, category, subcategory, timeZoneId, tradingHours, liquidHours,
                # evRule, evMultiplier, numSecIds, aggGroup, underSymbol, underSecType, marketRuleIds,
                # realExpirationDate, stockType
                self._send(
                    writer, 10, 8, req_id, symbol, "STK", "", 0.0, "", "SMART", "USD", symbol, "NMS", "NMS",
                    self.con_id(symbol), 0.01, 1, "", "ACTIVITY,LMT,MKT", "SMART,NASDAQ", 1, 0, symbol,
                    "NASDAQ", "", "", "", "", "US/Eastern", "", "", "", "", 0, 1, "", "", "26", "", "COMMON",
                )  # fmt: skip
            self._send(writer, 52, 1, req_id)  # contractDetailsEnd
        elif msg_id == 1:  # reqMktData: version, reqId, contract (conId, symbol, ...), ..., snapshot, ...
            req_id, symbol = int(fields[2]), fields[4]
            if self.quotes is None or symbol not in self.quotes:
                self._send(writer, 4, 2, req_id, 354, "Requested market data is not subscribed.")
                return
            # tickPrice: version, reqId, tickType (4 = last), price, size, attribute mask
            self._send(writer, 1, 6, req_id, 4, self.quotes[symbol], 100, 0)
            self._send(writer, 57, 1, req_id)  # tickSnapshotEnd
        elif msg_id == 49:  # reqCurrentTime
            self._send(writer, 49, 1, int(datetime.now(UTC).timestamp()))
        elif msg_id == 8:  # reqIds
            self._send(writer, 9, 1, self.next_order_id)
        elif msg_id == 3:
            self._place(writer, fields, client_id)
        elif msg_id == 4:  # cancelOrder: version, orderId
            order = self.orders.get(int(fields[2]))
            if order is None or order.status not in ("PreSubmitted", "Submitted"):
                self._send(
                    writer, 4, 2, fields[2], 10148, "OrderId that needs to be cancelled can not be cancelled"
                )
                return
            order.status = "Cancelled"
            self._send(writer, 4, 2, order.order_id, 202, "Order Canceled - reason:")
            self._send(writer, *self._order_status(order))

    def _place(self, writer: asyncio.StreamWriter, fields: list[str], client_id: int) -> None:
        # placeOrder: 3, orderId, contract (12 fields), secIdType, secId, action, totalQuantity, orderType,
        # lmtPrice, auxPrice, tif, ocaGroup, account, openClose, origin, orderRef, ...
        order_id = int(fields[1])
        symbol = fields[3]
        order = FakeOrder(
            order_id=order_id,
            client_id=client_id,
            perm_id=900_000 + order_id,
            symbol=symbol,
            action=fields[16],
            quantity=float(fields[17]),
            order_type=fields[18],
            limit_price=fields[19],
            account=fields[23],
            order_ref=fields[26],
        )
        self.next_order_id = max(self.next_order_id, order_id + 1)
        self._placed += 1
        if (
            self.drop_loses_order
            and self.drop_after_orders is not None
            and self._placed >= self.drop_after_orders
        ):
            self.drop_after_orders = None
            writer.close()  # the order never reached the broker's books
            return
        behaviour = self.behaviour.get(symbol, "fill")
        if behaviour == "reject" or symbol not in self.prices:
            self._send(
                writer, 4, 2, order_id, 201, f"Order rejected - reason:No trading permissions for {symbol}"
            )
            return
        self.orders[order_id] = order
        order.status = "Submitted"
        kind, _, arg = behaviour.partition(":")
        if kind == "fill":
            lots = [order.quantity]
        elif kind == "split":
            parts = int(arg)
            base = order.quantity // parts
            lots = [base] * (parts - 1) + [order.quantity - base * (parts - 1)]
        elif kind == "partial":
            lots = [min(float(arg), order.quantity)]
        else:
            lots = []
        executions = [self._execute(order, shares) for shares in lots if shares > 0]
        if self.drop_after_orders is not None and self._placed >= self.drop_after_orders:
            self.drop_after_orders = None
            writer.close()  # executed at the broker, but the client hears nothing of it
            return
        self._send(writer, *self._open_order(order))
        self._send(writer, *self._order_status(order, filled=0.0))
        for execution in executions:
            self._send(writer, *self._exec_details(-1, execution))
            self._send(writer, *self._commission(execution))
            self._send(
                writer,
                *self._order_status(order, filled=execution.cum_qty, status="Submitted", last=execution),
            )
        if order.status == "Filled":
            self._send(writer, *self._order_status(order))

    def _execute(self, order: FakeOrder, shares: float) -> FakeExecution:
        price = self.prices[order.symbol]
        sign = 1 if order.action == "BUY" else -1
        cost = order.filled * order.avg_price + shares * price
        order.filled += shares
        order.avg_price = cost / order.filled
        if order.filled >= order.quantity:
            order.status = "Filled"
        commission = round(max(self.min_commission, shares * self.commission_per_share), 4)
        held, avg = self.positions.get(order.symbol, (0.0, 0.0))
        new = held + sign * shares
        self.positions[order.symbol] = (new, (held * avg + sign * shares * price) / new if new else 0.0)
        if not new:
            del self.positions[order.symbol]
        self.cash -= sign * shares * price + commission
        execution = FakeExecution(
            exec_id=f"0000e0d5.{len(self.executions) + 1:08x}.01.01",
            order=order,
            shares=shares,
            price=price,
            cum_qty=order.filled,
            avg_price=order.avg_price,
            commission=commission,
            time=datetime.now(UTC),
        )
        self.executions.append(execution)
        return execution

    # --- message layouts (ib_async decoder.py, server version 157) ----------------------------------------

    def _contract(self, symbol: str, exchange: str) -> list[object]:
        # conId, symbol, secType, lastTradeDateOrContractMonth, strike, right, multiplier, exchange, currency,
        # localSymbol, tradingClass
        return [self.con_id(symbol), symbol, "STK", "", 0.0, "", "", exchange, "USD", symbol, "NMS"]

    def _order_status(
        self,
        order: FakeOrder,
        *,
        filled: float | None = None,
        status: str | None = None,
        last: FakeExecution | None = None,
    ) -> list[object]:
        done = order.filled if filled is None else filled
        avg = last.avg_price if last else (order.avg_price if done else 0.0)
        # orderStatus (no version field): orderId, status, filled, remaining, avgFillPrice, permId, parentId,
        # lastFillPrice, clientId, whyHeld, mktCapPrice
        return [
            3,
            order.order_id,
            status or order.status,
            done,
            order.quantity - done,
            avg,
            order.perm_id,
            0,
            last.price if last else 0.0,
            order.client_id,
            "",
            0.0,
        ]

    def _exec_details(self, req_id: int, e: FakeExecution) -> list[object]:
        o = e.order
        return [
            11,
            req_id,
            o.order_id,
            *self._contract(o.symbol, "ISLAND"),
            e.exec_id,
            e.time.strftime("%Y%m%d %H:%M:%S UTC"),
            o.account,
            "ISLAND",
            "BOT" if o.action == "BUY" else "SLD",
            e.shares,
            e.price,
            o.perm_id,
            o.client_id,
            0,
            e.cum_qty,
            e.avg_price,
            o.order_ref,
            "",
            "",
            "",
            2,
        ]

    @staticmethod
    def _commission(e: FakeExecution) -> list[object]:
        # commissionReport: version, execId, commission, currency, realizedPNL, yield, yieldRedemptionDate
        return [59, 1, e.exec_id, e.commission, "USD", "", "", ""]

    def _open_order(self, o: FakeOrder) -> list[object]:
        head = [5, o.order_id, *self._contract(o.symbol, "SMART")]
        # action .. faProfile (server version < 177 sends faProfile)
        order = [
            o.action, o.quantity, o.order_type, o.limit_price, "", "DAY", "", o.account, "O", 0, o.order_ref,
            o.client_id, o.perm_id, 0, 0, 0.0, "", "", "", "", "", "",
        ]  # fmt: skip
        # modelCode .. deltaNeutralAuxPrice (29 fields; empty deltaNeutralOrderType)
        middle = [
            "",
            "",
            "",
            "",
            "",
            0,
            "",
            "",
            0,
            "",
            "",
            "",
            "",
            "",
            "",
            0,
            0,
            0,
            "",
            3,
            0,
            0,
            "",
            0,
            0,
            "",
            0,
            "",
            "",
        ]
        # continuousUpdate .. comboLegsDescrip, 0 legs, 0 order legs, 0 smart params, scale fields, hedgeType
        tail = [0, 0, "", "", "", "", "", 0, 0, 0, "", "", "", ""]
        # optOutSmartRouting, clearingAccount, clearingIntent, notHeld, dncPresent, algoStrategy
        tail += [0, "", "IB", 0, 0, ""]
        # solicited, whatIf, status, 12 margin/commission fields, commissionCurrency, warningText, randomize x2
        state = [0, 0, o.status, *[""] * 12, "", "", 0, 0]
        # numConditions, adjustedOrderType .. usePriceMgmtAlgo (16 fields)
        rest = [0, "None", "", "", "", "", "", "", 0, "", "", "", "", 0, 0, "", ""]
        return head + order + middle + tail + state + rest


def _text(value: object) -> str:
    """A field as TWS writes it (booleans 0/1, floats without exponent)."""
    if isinstance(value, bool):
        return "1" if value else "0"
    if isinstance(value, float):
        return str(int(value)) if value.is_integer() else repr(value)
    return str(value)
