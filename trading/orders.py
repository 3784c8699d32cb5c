"""Target weights -> whole-share orders (pure): lot rounding, a cash buffer, current positions, last prices."""

from __future__ import annotations

import math
from collections.abc import Mapping
from typing import Literal

import msgspec

Side = Literal["BUY", "SELL"]


class ProposedOrder(msgspec.Struct, frozen=True, kw_only=True):
    """One order the plan asks for: buy or sell ``quantity`` whole shares of ``ticker`` at about ``ref_price``."""

    ticker: str
    side: Side
    quantity: int
    ref_price: float
    current_quantity: float
    target_quantity: int
    target_weight: float

    @property
    def notional(self) -> float:
        """Quantity x reference price (USD, positive)."""
        return self.quantity * self.ref_price

    @property
    def signed_quantity(self) -> int:
        """Quantity with the side's sign (+ buy, - sell)."""
        return self.quantity if self.side == "BUY" else -self.quantity


class OrderPlan(msgspec.Struct, frozen=True, kw_only=True):
    """The orders that move the positions to the targets, and the tickers left alone with the reason."""

    equity: float
    investable: float
    orders: tuple[ProposedOrder, ...]
    skipped: dict[str, str]


def round_to_lot(quantity: float, lot_size: int) -> int:
    """Round a share quantity toward zero to a multiple of ``lot_size`` (never rounds up: no overspending)."""
    if lot_size < 1:
        raise ValueError(f"lot_size must be >= 1, not {lot_size}")
    lots = math.floor(abs(quantity) / lot_size + 1e-9)
    return int(math.copysign(lots * lot_size, quantity)) if lots else 0


def equity_of(cash: float, positions: Mapping[str, float], prices: Mapping[str, float]) -> float:
    """Net liquidation: cash plus every position at its price (a position without a price raises)."""
    missing = sorted(t for t, q in positions.items() if q and t not in prices)
    if missing:
        raise ValueError(f"no price for held positions {', '.join(missing)}: equity is unknown")
    return cash + sum(q * prices[t] for t, q in positions.items() if q)


def orders_from_targets(
    targets: Mapping[str, float],
    positions: Mapping[str, float],
    prices: Mapping[str, float],
    equity: float,
    *,
    cash_buffer_pct: float = 0.0,
    lot_size: int = 1,
) -> OrderPlan:
    """The orders that bring ``positions`` to ``targets`` (weights of equity), sells first.

    Each target quantity is ``weight x equity x (1 - cash_buffer_pct) / price``, rounded toward zero to a
    lot; held tickers without a target go to zero. A ticker without a usable price is skipped (and named in
    ``skipped``), never guessed; a held ticker without a price is left as it is.

    Args:
        targets: ticker -> weight (negative = short); weights of a long-only book sum to at most 1.
        positions: ticker -> shares held now.
        prices: ticker -> reference price (last close).
        equity: net liquidation value of the account.
        cash_buffer_pct: part of equity kept as cash, 0 <= x < 1.
        lot_size: shares per lot.

    Returns:
        The plan.

    Raises:
        ValueError: a weight is not finite, the weights' gross exceeds 1 + 1e-9 for a long-only book, the
            buffer is out of range or equity is not positive.
    """
    if not 0 <= cash_buffer_pct < 1:
        raise ValueError(f"cash_buffer_pct must be in [0, 1), not {cash_buffer_pct}")
    if not math.isfinite(equity) or equity <= 0:
        raise ValueError(f"equity must be positive, not {equity}")
    bad = sorted(t for t, w in targets.items() if not math.isfinite(w))
    if bad:
        raise ValueError(f"target weights are not finite for {', '.join(bad)}")
    if all(w >= 0 for w in targets.values()) and sum(targets.values()) > 1 + 1e-9:
        raise ValueError(f"long-only target weights sum to {sum(targets.values()):.6f} > 1")
    investable = equity * (1 - cash_buffer_pct)
    orders: list[ProposedOrder] = []
    skipped: dict[str, str] = {}
    for ticker in sorted(set(targets) | {t for t, q in positions.items() if q}):
        weight = targets.get(ticker, 0.0)
        current = positions.get(ticker, 0.0)
        price = prices.get(ticker)
        if price is None or not math.isfinite(price) or price <= 0:
            skipped[ticker] = f"no usable price ({price})"
            continue
        target = round_to_lot(weight * investable / price, lot_size)
        delta = target - current
        # closing a position sells all of it (odd lots included); otherwise the change is rounded to lots
        quantity = -round(current) if target == 0 else round_to_lot(delta, lot_size)
        if quantity == 0:
            continue
        orders.append(
            ProposedOrder(
                ticker=ticker,
                side="BUY" if quantity > 0 else "SELL",
                quantity=abs(quantity),
                ref_price=price,
                current_quantity=current,
                target_quantity=target,
                target_weight=weight,
            )
        )
    orders.sort(key=lambda o: (o.side != "SELL", o.ticker))
    return OrderPlan(equity=equity, investable=investable, orders=tuple(orders), skipped=skipped)


def tick_size(price: float) -> float:
    """The minimum price increment of a US stock order at ``price`` (Reg NMS: 0.01, below 1 USD 0.0001)."""
    return 0.01 if price >= 1 else 0.0001


def limit_price(side: Side, reference: float, collar_pct: float) -> float:
    """The marketable limit of an order: ``reference x (1 + collar)`` for a buy, ``x (1 - collar)`` for a sell.

    Rounded to a valid tick toward the reference (a buy down, a sell up), so the limit never lies outside the
    collar.

    Raises:
        ValueError: the reference is not a finite positive price, or the collar is not in [0, 1).
    """
    if not math.isfinite(reference) or reference <= 0:
        raise ValueError(f"reference price must be finite and positive, not {reference}")
    if not 0 <= collar_pct < 1:
        raise ValueError(f"price_collar_pct must be in [0, 1), not {collar_pct}")
    raw = reference * (1 + collar_pct if side == "BUY" else 1 - collar_pct)
    tick = tick_size(raw)
    ticks = raw / tick
    # a tiny epsilon keeps an exact multiple (e.g. 198.0) from being pushed one tick by float error
    rounded = math.floor(ticks + 1e-9) if side == "BUY" else math.ceil(ticks - 1e-9)
    return round(max(rounded, 1) * tick, 4)
