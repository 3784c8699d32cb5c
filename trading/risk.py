"""Pre-trade risk limits (one TOML file, see infra/risk_limits.toml) and the checks of a plan's orders (pure)."""

from __future__ import annotations

import tomllib
from collections.abc import Iterable, Mapping
from datetime import date, datetime, time
from pathlib import Path
from zoneinfo import ZoneInfo

import msgspec

from trading.orders import ProposedOrder

NEW_YORK = ZoneInfo("America/New_York")


class RiskLimits(msgspec.Struct, frozen=True, kw_only=True, forbid_unknown_fields=True):
    """The limits; the defaults equal infra/risk_limits.toml (fractions are of net liquidation)."""

    max_position_pct: float = 0.20
    max_gross_exposure: float = 1.0
    max_order_notional: float = 250_000.0
    max_daily_turnover_pct: float = 1.0
    blocklist: tuple[str, ...] = ()
    price_collar_pct: float = 0.10
    max_price_age_days: int = 5
    enforce_trading_hours: bool = True
    session_open: str = "09:30"
    session_close: str = "16:00"
    cash_buffer_pct: float = 0.02
    lot_size: int = 1


def load_limits(path: str | Path) -> RiskLimits:
    """Read limits from a TOML file; keys left out keep their defaults.

    Raises:
        ValueError: the file is missing, is not TOML, has an unknown key or a value of the wrong type.
    """
    try:
        raw = tomllib.loads(Path(path).read_text(encoding="utf-8"))
        limits = msgspec.convert(raw, RiskLimits)
    except (OSError, tomllib.TOMLDecodeError, msgspec.ValidationError) as exc:
        raise ValueError(f"risk limits {path}: {exc}") from exc
    time.fromisoformat(limits.session_open), time.fromisoformat(limits.session_close)
    return msgspec.structs.replace(limits, blocklist=tuple(t.upper() for t in limits.blocklist))


class Breach(msgspec.Struct, frozen=True, kw_only=True):
    """One limit an order breaks: the value it would reach, the limit, and by how much it is exceeded."""

    limit: str
    value: float
    threshold: float
    message: str

    @property
    def excess(self) -> float:
        """How far the value is over the limit (in the limit's unit)."""
        return self.value - self.threshold


class RiskDecision(msgspec.Struct, frozen=True, kw_only=True):
    """An order with the limits it breaks (accepted when there are none)."""

    order: ProposedOrder
    breaches: tuple[Breach, ...]

    @property
    def accepted(self) -> bool:
        """True when no limit is broken."""
        return not self.breaches

    @property
    def reason(self) -> str:
        """The breaches as one line ('' when accepted)."""
        return "; ".join(b.message for b in self.breaches)


def in_trading_hours(now: datetime, limits: RiskLimits) -> bool:
    """True on a weekday between the session's New York open (inclusive) and close (exclusive)."""
    local = now.astimezone(NEW_YORK)
    start, end = time.fromisoformat(limits.session_open), time.fromisoformat(limits.session_close)
    return local.weekday() < 5 and start <= local.time() < end


def check_orders(
    orders: Iterable[ProposedOrder],
    *,
    limits: RiskLimits,
    positions: Mapping[str, float],
    prices: Mapping[str, float],
    last_close: Mapping[str, float],
    equity: float,
    traded_today: float,
    now: datetime,
    price_dates: Mapping[str, date] | None = None,
) -> list[RiskDecision]:
    """Check each order in turn against every limit; accepted orders count toward the next one's exposure.

    Args:
        orders: the plan's orders (sells first, so freed exposure is seen by the buys).
        limits: the limits.
        positions: ticker -> shares held before the plan.
        prices: ticker -> price used to value positions (the reference prices of the plan).
        last_close: ticker -> last close, the centre of the price collar.
        equity: net liquidation value.
        traded_today: USD notional already traded (placed) today on this account.
        now: the time of placement (aware), for the trading-hours check.
        price_dates: ticker -> date of its last close; older than ``max_price_age_days`` before ``now``'s New
            York date is a breach (orders sized on stale prices).

    Returns:
        One decision per order, in order.
    """
    if now.tzinfo is None:
        raise ValueError("now must be timezone-aware")
    held = dict(positions)
    gross = sum(abs(q) * prices.get(t, 0.0) for t, q in held.items())
    turnover = traded_today
    open_now = in_trading_hours(now, limits)
    decisions: list[RiskDecision] = []
    for order in orders:
        breaches: list[Breach] = []
        price = order.ref_price
        if order.ticker in limits.blocklist:
            breaches.append(
                Breach(limit="blocklist", value=1, threshold=0, message=f"{order.ticker} is blocklisted")
            )
        if limits.enforce_trading_hours and not open_now:
            local = now.astimezone(NEW_YORK)
            breaches.append(
                Breach(
                    limit="trading_hours",
                    value=0,
                    threshold=1,
                    message=f"market closed at {local:%a %Y-%m-%d %H:%M} New York "
                    f"(session {limits.session_open}-{limits.session_close} Mon-Fri)",
                )
            )
        if order.notional > limits.max_order_notional:
            breaches.append(
                Breach(
                    limit="max_order_notional",
                    value=order.notional,
                    threshold=limits.max_order_notional,
                    message=f"order notional {order.notional:,.2f} > max {limits.max_order_notional:,.2f} "
                    f"by {order.notional - limits.max_order_notional:,.2f} USD",
                )
            )
        close = last_close.get(order.ticker)
        if close is None or close <= 0:
            breaches.append(
                Breach(
                    limit="price_collar",
                    value=price,
                    threshold=0,
                    message=f"no last close for {order.ticker}",
                )
            )
        else:
            deviation = abs(price / close - 1)
            if deviation > limits.price_collar_pct:
                breaches.append(
                    Breach(
                        limit="price_collar",
                        value=deviation,
                        threshold=limits.price_collar_pct,
                        message=f"price {price:.4f} is {deviation:.2%} from last close {close:.4f} "
                        f"> collar {limits.price_collar_pct:.2%} by {deviation - limits.price_collar_pct:.2%}",
                    )
                )
        priced = (price_dates or {}).get(order.ticker)
        if priced is not None:
            age = (now.astimezone(NEW_YORK).date() - priced).days
            if age > limits.max_price_age_days:
                breaches.append(
                    Breach(
                        limit="max_price_age_days",
                        value=age,
                        threshold=limits.max_price_age_days,
                        message=f"last close of {order.ticker} is from {priced} ({age} days old) "
                        f"> max {limits.max_price_age_days} by {age - limits.max_price_age_days} days",
                    )
                )
        before = held.get(order.ticker, 0.0)
        after = before + order.signed_quantity
        position_pct = abs(after) * price / equity
        if abs(after) > abs(before) and position_pct > limits.max_position_pct:
            breaches.append(
                Breach(
                    limit="max_position_pct",
                    value=position_pct,
                    threshold=limits.max_position_pct,
                    message=f"{order.ticker} position would be {position_pct:.2%} of equity "
                    f"> max {limits.max_position_pct:.2%} by {position_pct - limits.max_position_pct:.2%}",
                )
            )
        new_gross = gross + (abs(after) - abs(before)) * price
        if new_gross > gross and new_gross / equity > limits.max_gross_exposure:
            exposure = new_gross / equity
            breaches.append(
                Breach(
                    limit="max_gross_exposure",
                    value=exposure,
                    threshold=limits.max_gross_exposure,
                    message=f"gross exposure would be {exposure:.2%} > max {limits.max_gross_exposure:.2%} "
                    f"by {exposure - limits.max_gross_exposure:.2%}",
                )
            )
        turnover_pct = (turnover + order.notional) / equity
        if turnover_pct > limits.max_daily_turnover_pct:
            breaches.append(
                Breach(
                    limit="max_daily_turnover_pct",
                    value=turnover_pct,
                    threshold=limits.max_daily_turnover_pct,
                    message=f"today's turnover would be {turnover_pct:.2%} of equity "
                    f"> max {limits.max_daily_turnover_pct:.2%} by {turnover_pct - limits.max_daily_turnover_pct:.2%}",
                )
            )
        decision = RiskDecision(order=order, breaches=tuple(breaches))
        if decision.accepted:
            held[order.ticker] = after
            gross = new_gross
            turnover += order.notional
        decisions.append(decision)
    return decisions
