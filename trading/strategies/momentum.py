"""Cross-sectional price momentum: long the best 12-1 month performers (prices only, vectorized)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date

import numpy as np

from trading.data import PointInTimeView, forward_fill
from trading.strategies.base import Strategy


@dataclass(frozen=True)
class Momentum(Strategy):
    """Equal weight on the best ``top`` fraction of names by past return (12-1 months by default).

    The return runs from ``lookback`` to ``skip`` trading days ago; long-short shorts the bottom fraction as
    well. Names without a full lookback of prices are left out.
    """

    name = "momentum"
    lookback: int = 252
    skip: int = 21
    top: float = 0.2
    long_short: bool = False

    def __post_init__(self) -> None:
        if not 0 < self.skip < self.lookback or not 0 < self.top <= 0.5:
            raise ValueError(f"momentum needs 0 < skip < lookback and 0 < top <= 0.5: {self.params}")

    def target_weights(self, view: PointInTimeView, day: date) -> dict[str, float]:
        """The weights of :meth:`weights_panel` for one day."""
        row = self.weights_panel(view, [day])[0]
        return {t: float(w) for t, w in zip(view.prices.tickers, row, strict=True) if w != 0}

    def weights_panel(self, view: PointInTimeView, days: Sequence[date]) -> np.ndarray:
        """Vectorized over days and tickers; uses only closes up to each day."""
        prices = view.prices
        filled = forward_fill(prices.close)
        rows = np.array([prices.last_index(d) for d in days])
        bench = np.array([t == view.benchmark for t in prices.tickers])
        out = np.zeros((len(days), len(prices.tickers)))
        valid_rows = rows - self.lookback >= 0
        idx = np.maximum(rows, 0)
        with np.errstate(divide="ignore", invalid="ignore"):
            score = filled[np.maximum(idx - self.skip, 0)] / filled[np.maximum(idx - self.lookback, 0)] - 1.0
        ok = np.isfinite(score) & np.isfinite(prices.close[idx]) & ~bench[None, :] & valid_rows[:, None]
        ok &= np.isfinite(prices.close[np.maximum(idx - self.lookback, 0)])
        for k in np.flatnonzero(ok.any(axis=1)):
            names = np.flatnonzero(ok[k])
            count = max(1, int(len(names) * self.top))
            order = names[np.argsort(-score[k, names], kind="stable")]
            out[k, order[:count]] = 1.0 / count
            if self.long_short and len(names) >= 2 * count:
                out[k, order[-count:]] = -1.0 / count
        return out
