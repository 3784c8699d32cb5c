"""Quality + value: rank names by gross margin and earnings yield from statements known at the day's close."""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import date

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
