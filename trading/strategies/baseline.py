"""Baselines: buy-and-hold one ticker (the SPY benchmark by default) and equal weight over the universe."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date

import numpy as np

from trading.data import PointInTimeView
from trading.strategies.base import Strategy, equal_weights


@dataclass(frozen=True)
class BuyAndHold(Strategy):
    """100% in one ticker whenever it has a price (rebalancing keeps it at 100%: no trades after the first)."""

    name = "buy_and_hold"
    ticker: str = "SPY"

    def target_weights(self, view: PointInTimeView, day: date) -> dict[str, float]:
        """``{ticker: 1.0}``, or nothing before the ticker's first bar."""
        return {self.ticker: 1.0} if self.ticker in view.closes(day) else {}


@dataclass(frozen=True)
class EqualWeight(Strategy):
    """Equal weight over every ticker with a bar on the day (benchmark excluded), or over ``tickers``."""

    name = "equal_weight"
    tickers: tuple[str, ...] = ()

    def _names(self, view: PointInTimeView, day: date) -> list[str]:
        names = view.universe(day)
        return [t for t in names if t in set(self.tickers)] if self.tickers else names

    def target_weights(self, view: PointInTimeView, day: date) -> dict[str, float]:
        """``1/n`` on each of the ``n`` names traded that day."""
        return equal_weights(self._names(view, day))

    def weights_panel(self, view: PointInTimeView, days: Sequence[date]) -> np.ndarray:
        """Vectorized: the same weights from the rows of the price panel at ``days``."""
        prices = view.prices
        rows = np.array([prices.last_index(d) for d in days])
        mask = np.isfinite(prices.close[np.maximum(rows, 0)]) & (rows >= 0)[:, None]
        allowed = np.array(
            [t != view.benchmark and (not self.tickers or t in self.tickers) for t in prices.tickers]
        )
        mask &= allowed[None, :]
        counts = mask.sum(axis=1, keepdims=True)
        return np.where(mask, 1.0 / np.maximum(counts, 1), 0.0)
