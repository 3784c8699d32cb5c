"""The rebalance on bad lake prices (a wrong close, a flagged bar, stale bars) and the order type it sends."""

from __future__ import annotations

import asyncio
import statistics
from collections.abc import Callable
from datetime import date
from pathlib import Path
from typing import Any

import msgspec
import pyarrow as pa
import pyarrow.compute as pc
import pytest

from lake.delta import write_partition
from lake.prices.folder import FolderProvider
from lake.settings import Settings
from lake.storage import Lake
from lake.tables import PRICES
from tests.trading.conftest import TICKERS, price_rows
from tests.trading.fake_tws import ACCOUNT, FakeTws
from tests.trading.test_rebalance import MARKET_OPEN, config, ibkr_prices, rows, settings
from trading.broker.base import OrderRequest
from trading.broker.ibkr import IbkrBroker
from trading.broker.sim import SimBroker
from trading.orders import limit_price
from trading.prices import LakePrices
from trading.rebalance import Rebalance, RunReport

Row = dict[str, Any]


def make_lake(root: Path, change: Callable[[Row], None] | None = None) -> Lake:
    """A prices lake of the real 2023-2024 bars of TICKERS, each row passed through ``change`` first."""
    lake = Lake(str(root / "lakehouse"))
    provider = FolderProvider(Settings.from_env().prices_dir)
    bars = pa.concat_tables([provider.fetch(t, date(2023, 1, 1), date(2024, 12, 31)) for t in TICKERS])
    data = bars.to_pylist()
    for row in data:
        row["split_factor"] = 1.0
        if change is not None:
            change(row)
    table = pa.Table.from_pylist(data, schema=bars.schema)
    for year in (2023, 2024):
        write_partition(
            lake, PRICES, table.filter(pc.equal(table["year"], year)), partitions={"year": [year]}
        )
    return lake


def median_before(ticker: str, day: str, n: int = 5) -> float:
    """The median of the ``n`` real closes before ``day``."""
    closes = [float(r["close"]) for r in price_rows(ticker) if r["date"] < day]
    return statistics.median(closes[-n:])


def aapl_close(value: float, day: date = date(2024, 2, 29)) -> Callable[[Row], None]:
    def change(row: Row) -> None:
        if row["ticker"] == "AAPL" and row["date"] == day:
            row["close"] = value

    return change


def test_a_wrong_last_close_is_refused_not_sized(tmp_path: Path, pg_url: str) -> None:
    # the reproduction: AAPL's 2024-02-29 close 1.69 instead of 180.75, unflagged; before, the run
    # planned BUY 82,840 AAPL (140,000 / 1.69), checked at 140k USD but worth ~15M USD, and sent it
    lake = make_lake(tmp_path, aapl_close(1.69))
    report = asyncio.run(Rebalance(config(settings(lake, pg_url))).run())
    reference = median_before("AAPL", "2024-02-29")
    assert reference == 182.520004
    assert "AAPL" not in {o.ticker for o in report.orders}
    assert [b["limit"] for b in report.risk_rejections["AAPL"]] == ["collar_breach"]
    assert report.skipped["AAPL"] == (
        f"collar_breach: price 1.6900 of AAPL is {1 - 1.69 / reference:.2%} from reference {reference:.4f} "
        f"> collar 10.00% by {1 - 1.69 / reference - 0.10:.2%}"
    )
    assert rows(pg_url, "SELECT count(*) FROM trading.orders WHERE ticker = 'AAPL'") == [(0,)]
    assert report.status == "completed-with-issues"
    assert {o.ticker for o in report.orders if o.status == "filled"} == set(TICKERS) - {"AAPL"}


def test_flagged_and_non_positive_closes_are_refused(tmp_path: Path, pg_url: str) -> None:
    def change(row: Row) -> None:
        if row["date"] == date(2024, 2, 29) and row["ticker"] == "AAPL":
            row["flags"] = ["ohlc_outside_range"]
        if row["date"] == date(2024, 2, 29) and row["ticker"] == "MSFT":
            row["close"] = 0.0

    lake = make_lake(tmp_path, change)
    report = asyncio.run(Rebalance(config(settings(lake, pg_url), mode="dry-run")).run())
    assert report.status == "dry-run"
    assert {o.ticker for o in report.orders} == set(TICKERS) - {"AAPL", "MSFT"}
    assert report.skipped["AAPL"] == (
        "price_flagged: price 180.7500 of AAPL (2024-02-29) is flagged ohlc_outside_range"
    )
    assert [b["limit"] for b in report.risk_rejections["MSFT"]] == ["price_nonpositive"]


def test_stale_closes_size_nothing(prices_lake: Lake, pg_url: str) -> None:
    # the lake's bars end on 2024-03-08: on 2024-03-20 every close is 12 days old
    report = asyncio.run(Rebalance(config(settings(prices_lake, pg_url), as_of=date(2024, 3, 20))).run())
    assert report.orders == []
    assert {t: [b["limit"] for b in r] for t, r in report.risk_rejections.items()} == {
        t: ["price_stale"] for t in TICKERS
    }
    assert report.skipped["AAPL"] == (
        "price_stale: last close of AAPL is from 2024-03-08 (12 days old) > max 5 by 7 days"
    )
    assert rows(pg_url, "SELECT count(*) FROM trading.orders") == [(0,)]


def test_reference_is_the_median_of_good_closes_before_the_sizing_close(tmp_path: Path) -> None:
    def change(row: Row) -> None:
        if row["ticker"] == "AAPL" and row["date"] == date(2024, 2, 28):
            row["flags"] = ["gap_before"]
            row["close"] = 999.0

    prices = LakePrices(make_lake(tmp_path, change))
    prices.load(["AAPL"], 2023, 2024)
    ref = prices.reference_before("AAPL", date(2024, 3, 1), 5)
    assert ref is not None
    # the sizing close is 02-29; 02-28 is flagged: 02-21, 02-22, 02-23, 02-26, 02-27
    assert (ref.first, ref.last, ref.closes) == (date(2024, 2, 21), date(2024, 2, 27), 5)
    closes = {r["date"]: float(r["close"]) for r in price_rows("AAPL")}
    expected = statistics.median(
        closes[d] for d in ("2024-02-21", "2024-02-22", "2024-02-23", "2024-02-26", "2024-02-27")
    )
    assert ref.price == expected
    assert prices.last_before("AAPL", date(2024, 3, 1)).close == 180.75  # type: ignore[union-attr]


def test_orders_are_limit_orders_by_default(prices_lake: Lake, pg_url: str) -> None:
    report = asyncio.run(Rebalance(config(settings(prices_lake, pg_url))).run())
    assert report.status == "completed", report.text()
    aapl = next(o for o in report.orders if o.ticker == "AAPL")
    expected = limit_price("BUY", median_before("AAPL", "2024-02-29"), 0.10)
    assert expected == 200.77  # 182.520004 x 1.1 = 200.7720044, down to the tick
    assert (aapl.order_type, aapl.limit_price) == ("LMT", expected)
    assert rows(pg_url, "SELECT order_type, limit_price FROM trading.orders WHERE ticker = 'AAPL'") == [
        ("LMT", expected)
    ]
    market = asyncio.run(
        Rebalance(config(settings(prices_lake, pg_url, TRADING_ORDER_TYPE="market"), mode="dry-run")).run()
    )
    assert {(o.order_type, o.limit_price) for o in market.orders} == {("MKT", None)}
    with pytest.raises(ValueError, match="TRADING_ORDER_TYPE must be one of limit, market"):
        settings(prices_lake, pg_url, TRADING_ORDER_TYPE="stop")


def test_sim_broker_honours_the_limit(prices_lake: Lake) -> None:
    async def main() -> dict[str, Any]:
        prices = LakePrices(prices_lake)
        sim = SimBroker("SIM", prices, date(2024, 3, 1), cash=1_000_000.0, positions={}, slippage_bps=0)
        for cid, limit in (("low", 150.0), ("high", 200.0)):
            await sim.place(
                OrderRequest(
                    client_order_id=cid,
                    account="SIM",
                    ticker="AAPL",
                    side="BUY",
                    quantity=10,
                    order_type="LMT",
                    limit_price=limit,
                )
            )
        return {u.client_order_id: u for u in await sim.updates(["low", "high"])}

    updates = asyncio.run(main())
    # AAPL opened between 169 and 180 on 2024-03-01..07: a 150 limit is never reached, a 200 limit fills at once
    assert (updates["low"].status, updates["low"].fills) == ("submitted", ())
    assert updates["high"].status == "filled" and updates["high"].fills[0].price == 179.550003


async def rebalance_on_ibkr(s: Settings, tws: FakeTws) -> RunReport:
    """One live rebalance of ``ACCOUNT`` through the fake TWS at market open (the fake is started and stopped)."""
    port = await tws.start()
    try:
        cfg = config(
            msgspec.structs.replace(s, ibkr_port=port, ibkr_account=ACCOUNT),
            broker="ibkr",
            account=ACCOUNT,
            as_of=None,
        )
        return await Rebalance(cfg, clock=MARKET_OPEN).run()
    finally:
        await tws.stop()


def test_ibkr_receives_a_marketable_limit_order(prices_lake: Lake, pg_url: str) -> None:
    s = settings(prices_lake, pg_url)
    tws = FakeTws(prices=ibkr_prices())

    report = asyncio.run(rebalance_on_ibkr(s, tws))
    assert report.status == "completed", report.text()
    received = {o.symbol: o for o in tws.orders.values()}
    # trading 2024-03-04: sized at the 03-01 close, the limit on the median of the five closes before it
    expected = limit_price("BUY", median_before("AAPL", "2024-03-01"), 0.10)
    assert received["AAPL"].order_type == "LMT" and float(received["AAPL"].limit_price) == expected
    assert {o.order_type for o in received.values()} == {"LMT"}


def test_ibkr_never_turns_a_limit_order_without_a_price_into_a_market_order() -> None:
    async def main() -> FakeTws:
        tws = FakeTws(prices=ibkr_prices())
        port = await tws.start()
        broker = IbkrBroker("127.0.0.1", port, 17, ACCOUNT, is_paper=True, connect_timeout=5)
        try:
            await broker.connect()
            request = OrderRequest(
                client_order_id="x-1",
                account=ACCOUNT,
                ticker="AAPL",
                side="BUY",
                quantity=5,
                order_type="LMT",
            )
            with pytest.raises(ValueError, match="limit order x-1 has no usable limit"):
                await broker.place(request)
        finally:
            await broker.disconnect()
            await tws.stop()
        return tws

    assert asyncio.run(main()).placed() == []


def test_ibkr_quotes_snapshot_and_no_subscription() -> None:
    async def quotes(fake: dict[str, float] | None) -> tuple[dict[str, float], float]:
        tws = FakeTws(prices=ibkr_prices(), quotes=fake)
        port = await tws.start()
        broker = IbkrBroker("127.0.0.1", port, 17, ACCOUNT, is_paper=True, connect_timeout=5)
        try:
            await broker.connect()
            started = asyncio.get_running_loop().time()
            found = await broker.quotes(["AAPL", "MSFT", "NVDA"])
            return found, asyncio.get_running_loop().time() - started
        finally:
            await broker.disconnect()
            await tws.stop()

    found, _ = asyncio.run(quotes({"AAPL": 170.5, "MSFT": 400.25}))
    assert found == {"AAPL": 170.5, "MSFT": 400.25}  # NVDA: error 354, left out
    none, took = asyncio.run(quotes(None))
    assert none == {} and took < 2  # each request ends with its error, no waiting for the timeout


def test_ibkr_quote_is_a_second_collar_centre_and_prices_the_limit(prices_lake: Lake, pg_url: str) -> None:
    s = settings(prices_lake, pg_url)
    closes = {t: float(next(r["close"] for r in price_rows(t) if r["date"] == "2024-03-01")) for t in TICKERS}
    # the market moved: AAPL quotes 150 (16.5% under its 03-01 close of 179.66), the others 1% over their close
    quotes = {t: round(c * 1.01, 2) for t, c in closes.items()} | {"AAPL": 150.0}
    tws = FakeTws(prices=ibkr_prices(), quotes=quotes)

    report = asyncio.run(rebalance_on_ibkr(s, tws))
    assert report.status == "completed-with-issues", report.text()
    assert report.skipped["AAPL"] == (
        "collar_breach: price 179.6600 of AAPL is 19.77% from broker quote 150.0000 > collar 10.00% by 9.77%"
    )
    received = {o.symbol: o for o in tws.orders.values()}
    assert "AAPL" not in received
    assert float(received["MSFT"].limit_price) == limit_price("BUY", quotes["MSFT"], 0.10)
