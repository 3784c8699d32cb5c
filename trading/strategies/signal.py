"""Signal tilt: equal weight, tilted by recent signals from the ``signals`` table.

Names with recent positive signals (13F inflows, insider buying clusters) are overweighted; names with recent
red flags (late filings, restatements, non-reliance) are dropped.
"""

from __future__ import annotations

import json
import math
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, timedelta

import polars as pl

from trading.data import PointInTimeView, knowable_at
from trading.strategies.base import Strategy, equal_weights

#: Sign and weight of each signal kind (``edgar.signals.definitions``); a 13F flow takes the sign of its change.
DEFAULT_KIND_WEIGHTS: dict[str, float] = {
    "insider_cluster": 1.0,
    "abnormal_13f_flow": 1.0,
    "late_filing": -1.0,
    "late_filing_notice": -1.0,
    "restatement": -1.0,
    "non_reliance": -1.0,
    "amended_report": -0.5,
}


def _flow_direction(details: str | None) -> float:
    """+1 for a 13F inflow, -1 for an outflow, 0 when the details do not say."""
    try:
        change = json.loads(details or "{}").get("change")
    except (ValueError, AttributeError):
        return 0.0
    return 0.0 if not isinstance(change, int | float) or change == 0 else math.copysign(1.0, change)


@dataclass(frozen=True)
class SignalTilt(Strategy):
    """Score each name by its signals made public in the last ``lookback_days``.

    Score = sum of kind weight x score x confidence (x direction for 13F flows). Long-only: equal weight over
    the universe (or ``tickers``), names with a negative score dropped, positive ones scaled by
    ``1 + tilt x score``, renormalized to 100%. Long-short: equal weight long the positive names and short
    the negative ones (each side 100%).
    """

    name = "signals"
    lookback_days: int = 90
    tilt: float = 1.0
    long_short: bool = False
    tickers: tuple[str, ...] = ()
    kind_weights: dict[str, float] = field(default_factory=lambda: dict(DEFAULT_KIND_WEIGHTS))

    def scores(self, view: PointInTimeView, day: date) -> dict[str, float]:
        """Ticker -> summed signal score over the lookback window (names without signals absent)."""
        since = knowable_at(day) - timedelta(days=self.lookback_days)
        rows = view.rows("signals", day).filter(
            pl.col("as_of") >= since, pl.col("kind").is_in(list(self.kind_weights))
        )
        by_cik = view.tickers_by_cik()
        by_cusip = _cusip_tickers(view)
        out: dict[str, float] = defaultdict(float)
        for kind, ticker, cik, score, confidence, details in rows.select(
            "kind", "ticker", "cik", "score", "confidence", "details"
        ).iter_rows():
            sign = self.kind_weights[kind]
            if kind == "abnormal_13f_flow":
                sign *= _flow_direction(details)
                if ticker is None:
                    ticker = by_cusip.get(str(json.loads(details or "{}").get("cusip", "")))
            name = ticker or (by_cik.get(int(cik)) if cik is not None else None)
            if name is not None and sign != 0:
                out[name] += sign * float(score) * float(confidence)
        return dict(out)

    def target_weights(self, view: PointInTimeView, day: date) -> dict[str, float]:
        """The tilted (or long-short) weights described in the class docstring."""
        universe = view.universe(day)
        if self.tickers:
            universe = [t for t in universe if t in set(self.tickers)]
        scores = self.scores(view, day)
        if self.long_short:
            weights = equal_weights([t for t in universe if scores.get(t, 0.0) > 0])
            weights.update(equal_weights([t for t in universe if scores.get(t, 0.0) < 0], -1.0))
            return weights
        raw = {t: 1.0 + self.tilt * max(scores.get(t, 0.0), 0.0) for t in universe if scores.get(t, 0.0) >= 0}
        total = sum(raw.values())
        return {t: w / total for t, w in raw.items()} if total > 0 else {}


def _cusip_tickers(view: PointInTimeView) -> dict[str, str]:
    """CUSIP -> ticker from ``cusip_map`` when loaded (identities, not point-in-time facts)."""
    frame = view.frames.get("cusip_map")
    if frame is None or frame.is_empty():
        return {}
    return {c: t for c, t in frame.select("cusip", "ticker").iter_rows() if t}
