"""Pre-trade risk limits (one TOML file, see infra/risk_limits.toml) and the checks of a plan's orders (pure).

A breach's ``limit`` is a small vocabulary an operator can grep for: the limits of the file
(``max_order_notional``, ``max_position_pct``, ``max_gross_exposure``, ``max_daily_turnover_pct``,
``trading_hours``), ``blocklisted``, the price checks of :func:`price_breaches` (``price_nonfinite``,
``price_nonpositive``, ``price_flagged``, ``missing_price_date``, ``price_future``, ``price_stale``,
``collar_reference_missing``, ``collar_breach``), and ``equity_nonfinite`` / ``equity_nonpositive`` /
``exposure_unknown`` for an account that cannot be measured.
"""

from __future__ import annotations

import math
import tomllib
from collections.abc import Iterable, Mapping, Sequence
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
    reference_closes: int = 5
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
    if limits.reference_closes < 1:
        raise ValueError(f"risk limits {path}: reference_closes must be >= 1, not {limits.reference_closes}")
    return msgspec.structs.replace(limits, blocklist=tuple(normalize_ticker(t) for t in limits.blocklist))


def normalize_ticker(ticker: str) -> str:
    """The form tickers are compared in: no surrounding blanks, upper case."""
    return ticker.strip().upper()


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

    @property
    def text(self) -> str:
        """``limit: message``."""
        return f"{self.limit}: {self.message}"


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
        """The breaches as one line, each as ``limit: message`` ('' when accepted)."""
        return "; ".join(b.text for b in self.breaches)


def in_trading_hours(now: datetime, limits: RiskLimits) -> bool:
    """True on a weekday between the session's New York open (inclusive) and close (exclusive)."""
    local = now.astimezone(NEW_YORK)
    start, end = time.fromisoformat(limits.session_open), time.fromisoformat(limits.session_close)
    return local.weekday() < 5 and start <= local.time() < end


def price_breaches(
    ticker: str,
    price: float,
    *,
    priced: date | None,
    flags: Sequence[str],
    reference: float | None,
    today: date,
    limits: RiskLimits,
    quote: float | None = None,
) -> list[Breach]:
    """What is wrong with the price an order of ``ticker`` is sized and checked at (empty when it is usable).

    Args:
        ticker: the name.
        price: the sizing price (the last close).
        priced: the date of that price (None: unknown).
        flags: the bar's quality flags (any flag makes the price unusable).
        reference: the centre of the price collar, independent of ``price`` (e.g. the median of the closes
            before it); None when there is none.
        today: the trading day (New York).
        limits: the limits (``price_collar_pct``, ``max_price_age_days``).
        quote: the broker's current price when it gives one: ``price`` must be within the collar of it too.
    """
    out: list[Breach] = []
    usable = math.isfinite(price) and price > 0
    if not math.isfinite(price):
        out.append(
            Breach(limit="price_nonfinite", value=0, threshold=0, message=f"price of {ticker} is {price}")
        )
    elif price <= 0:
        out.append(
            Breach(
                limit="price_nonpositive", value=price, threshold=0, message=f"price of {ticker} is {price:g}"
            )
        )
    if flags:
        out.append(
            Breach(
                limit="price_flagged",
                value=len(flags),
                threshold=0,
                message=f"price {price:.4f} of {ticker} ({priced}) is flagged {', '.join(flags)}",
            )
        )
    if priced is None:
        out.append(
            Breach(limit="missing_price_date", value=0, threshold=0, message=f"price of {ticker} has no date")
        )
    elif priced > today:
        out.append(
            Breach(
                limit="price_future",
                value=(priced - today).days,
                threshold=0,
                message=f"price of {ticker} is dated {priced}, after the trading day {today}",
            )
        )
    elif (age := (today - priced).days) > limits.max_price_age_days:
        out.append(
            Breach(
                limit="price_stale",
                value=age,
                threshold=limits.max_price_age_days,
                message=f"last close of {ticker} is from {priced} ({age} days old) "
                f"> max {limits.max_price_age_days} by {age - limits.max_price_age_days} days",
            )
        )
    if reference is None or not math.isfinite(reference) or reference <= 0:
        out.append(
            Breach(
                limit="collar_reference_missing",
                value=0,
                threshold=0,
                message=f"no usable reference price for {ticker} ({reference}): the collar cannot be checked",
            )
        )
    elif usable:
        out += _collar(ticker, price, reference, "reference", limits)
    if quote is not None and math.isfinite(quote) and quote > 0 and usable:
        out += _collar(ticker, price, quote, "broker quote", limits)
    return out


def _collar(ticker: str, price: float, centre: float, what: str, limits: RiskLimits) -> list[Breach]:
    deviation = abs(price / centre - 1)
    if deviation <= limits.price_collar_pct:
        return []
    return [
        Breach(
            limit="collar_breach",
            value=deviation,
            threshold=limits.price_collar_pct,
            message=f"price {price:.4f} of {ticker} is {deviation:.2%} from {what} {centre:.4f} "
            f"> collar {limits.price_collar_pct:.2%} by {deviation - limits.price_collar_pct:.2%}",
        )
    ]


def _equity_breaches(equity: float) -> list[Breach]:
    if not math.isfinite(equity):
        return [Breach(limit="equity_nonfinite", value=0, threshold=0, message=f"equity is {equity}")]
    if equity <= 0:
        return [
            Breach(
                limit="equity_nonpositive",
                value=equity,
                threshold=0,
                message=f"equity {equity:,.2f} is not positive: nothing can be sized against it",
            )
        ]
    return []


def check_orders(
    orders: Iterable[ProposedOrder],
    *,
    limits: RiskLimits,
    positions: Mapping[str, float],
    prices: Mapping[str, float],
    reference: Mapping[str, float],
    equity: float,
    traded_today: float,
    now: datetime,
    price_dates: Mapping[str, date],
    price_flags: Mapping[str, Sequence[str]] | None = None,
    quotes: Mapping[str, float] | None = None,
) -> list[RiskDecision]:
    """Check each order in turn against every limit; accepted orders count toward the next one's exposure.

    Args:
        orders: the plan's orders (sells first, so freed exposure is seen by the buys).
        limits: the limits.
        positions: ticker -> shares held before the plan.
        prices: ticker -> price used to value positions (the reference prices of the plan).
        reference: ticker -> the centre of the price collar, independent of the order's price (e.g. the median
            of the closes before the last one); missing is a ``collar_reference_missing`` breach.
        equity: net liquidation value (not finite or not positive: every order is rejected).
        traded_today: USD notional already traded (placed) today on this account.
        now: the time of placement (aware), for the trading-hours check and the age of prices.
        price_dates: ticker -> date of the order's price; missing, after ``now``'s New York date, or older than
            ``max_price_age_days`` before it is a breach.
        price_flags: ticker -> quality flags of the order's price bar (any flag is a breach).
        quotes: ticker -> the broker's current price, a second collar centre where there is one.

    Returns:
        One decision per order, in order.
    """
    if now.tzinfo is None:
        raise ValueError("now must be timezone-aware")
    today = now.astimezone(NEW_YORK).date()
    blocklist = {normalize_ticker(t) for t in limits.blocklist}
    account = _equity_breaches(equity)
    held = dict(positions)
    gross = sum(abs(q) * prices.get(t, 0.0) for t, q in held.items())
    turnover = traded_today
    open_now = in_trading_hours(now, limits)
    decisions: list[RiskDecision] = []
    for order in orders:
        breaches: list[Breach] = list(account)
        price = order.ref_price
        if normalize_ticker(order.ticker) in blocklist:
            breaches.append(
                Breach(limit="blocklisted", value=1, threshold=0, message=f"{order.ticker} is blocklisted")
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
        breaches += price_breaches(
            order.ticker,
            price,
            priced=price_dates.get(order.ticker),
            flags=(price_flags or {}).get(order.ticker, ()),
            reference=reference.get(order.ticker),
            today=today,
            limits=limits,
            quote=(quotes or {}).get(order.ticker),
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
        before = held.get(order.ticker, 0.0)
        after = before + order.signed_quantity
        new_gross = gross + (abs(after) - abs(before)) * price
        if account or not (math.isfinite(price) and price > 0):  # the ratios below need both
            decisions.append(RiskDecision(order=order, breaches=tuple(breaches)))
            continue
        if not math.isfinite(gross) and abs(after) > abs(before):
            breaches.append(
                Breach(
                    limit="exposure_unknown",
                    value=0,
                    threshold=0,
                    message=f"gross exposure is {gross} (a held position has no usable price)",
                )
            )
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
