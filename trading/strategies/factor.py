"""Factor strategies: quality + value from statements known at the day's close, or from the ``factors`` panel."""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from datetime import date, timedelta

import polars as pl

from trading.data import VISIBLE_FROM, PointInTimeView
from trading.strategies.base import Strategy, equal_weights

_FIELDS = ("revenue", "gross_profit", "earnings_per_share_diluted", "earnings_per_share")


def fundamentals(view: PointInTimeView, day: date) -> pl.DataFrame:
    """Per CIK, the latest annual report known at the close of ``day`` (from ``statement_values``).

    Columns ``report_period``, ``gross_margin`` (gross profit / revenue) and ``eps`` (diluted, else basic)
    with the ``filing_date`` of the value. A value restated by a later filing counts once that filing is
    public.
    """
    rows = view.rows("statement_values", day).filter(
        (pl.col("statement") == "income") & (pl.col("period") == "annual") & pl.col("field").is_in(_FIELDS)
    )
    if rows.is_empty():
        return pl.DataFrame(
            schema={
                "cik": pl.Int64,
                "report_period": pl.Date,
                "gross_margin": pl.Float64,
                "eps": pl.Float64,
                "filing_date": pl.Date,
            }
        )
    latest_value = (
        rows.sort(VISIBLE_FROM)
        .group_by("cik", "field", "report_period", maintain_order=True)
        .last()
        .pivot(on="field", index=["cik", "report_period"], values="value", aggregate_function="first")
    )
    filed = rows.group_by("cik", "report_period").agg(pl.col("filing_date").max())
    for name in _FIELDS:
        if name not in latest_value.columns:
            latest_value = latest_value.with_columns(pl.lit(None, dtype=pl.Float64).alias(name))
    table = latest_value.join(filed, on=["cik", "report_period"]).with_columns(
        (pl.col("gross_profit") / pl.col("revenue")).alias("gross_margin"),
        pl.coalesce("earnings_per_share_diluted", "earnings_per_share").alias("eps"),
    )
    return (
        table.filter(pl.col("gross_margin").is_not_null() & pl.col("eps").is_not_null())
        .sort("report_period")
        .group_by("cik", maintain_order=True)
        .last()
        .select("cik", "report_period", "gross_margin", "eps", "filing_date")
    )


def _percentile(values: list[float]) -> list[float]:
    """Average-rank percentiles in (0, 1] (ties share their mean rank)."""
    order = sorted(range(len(values)), key=lambda i: values[i])
    ranks = [0.0] * len(values)
    i = 0
    while i < len(order):
        j = i
        while j + 1 < len(order) and values[order[j + 1]] == values[order[i]]:
            j += 1
        for k in range(i, j + 1):
            ranks[order[k]] = (i + j) / 2 + 1
        i = j + 1
    return [r / len(values) for r in ranks]


@dataclass(frozen=True)
class QualityValue(Strategy):
    """Long the names with the best sum of gross-margin and earnings-yield percentile ranks.

    Earnings yield = annual diluted EPS / (close x the share-unit factor at the report's filing date), so a
    split between the filing and the day does not distort it. Names without a known annual report are not
    traded; with none, the book is cash. ``top`` is the fraction of ranked names held (at least one);
    long-short also shorts the same number of worst-ranked names.
    """

    name = "quality_value"
    top: float = 0.5
    long_short: bool = False

    def __post_init__(self) -> None:
        if not 0 < self.top <= 1:
            raise ValueError(f"top must be in (0, 1], not {self.top}")

    def scores(self, view: PointInTimeView, day: date) -> dict[str, float]:
        """Ticker -> composite score (mean of the two percentile ranks) of every rankable name."""
        closes = view.closes(day)
        tradable = set(view.universe(day))
        by_cik = view.tickers_by_cik()
        names: list[str] = []
        margins: list[float] = []
        yields: list[float] = []
        for cik, margin, eps, filed in (
            fundamentals(view, day).select("cik", "gross_margin", "eps", "filing_date").iter_rows()
        ):
            ticker = by_cik.get(int(cik))
            if ticker is None or ticker not in tradable:
                continue
            price = closes[ticker] * view.split_factor(ticker, filed)
            if not (math.isfinite(margin) and math.isfinite(eps) and price > 0):
                continue
            names.append(ticker)
            margins.append(float(margin))
            yields.append(float(eps) / price)
        quality, value = _percentile(margins), _percentile(yields)
        return {t: (q + v) / 2 for t, q, v in zip(names, quality, value, strict=True)}

    def target_weights(self, view: PointInTimeView, day: date) -> dict[str, float]:
        """Equal weight on the best ``top`` fraction (and short the worst as many when long-short)."""
        scores = self.scores(view, day)
        ranked = sorted(scores, key=lambda t: (-scores[t], t))
        count = max(1, math.floor(len(ranked) * self.top)) if ranked else 0
        weights = equal_weights(ranked[:count])
        if self.long_short and len(ranked) >= 2 * count > 0:
            weights.update(equal_weights(ranked[-count:], -1.0))
        return weights


def _default_factor_weights() -> dict[str, float]:
    return {"value": 1.0, "quality": 1.0, "momentum": 1.0}


@dataclass(frozen=True)
class FactorScore(Strategy):
    """Long the best names by a weighted mean of the ``factors`` panel's z-scores (value, quality, momentum).

    Reads the newest ``factors`` row of each ticker dated at most ``max_age_days`` before the day (the panel is
    monthly, point in time at each month-end close). A name's score is the weighted mean of the factors it has
    (a missing z-score does not count; a name with none is not ranked). Holds the best ``top`` fraction
    equal-weighted; long-short also shorts the worst as many.
    """

    name = "factors"
    factor_weights: dict[str, float] = field(default_factory=_default_factor_weights)
    top: float = 0.2
    long_short: bool = False
    max_age_days: int = 45

    def __post_init__(self) -> None:
        unknown = set(self.factor_weights) - {"value", "quality", "momentum", "size", "low_vol", "growth"}
        if unknown or not self.factor_weights:
            raise ValueError(f"factor_weights must name factors of the factors table, not {sorted(unknown)}")
        if not 0 < self.top <= 0.5:
            raise ValueError(f"top must be in (0, 0.5], not {self.top}")

    def scores(self, view: PointInTimeView, day: date) -> dict[str, float]:
        """Ticker -> weighted mean of the name's available factor z-scores (names with none are absent)."""
        names = list(self.factor_weights)
        rows = (
            view.rows("factors", day)
            .filter(pl.col("date") >= day - timedelta(days=self.max_age_days))
            .sort("date")
            .group_by("ticker", maintain_order=True)
            .last()
        )
        weighted = pl.sum_horizontal([pl.col(n).fill_null(0.0) * w for n, w in self.factor_weights.items()])
        present = pl.sum_horizontal(
            [pl.col(n).is_not_null().cast(pl.Float64) * abs(w) for n, w in self.factor_weights.items()]
        )
        tradable = set(view.universe(day))
        out = rows.filter(pl.any_horizontal([pl.col(n).is_not_null() for n in names])).select(
            "ticker", (weighted / present).alias("score")
        )
        return {
            t: float(s) for t, s in out.iter_rows() if t in tradable and s is not None and math.isfinite(s)
        }

    def target_weights(self, view: PointInTimeView, day: date) -> dict[str, float]:
        """Equal weight on the best ``top`` fraction (and short the worst as many when long-short)."""
        scores = self.scores(view, day)
        ranked = sorted(scores, key=lambda t: (-scores[t], t))
        count = max(1, math.floor(len(ranked) * self.top)) if ranked else 0
        weights = equal_weights(ranked[:count])
        if self.long_short and len(ranked) >= 2 * count > 0:
            weights.update(equal_weights(ranked[-count:], -1.0))
        return weights
