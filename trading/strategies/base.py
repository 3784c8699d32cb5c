"""The strategy interface: point-in-time data at a day's close in, target weights out."""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Mapping, Sequence
from dataclasses import asdict, dataclass
from datetime import date
from typing import Any, ClassVar

import numpy as np

from trading.data import PointInTimeView


@dataclass(frozen=True)
class Strategy(ABC):
    """A strategy: its parameters are the dataclass fields; :meth:`target_weights` is the whole contract.

    Weights are fractions of equity per ticker (negative = short); what is not invested is cash. The view
    answers only what was knowable at the close of ``day`` (see :mod:`trading.data`), so a strategy cannot
    look ahead through it.
    """

    name: ClassVar[str]

    @property
    def params(self) -> dict[str, Any]:
        """The parameters (the dataclass fields) as a JSON-ready dict."""
        return {k: list(v) if isinstance(v, tuple) else v for k, v in asdict(self).items()}

    @abstractmethod
    def target_weights(self, view: PointInTimeView, day: date) -> dict[str, float]:
        """Target weights at the close of ``day`` (tickers absent = 0)."""

    def weights_panel(self, view: PointInTimeView, days: Sequence[date]) -> np.ndarray:
        """Target weights at each of ``days`` as a ``(len(days), len(view.prices.tickers))`` array.

        The default calls :meth:`target_weights` per day; vectorized strategies override it (and must give
        the same result).

        Raises:
            ValueError: a strategy returned a ticker that is not in the price panel or a non-finite weight.
        """
        tickers = view.prices.tickers
        columns = {t: i for i, t in enumerate(tickers)}
        out = np.zeros((len(days), len(tickers)))
        for row, day in enumerate(days):
            out[row] = weights_row(self.target_weights(view, day), columns, self.name, day)
        return out


def weights_row(weights: Mapping[str, float], columns: Mapping[str, int], name: str, day: date) -> np.ndarray:
    """One row of a weights panel from a ticker -> weight mapping (unknown ticker or NaN -> ValueError)."""
    row = np.zeros(len(columns))
    for ticker, weight in weights.items():
        if ticker not in columns:
            raise ValueError(f"strategy {name} on {day}: ticker {ticker!r} has no prices")
        if not np.isfinite(weight):
            raise ValueError(f"strategy {name} on {day}: weight of {ticker} is {weight}")
        row[columns[ticker]] = weight
    return row


def equal_weights(tickers: Sequence[str], total: float = 1.0) -> dict[str, float]:
    """``total`` split equally over ``tickers`` (empty -> no positions)."""
    return {t: total / len(tickers) for t in tickers} if tickers else {}
