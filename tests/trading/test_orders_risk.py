"""Target weights -> orders and the pre-trade risk checks, on real closes of 2024-02-29."""

from __future__ import annotations

from datetime import UTC, date, datetime
from pathlib import Path

import msgspec
import pytest

from lake.settings import PROJECT_ROOT
from tests.trading.conftest import close_on
from trading.orders import equity_of, orders_from_targets, round_to_lot
from trading.risk import RiskLimits, check_orders, in_trading_hours, load_limits

DAY = "2024-02-29"
#: Thursday 2024-02-29 11:00 New York
OPEN = datetime(2024, 2, 29, 16, 0, tzinfo=UTC)


@pytest.fixture
def prices() -> dict[str, float]:
    return {t: close_on(t, DAY) for t in ("AAPL", "MSFT", "NVDA", "TSLA")}


def test_real_closes_are_read() -> None:
    assert close_on("AAPL", DAY) == 180.75 and close_on("NVDA", DAY) == 791.119995


def test_round_to_lot_goes_toward_zero() -> None:
    assert round_to_lot(1355.46, 1) == 1355
    assert round_to_lot(1355.46, 100) == 1300
    assert round_to_lot(-250.9, 100) == -200
    assert round_to_lot(99.99, 100) == 0
    with pytest.raises(ValueError, match="lot_size"):
        round_to_lot(5, 0)


def test_equal_weights_from_cash_become_whole_shares(prices: dict[str, float]) -> None:
    targets = {t: 0.25 for t in prices}
    plan = orders_from_targets(targets, {}, prices, 1_000_000.0, cash_buffer_pct=0.02)
    assert plan.investable == pytest.approx(980_000.0)
    by = {o.ticker: o for o in plan.orders}
    # 245,000 USD per name: AAPL 245000/180.75 = 1355.5 -> 1355; NVDA 245000/791.119995 = 309.7 -> 309
    assert {t: o.quantity for t, o in by.items()} == {"AAPL": 1355, "MSFT": 592, "NVDA": 309, "TSLA": 1213}
    assert all(o.side == "BUY" for o in plan.orders)
    spent = sum(o.notional for o in plan.orders)
    assert 975_000 < spent <= 980_000


def test_positions_are_netted_sells_first_and_lots_respected(prices: dict[str, float]) -> None:
    positions = {"AAPL": 2000.0, "MSFT": 100.0, "ORCL": 37.0}
    prices = {**prices, "ORCL": close_on("ORCL", DAY)}
    equity = equity_of(100_000.0, positions, prices)
    assert equity == pytest.approx(100_000 + 2000 * 180.75 + 100 * 413.640015 + 37 * 111.68)
    plan = orders_from_targets({"AAPL": 0.5, "MSFT": 0.5}, positions, prices, equity, lot_size=10)
    assert [(o.side, o.ticker) for o in plan.orders] == [("SELL", "AAPL"), ("SELL", "ORCL"), ("BUY", "MSFT")]
    aapl, orcl, msft = plan.orders
    assert orcl.quantity == 37 and orcl.target_quantity == 0  # a closed position sells its odd lot too
    # equity 506,996.16: AAPL target 0.5 x equity / 180.75 = 1402.5 -> 1400 (lots of 10): sell 600
    assert (aapl.target_quantity, aapl.quantity) == (1400, 600)
    assert (msft.target_quantity, msft.quantity) == (610, 510)


def test_missing_price_is_skipped_not_guessed(prices: dict[str, float]) -> None:
    plan = orders_from_targets({"AAPL": 0.5, "ZZZZ": 0.5}, {}, prices, 100_000.0)
    assert [o.ticker for o in plan.orders] == ["AAPL"]
    assert plan.skipped == {"ZZZZ": "no usable price (None)"}
    with pytest.raises(ValueError, match=r"sum to 1\.200000 > 1"):
        orders_from_targets({"AAPL": 0.6, "MSFT": 0.6}, {}, prices, 100_000.0)
    with pytest.raises(ValueError, match="no price for held positions ZZZZ"):
        equity_of(0.0, {"ZZZZ": 5}, prices)


def test_limits_file_is_the_documented_defaults(tmp_path: Path) -> None:
    assert load_limits(PROJECT_ROOT / "infra" / "risk_limits.toml") == RiskLimits()
    (tmp_path / "l.toml").write_text("max_order_notional = 1000\nblocklist = ['tsla']\n")
    limits = load_limits(tmp_path / "l.toml")
    assert limits.max_order_notional == 1000 and limits.blocklist == ("TSLA",) and limits.lot_size == 1
    (tmp_path / "bad.toml").write_text("max_order_size = 1\n")
    with pytest.raises(ValueError, match="max_order_size"):
        load_limits(tmp_path / "bad.toml")


def test_trading_hours_are_new_york_weekdays() -> None:
    limits = RiskLimits()
    assert in_trading_hours(OPEN, limits)
    assert not in_trading_hours(datetime(2024, 2, 29, 14, 29, tzinfo=UTC), limits)  # 09:29 New York
    assert in_trading_hours(datetime(2024, 2, 29, 14, 30, tzinfo=UTC), limits)
    assert not in_trading_hours(datetime(2024, 3, 2, 16, 0, tzinfo=UTC), limits)  # Saturday


#: the defaults, but room for four names at 24.5% each
BASE = RiskLimits(max_position_pct=0.3)


def _limits(**changes: object) -> RiskLimits:
    return msgspec.structs.replace(BASE, **changes)


def _decide(prices: dict[str, float], limits: RiskLimits, **kw: object) -> dict[str, str]:
    plan = orders_from_targets({t: 0.25 for t in prices}, {}, prices, 1_000_000.0, cash_buffer_pct=0.02)
    args: dict[str, object] = {
        "limits": limits,
        "positions": {},
        "prices": prices,
        "reference": prices,
        "equity": 1_000_000.0,
        "traded_today": 0.0,
        "now": OPEN,
        "price_dates": dict.fromkeys(prices, date(2024, 2, 28)),
        **kw,
    }
    return {d.order.ticker: d.reason for d in check_orders(plan.orders, **args)}  # type: ignore[arg-type]


def test_every_limit_says_which_and_by_how_much(prices: dict[str, float]) -> None:
    assert set(_decide(prices, BASE).values()) == {""}
    # AAPL 1355 x 180.75 = 244,916.25 USD
    assert _decide(prices, _limits(max_order_notional=200_000))["AAPL"] == (
        "max_order_notional: order notional 244,916.25 > max 200,000.00 by 44,916.25 USD"
    )
    assert _decide(prices, _limits(blocklist=("TSLA",)))["TSLA"] == "blocklisted: TSLA is blocklisted"
    assert _decide(prices, _limits(max_position_pct=0.2))["AAPL"] == (
        "max_position_pct: AAPL position would be 24.49% of equity > max 20.00% by 4.49%"
    )
    # gross: the first three fit into 0.75, the fourth (TSLA, 24.5%) would make it 97.9%
    gross = _decide(prices, _limits(max_gross_exposure=0.75))
    assert [t for t, r in gross.items() if r] == ["TSLA"]
    assert (
        gross["TSLA"].startswith("max_gross_exposure: gross exposure would be 97.9")
        and "> max 75.00%" in gross["TSLA"]
    )
    turnover = _decide(prices, BASE, traded_today=600_000.0)
    assert turnover["AAPL"] == "" and turnover["MSFT"] == (
        "max_daily_turnover_pct: today's turnover would be 108.98% of equity > max 100.00% by 8.98%"
    )
    collar = _decide(prices, BASE, reference={**prices, "NVDA": 700.0})
    assert collar["NVDA"] == (
        "collar_breach: price 791.1200 of NVDA is 13.02% from reference 700.0000 > collar 10.00% by 3.02%"
    )
    dates = dict.fromkeys(prices, date(2024, 2, 28))
    stale = _decide(prices, BASE, price_dates={**dates, "AAPL": date(2024, 2, 20)})
    assert (
        stale["AAPL"] == "price_stale: last close of AAPL is from 2024-02-20 (9 days old) > max 5 by 4 days"
    )
    assert stale["MSFT"] == ""
    closed = _decide(prices, BASE, now=datetime(2024, 3, 2, 16, 0, tzinfo=UTC))
    assert (
        closed["AAPL"]
        == "trading_hours: market closed at Sat 2024-03-02 11:00 New York (session 09:30-16:00 Mon-Fri)"
    )


def test_breach_records_value_threshold_and_excess(prices: dict[str, float]) -> None:
    plan = orders_from_targets({"AAPL": 1.0}, {}, prices, 100_000.0)
    (decision,) = check_orders(
        plan.orders,
        limits=RiskLimits(max_order_notional=50_000),
        positions={},
        prices=prices,
        reference=prices,
        equity=100_000.0,
        traded_today=0.0,
        now=OPEN,
        price_dates=dict.fromkeys(prices, date(2024, 2, 28)),
    )
    limits = {b.limit: b for b in decision.breaches}
    assert set(limits) == {"max_order_notional", "max_position_pct"}
    assert limits["max_order_notional"].excess == pytest.approx(553 * 180.75 - 50_000)
    assert msgspec.json.decode(msgspec.json.encode(decision.breaches[0]))["limit"] == "max_order_notional"
