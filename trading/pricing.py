"""The prices a rebalance sizes and checks its orders at, screened before anything is sized.

Per ticker: the last close before the trading day (the sizing price), its date and quality flags, and the
collar reference, the median of the good closes before it (:meth:`LakePrices.reference_before`), which the
sizing close does not take part in, and the broker's current quote when it gives one (the close must be within
the collar of both; a limit order is priced around the quote when there is one, else around the reference). A name whose price fails :func:`trading.risk.price_breaches` (flagged,
stale, dated in the future, not finite, not positive, no reference, or beyond the collar) is refused before
sizing: it gets no order, and the report names the rejection.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import date

import msgspec

from trading.prices import LakePrices
from trading.risk import Breach, RiskLimits, price_breaches


class PricePoint(msgspec.Struct, frozen=True, kw_only=True):
    """The sizing price of one ticker, with what it is checked against."""

    ticker: str
    close: float
    date: date
    flags: tuple[str, ...]
    reference: float | None
    reference_source: str
    quote: float | None = None

    @property
    def limit_reference(self) -> float | None:
        """The centre of a limit order's price: the broker's quote when there is one, else the lake's reference."""
        return self.quote if self.quote is not None else self.reference


def price_points(
    prices: LakePrices,
    tickers: Iterable[str],
    day: date,
    closes: int,
    quotes: Mapping[str, float] | None = None,
) -> dict[str, PricePoint]:
    """The price points of ``tickers`` for trading on ``day`` (a ticker without any bar before it is absent).

    ``quotes`` are the broker's current prices where it gives them (a second, independent collar centre).
    """
    points: dict[str, PricePoint] = {}
    for ticker in sorted(set(tickers)):
        bar = prices.last_before(ticker, day)  # the latest close known during the session
        if bar is None:
            continue
        ref = prices.reference_before(ticker, day, closes)
        points[ticker] = PricePoint(
            ticker=ticker,
            close=bar.close,
            date=bar.date,
            flags=bar.flags,
            reference=ref.price if ref else None,
            reference_source=ref.source if ref else "no good close before it",
            quote=(quotes or {}).get(ticker),
        )
    return points


def screen(
    points: dict[str, PricePoint], *, today: date, limits: RiskLimits
) -> tuple[dict[str, PricePoint], dict[str, list[Breach]]]:
    """Split the points into usable ones and refused ones (ticker -> what is wrong with its price)."""
    usable: dict[str, PricePoint] = {}
    refused: dict[str, list[Breach]] = {}
    for ticker, p in points.items():
        breaches = price_breaches(
            ticker,
            p.close,
            priced=p.date,
            flags=p.flags,
            reference=p.reference,
            today=today,
            limits=limits,
            quote=p.quote,
        )
        if breaches:
            refused[ticker] = breaches
        else:
            usable[ticker] = p
    return usable, refused
