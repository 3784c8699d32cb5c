"""The rebalance job end to end: real lake prices, a real PostgreSQL, the sim broker and the fake TWS."""

from __future__ import annotations

import asyncio
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

import msgspec
import psycopg
import pytest

from lake.delta import table_version
from lake.settings import Settings
from lake.storage import Lake
from lake.tables import PRICES
from tests.trading.conftest import TICKERS, close_on
from tests.trading.fake_tws import ACCOUNT, FakeTws
from trading.broker.ibkr import IbkrBroker
from trading.rebalance import (
    Rebalance,
    RunConfig,
    RunReport,
    client_order_id,
    config_from_args,
    is_paper_account,
    refusal,
)

AS_OF = date(2024, 3, 1)
#: Monday 2024-03-04 11:00 New York, a trading hour (IBKR runs use a fixed clock)
MARKET_OPEN = datetime(2024, 3, 4, 16, 0, tzinfo=UTC)


def settings(lake: Lake, pg_url: str, **env: str) -> Settings:
    base = {"LAKE_URI": lake.uri, "AIHF_PG_URL": pg_url, "TRADING_SIM_CASH": "1000000", **env}
    return Settings.from_env(env=base, dotenv=Path("/nonexistent/.env"))


def config(s: Settings, **changes: Any) -> RunConfig:
    fields: dict[str, Any] = {
        "mode": "paper",
        "live_flag": False,
        "live_confirmation": "",
        "broker": "sim",
        "account": "SIM",
        "as_of": AS_OF,
        "fill_timeout_s": 2.0,
        "poll_interval_s": 0.05,
        "cancel_grace_s": 1.0,
        "actor": "pytest",
        "settings": s,
        **changes,
    }
    return RunConfig(**fields)


def rows(pg_url: str, sql: str) -> list[tuple[Any, ...]]:
    with psycopg.connect(pg_url) as conn:
        return conn.execute(sql).fetchall()


def test_refusals() -> None:
    s = Settings.from_env(env={}, dotenv=Path("/nonexistent/.env"))
    base = config(s, as_of=None)
    assert refusal(base) is None
    live = msgspec.structs.replace(base, mode="live", broker="ibkr", account="U1")
    assert refusal(live) == "live trading needs the --live flag (TRADING_MODE=live alone is not enough)"
    flagged = msgspec.structs.replace(live, live_flag=True)
    assert refusal(flagged) == "live trading needs AIHF_LIVE_TRADING=I_UNDERSTAND in the environment"
    assert refusal(msgspec.structs.replace(flagged, live_confirmation="I_UNDERSTAND")) is None
    sim_live = msgspec.structs.replace(flagged, live_confirmation="I_UNDERSTAND", broker="sim")
    assert refusal(sim_live) == "live trading needs TRADING_BROKER=ibkr (the sim broker is paper only)"
    assert refusal(msgspec.structs.replace(base, broker="ibkr", account="")) == (
        "IBKR_ACCOUNT is empty: name the IBKR (paper) account to trade"
    )
    assert is_paper_account(base) and is_paper_account(
        msgspec.structs.replace(base, broker="ibkr", account="DU1")
    )
    assert not is_paper_account(msgspec.structs.replace(base, mode="dry-run", broker="ibkr", account="U1"))
    assert not is_paper_account(flagged)
    cfg = config_from_args(["--live"], s)
    assert (cfg.mode, cfg.live_flag, cfg.broker, cfg.account) == ("live", True, "sim", "SIM")
    assert config_from_args([], s).mode == "dry-run"  # the default


def test_sim_paper_run_fills_at_next_open_with_slippage(prices_lake: Lake, pg_url: str) -> None:
    s = settings(prices_lake, pg_url)
    report = asyncio.run(Rebalance(config(s)).run())
    assert report.status == "completed", report.text()
    assert report.targets == {t: pytest.approx(1 / 7) for t in TICKERS}
    by = {o.ticker: o for o in report.orders}
    # 1,000,000 x 0.98 / 7 = 140,000 USD per name at the 2024-02-29 close; AAPL 140000 / 180.75 = 774.6
    assert by["AAPL"].quantity == 774 and by["AAPL"].ref_price == 180.75
    # filled at the 2024-03-01 open 179.550003 plus 5 bps of slippage
    assert by["AAPL"].avg_fill_price == pytest.approx(179.550003 * 1.0005, abs=1e-6)
    assert by["AAPL"].commission == pytest.approx(3.87)  # 774 x 0.005
    assert all(o.status == "filled" and o.filled_quantity == o.quantity for o in report.orders)
    assert report.positions_after == {o.ticker: float(o.quantity) for o in report.orders}
    stored = rows(pg_url, "SELECT status, count(*) FROM trading.orders GROUP BY status")
    assert stored == [("filled", 7)]
    assert rows(pg_url, "SELECT count(*) FROM trading.executions") == [(7,)]
    (versions,) = rows(
        pg_url, "SELECT DISTINCT lake_versions FROM trading.audit WHERE action = 'order.filled'"
    )
    assert versions == ({"prices": table_version(prices_lake, PRICES)},) == ({"prices": 2},)
    run_status = rows(pg_url, "SELECT status, report->>'status' FROM trading.runs")
    assert run_status == [("completed", "completed")]

    again = asyncio.run(Rebalance(config(s)).run())
    # the account now holds the targets (valued at the 02-29 close): at most a share or two to adjust
    assert again.status in ("completed", "completed-with-issues")
    assert all(o.quantity <= 2 for o in again.orders), again.text()
    assert again.equity == pytest.approx(
        report.equity
        - sum(o.filled_quantity * (o.avg_fill_price - o.ref_price) + o.commission for o in report.orders),
        rel=1e-9,
    )


def test_dry_run_and_kill_switch_place_nothing(prices_lake: Lake, pg_url: str, monkeypatch: Any) -> None:
    s = settings(prices_lake, pg_url, TRADING_RISK_LIMITS=str(Path("infra/risk_limits.toml").resolve()))
    dry = asyncio.run(Rebalance(config(s, mode="dry-run")).run())
    assert dry.status == "dry-run" and len(dry.orders) == 7
    assert {o.status for o in dry.orders} == {"planned"}
    monkeypatch.setenv("TRADING_KILL_SWITCH", "on")
    killed = asyncio.run(Rebalance(config(s)).run())
    assert killed.status == "kill-switch" and "TRADING_KILL_SWITCH is on: no order placed" in killed.events
    assert rows(pg_url, "SELECT count(*) FROM trading.orders") == [(0,)]
    assert [
        r[0] for r in rows(pg_url, "SELECT action FROM trading.audit WHERE action LIKE 'run.%' ORDER BY 1")
    ] == [
        "run.dry-run",
        "run.finished",
        "run.finished",
        "run.kill-switch",
        "run.started",
        "run.started",
    ]


def test_risk_rejections_are_recorded_with_the_limit(prices_lake: Lake, pg_url: str, tmp_path: Path) -> None:
    (tmp_path / "limits.toml").write_text("max_order_notional = 100000\nblocklist = ['TSLA']\n")
    s = settings(prices_lake, pg_url, TRADING_RISK_LIMITS=str(tmp_path / "limits.toml"))
    report = asyncio.run(Rebalance(config(s)).run())
    assert report.status == "completed-with-issues"
    assert {t: [b["limit"] for b in r] for t, r in report.risk_rejections.items()} == {
        t: ["max_order_notional"] for t in TICKERS if t != "TSLA"
    } | {"TSLA": ["blocklisted", "max_order_notional"]}
    aapl = next(o for o in report.orders if o.ticker == "AAPL")
    assert aapl.status == "rejected"
    assert aapl.reason == "max_order_notional: order notional 139,900.50 > max 100,000.00 by 39,900.50 USD"
    assert rows(pg_url, "SELECT reason FROM trading.orders WHERE ticker = 'AAPL'") == [(aapl.reason,)]


def ibkr_prices() -> dict[str, float]:
    return {t: close_on(t, "2024-03-08") for t in TICKERS}


async def ibkr_run(s: Settings, tws: FakeTws, **changes: Any) -> RunReport:
    port = await tws.start()
    s = msgspec.structs.replace(s, ibkr_port=port, ibkr_account=ACCOUNT)
    cfg = config(s, broker="ibkr", account=ACCOUNT, as_of=None, **changes)
    return await Rebalance(cfg, clock=MARKET_OPEN).run()


def test_ibkr_run_survives_disconnect_partial_fill_and_rejection(prices_lake: Lake, pg_url: str) -> None:
    s = settings(prices_lake, pg_url)
    tws = FakeTws(
        prices=ibkr_prices(), behaviour={"TSLA": "partial:100", "MSFT": "reject"}, drop_after_orders=3
    )

    async def main() -> RunReport:
        try:
            return await ibkr_run(s, tws)
        finally:
            await tws.stop()

    report = asyncio.run(main())
    by = {o.ticker: o for o in report.orders}
    assert report.status == "completed-with-issues", report.text()
    assert by["MSFT"].status == "rejected"
    assert by["MSFT"].reason.startswith("broker error 201: Error 201")
    assert by["TSLA"].status == "cancelled" and by["TSLA"].filled_quantity == 100
    assert by["NFLX"].status == "filled"  # executed while the connection was down, learned after reconnecting
    assert {t for t, o in by.items() if o.status == "filled"} == {"AAPL", "NFLX", "NVDA", "ORCL", "UNP"}
    assert "broker: connection to TWS lost" in report.events and "broker: reconnected to TWS" in report.events
    assert any(e.startswith("fill timeout (2 s): cancelling") for e in report.events)
    # nothing was sent twice: one placeOrder per ticker, the broker's positions equal the filled quantities
    assert sorted(f[3] for f in tws.placed()) == sorted(TICKERS)
    expected = {t: o.filled_quantity for t, o in by.items() if o.filled_quantity}
    assert report.positions_after == expected
    assert {t: q for t, (q, _) in tws.positions.items()} == expected
    # the order store agrees with the broker: fills, statuses and reconciled positions
    filled = dict(
        rows(
            pg_url,
            "SELECT o.ticker, sum(e.quantity)::float FROM trading.executions e JOIN trading.orders o USING (client_order_id) GROUP BY 1",
        )
    )
    assert filled == expected
    assert dict(rows(pg_url, "SELECT ticker, quantity::float FROM trading.positions")) == expected
    aapl_id = client_order_id(ACCOUNT, date(2024, 3, 4), "AAPL", "BUY", by["AAPL"].quantity)
    assert by["AAPL"].client_order_id == aapl_id
    assert by["AAPL"].commission == pytest.approx(max(1.0, by["AAPL"].quantity * 0.005))


def test_order_lost_in_a_disconnect_is_sent_again_once(prices_lake: Lake, pg_url: str) -> None:
    s = settings(prices_lake, pg_url)
    tws = FakeTws(prices=ibkr_prices(), drop_after_orders=2, drop_loses_order=True)

    async def main() -> RunReport:
        try:
            return await ibkr_run(s, tws)
        finally:
            await tws.stop()

    report = asyncio.run(main())
    assert report.status == "completed", report.text()
    # MSFT's first placeOrder was lost with the connection; after reconnecting it is not known, so sent again
    assert sorted(f[3] for f in tws.placed()) == sorted([*TICKERS, "MSFT"])
    assert len(tws.executions) == 7 and tws.connections == 2
    assert report.positions_after == {o.ticker: float(o.quantity) for o in report.orders}


def test_second_concurrent_run_is_locked_out(prices_lake: Lake, pg_url: str) -> None:
    s = settings(prices_lake, pg_url)
    tws = FakeTws(prices=ibkr_prices(), behaviour={t: "hold" for t in TICKERS})

    async def main() -> tuple[RunReport, RunReport]:
        try:
            first = asyncio.create_task(ibkr_run(s, tws, fill_timeout_s=1.5))
            while len(tws.placed()) < 7:
                await asyncio.sleep(0.05)
            port = tws.port
            cfg = config(
                msgspec.structs.replace(s, ibkr_port=port, ibkr_account=ACCOUNT),
                broker="ibkr",
                account=ACCOUNT,
                as_of=None,
            )
            second = await Rebalance(cfg, clock=MARKET_OPEN).run()
            return await first, second
        finally:
            await tws.stop()

    first, second = asyncio.run(main())
    assert second.status == "locked" and second.orders == []
    assert second.events == [f"another rebalance of {ACCOUNT} is in progress: nothing done"]
    assert first.status == "completed-with-issues"
    assert {o.status for o in first.orders} == {"cancelled"}  # held orders cancelled at the timeout
    assert len(tws.placed()) == 7 and len(tws.placed(4)) == 7
    assert rows(pg_url, "SELECT count(*), count(DISTINCT client_order_id) FROM trading.orders") == [(7, 7)]
    assert rows(pg_url, "SELECT count(*) FROM trading.audit WHERE action = 'run.locked'") == [(1,)]


def test_a_backtest_strategy_is_a_target_source(prices_lake: Lake, pg_url: str) -> None:
    s = settings(prices_lake, pg_url, TRADING_STRATEGY="equal_weight", TRADING_UNIVERSE="AAPL,MSFT,UNP")
    report = asyncio.run(Rebalance(config(s, mode="dry-run")).run())
    assert report.status == "dry-run", report.text()
    assert report.targets == {t: pytest.approx(1 / 3) for t in ("AAPL", "MSFT", "UNP")}
    assert report.lake_versions["prices"] == table_version(prices_lake, PRICES)
    assert "signals" in report.lake_versions  # the view's tables are recorded too (absent here: None)
    aapl = next(o for o in report.orders if o.ticker == "AAPL")
    assert aapl.quantity == 1807  # 1,000,000 x 0.98 / 3 / 180.75 (2024-02-29 close)


def test_broker_gone_for_good_leaves_a_consistent_incomplete_run(prices_lake: Lake, pg_url: str) -> None:
    s = settings(prices_lake, pg_url)
    tws = FakeTws(prices=ibkr_prices(), behaviour=dict.fromkeys(TICKERS, "hold"))

    def quick_reconnects(cfg: RunConfig, *_: Any) -> IbkrBroker:
        st = cfg.settings
        return IbkrBroker(
            st.ibkr_host, st.ibkr_port, st.ibkr_client_id, cfg.account, is_paper=True, reconnect_attempts=2,
            reconnect_delay=0.05,
        )  # fmt: skip

    async def main() -> RunReport:
        port = await tws.start()
        cfg = config(
            msgspec.structs.replace(s, ibkr_port=port, ibkr_account=ACCOUNT),
            broker="ibkr",
            account=ACCOUNT,
            as_of=None,
            fill_timeout_s=30.0,
        )
        run = asyncio.create_task(Rebalance(cfg, broker_factory=quick_reconnects, clock=MARKET_OPEN).run())
        while len(tws.placed()) < 7:
            await asyncio.sleep(0.05)
        await tws.stop()  # TWS goes away with seven working orders
        return await run

    report = asyncio.run(main())
    assert report.status == "incomplete"
    assert any(e.startswith("broker lost while waiting for fills") for e in report.events)
    assert any(e.startswith("positions not reconciled after the run") for e in report.events)
    assert "broker: reconnect failed after 2 attempts" in report.events
    # the store still says what is known: seven orders sent, none filled, none assumed cancelled
    assert rows(pg_url, "SELECT status, count(*) FROM trading.orders GROUP BY status") == [("submitted", 7)]
    assert rows(pg_url, "SELECT status FROM trading.runs") == [("incomplete",)]
