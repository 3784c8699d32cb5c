"""Defence in depth of the pre-trade checks: bad prices, bad equity, blocklist spelling, price dates, limits."""

from __future__ import annotations

import math
from datetime import UTC, date, datetime
from pathlib import Path

import pytest

from trading.orders import ProposedOrder, limit_price
from trading.risk import RiskLimits, check_orders, load_limits

#: Thursday 2024-02-29 11:00 New York
OPEN = datetime(2024, 2, 29, 16, 0, tzinfo=UTC)
YESTERDAY = date(2024, 2, 28)


def order(
    ticker: str = "AAPL", price: float = 180.75, quantity: int = 100, side: str = "BUY"
) -> ProposedOrder:
    return ProposedOrder(
        ticker=ticker,
        side=side,  # type: ignore[arg-type]
        quantity=quantity,
        ref_price=price,
        current_quantity=0,
        target_quantity=quantity,
        target_weight=0.1,
    )


def decide(o: ProposedOrder, **kw: object) -> dict[str, str]:
    """limit -> message of every breach of one order (empty: accepted)."""
    args: dict[str, object] = {
        "limits": RiskLimits(),
        "positions": {},
        "prices": {o.ticker: o.ref_price},
        "reference": {o.ticker: 180.0},
        "equity": 1_000_000.0,
        "traded_today": 0.0,
        "now": OPEN,
        "price_dates": {o.ticker: YESTERDAY},
        **kw,
    }
    (decision,) = check_orders([o], **args)  # type: ignore[arg-type]
    return {b.limit: b.message for b in decision.breaches}


def test_a_good_order_passes() -> None:
    assert decide(order()) == {}


@pytest.mark.parametrize("bad", [math.nan, math.inf, -math.inf])
def test_non_finite_price_is_rejected(bad: float) -> None:
    # before: NaN/inf compared False with every limit, so the order passed them all
    found = decide(order(price=bad), prices={"AAPL": bad})
    assert found["price_nonfinite"] == f"price of AAPL is {bad}"
    assert set(found) <= {"price_nonfinite", "max_order_notional"}  # +inf is also over the notional limit


def test_non_positive_price_is_rejected() -> None:
    found = decide(order(price=0.0))
    assert found["price_nonpositive"] == "price of AAPL is 0"


@pytest.mark.parametrize("bad", [math.nan, math.inf, 0.0, -5.0])
def test_unusable_collar_reference_is_rejected(bad: float) -> None:
    found = decide(order(), reference={"AAPL": bad})
    assert list(found) == ["collar_reference_missing"]
    assert decide(order(), reference={})["collar_reference_missing"].startswith("no usable reference price")


def test_collar_names_both_prices() -> None:
    # the case: the last close 1.69 (a lake error for 169), the reference the median of earlier closes
    found = decide(order(price=1.69, quantity=82_840), reference={"AAPL": 169.0})
    assert found["collar_breach"] == (
        "price 1.6900 of AAPL is 99.00% from reference 169.0000 > collar 10.00% by 89.00%"
    )


@pytest.mark.parametrize("equity", [0.0, -50_000.0])
def test_non_positive_equity_is_rejected(equity: float) -> None:
    # before: 0 raised ZeroDivisionError, a negative equity passed every ratio limit
    found = decide(order(), equity=equity)
    assert found == {
        "equity_nonpositive": f"equity {equity:,.2f} is not positive: nothing can be sized against it"
    }


def test_non_finite_equity_is_rejected() -> None:
    assert decide(order(), equity=math.nan) == {"equity_nonfinite": "equity is nan"}


@pytest.mark.parametrize("spelling", ["tsla", "TSLA ", " Tsla"])
def test_blocklist_ignores_case_and_blanks(spelling: str) -> None:
    limits = RiskLimits(blocklist=("TSLA",))
    found = decide(order(spelling, 200.0), limits=limits, reference={spelling: 200.0})
    assert found == {"blocklisted": f"{spelling} is blocklisted"}
    lower = RiskLimits(blocklist=(" tsla",))  # a list written in lower case, not through load_limits
    assert "blocklisted" in decide(order("TSLA", 200.0), limits=lower, reference={"TSLA": 200.0})


def test_blocklist_file_is_normalized(tmp_path: Path) -> None:
    (tmp_path / "l.toml").write_text("blocklist = [' tsla ', 'Nvda']\n")
    assert load_limits(tmp_path / "l.toml").blocklist == ("TSLA", "NVDA")
    (tmp_path / "bad.toml").write_text("reference_closes = 0\n")
    with pytest.raises(ValueError, match="reference_closes must be >= 1"):
        load_limits(tmp_path / "bad.toml")


def test_missing_price_date_is_rejected() -> None:
    # before: a missing price_dates (or a ticker missing from it) skipped the staleness check
    assert decide(order(), price_dates={}) == {"missing_price_date": "price of AAPL has no date"}


def test_price_dated_in_the_future_is_rejected() -> None:
    found = decide(order(), price_dates={"AAPL": date(2024, 3, 1)})
    assert found == {"price_future": "price of AAPL is dated 2024-03-01, after the trading day 2024-02-29"}
    assert decide(order(), price_dates={"AAPL": date(2024, 2, 29)}) == {}  # the trading day itself is not


def test_stale_price_is_rejected() -> None:
    found = decide(order(), price_dates={"AAPL": date(2024, 2, 20)})
    assert found == {"price_stale": "last close of AAPL is from 2024-02-20 (9 days old) > max 5 by 4 days"}


def test_flagged_price_is_rejected() -> None:
    found = decide(order(), price_flags={"AAPL": ("ohlc_outside_range",)})
    assert found == {"price_flagged": "price 180.7500 of AAPL (2024-02-28) is flagged ohlc_outside_range"}


def test_rejection_reason_starts_with_the_limit() -> None:
    (decision,) = check_orders(
        [order()],
        limits=RiskLimits(),
        positions={},
        prices={},
        reference={"AAPL": 180.0},
        equity=0.0,
        traded_today=0.0,
        now=OPEN,
        price_dates={},
    )
    assert decision.reason == (
        "equity_nonpositive: equity 0.00 is not positive: nothing can be sized against it; "
        "missing_price_date: price of AAPL has no date"
    )


def test_limit_price_is_reference_plus_minus_collar_on_a_tick() -> None:
    assert limit_price("BUY", 180.75, 0.10) == 198.82  # 198.825 rounded down: never outside the collar
    assert limit_price("SELL", 180.75, 0.10) == 162.68  # 162.675 rounded up
    assert limit_price("BUY", 180.0, 0.10) == 198.0
    assert limit_price("BUY", 0.5, 0.10) == 0.55  # sub-dollar prices tick at 0.0001
    assert limit_price("SELL", 0.12345, 0.0) == 0.1235
    with pytest.raises(ValueError, match="finite and positive"):
        limit_price("BUY", math.nan, 0.1)


def test_broker_quote_is_a_second_collar_centre() -> None:
    assert decide(order(), quotes={"AAPL": 181.0}) == {}
    found = decide(order(), quotes={"AAPL": 150.0})
    assert found == {
        "collar_breach": "price 180.7500 of AAPL is 20.50% from broker quote 150.0000 > collar 10.00% by 10.50%"
    }
    assert decide(order(), quotes={"AAPL": math.nan}) == {}  # no usable quote: the lake reference alone


def test_unknown_exposure_blocks_orders_that_add_to_it() -> None:
    # a held position valued at NaN made the gross exposure NaN, and every comparison with it False
    found = decide(order(), positions={"MSFT": 100.0}, prices={"MSFT": math.nan, "AAPL": 180.75})
    assert found == {"exposure_unknown": "gross exposure is nan (a held position has no usable price)"}
    sell = order(side="SELL", quantity=100)
    assert (
        decide(sell, positions={"AAPL": 100.0, "MSFT": 1.0}, prices={"MSFT": math.nan, "AAPL": 180.75}) == {}
    )
