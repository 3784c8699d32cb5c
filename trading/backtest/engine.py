"""The vectorized backtester: a weights panel and a price panel in, an equity curve out (numpy only).

Conventions (the naive reference :mod:`trading.backtest.naive` follows the same ones, loop by loop):

- Target weights decided at the close of a rebalance day are traded at that close. Between rebalances the
  holdings drift with prices; what is not invested is cash, earning nothing. Short weights are negative; the
  short proceeds are cash.
- Costs: the traded notional is ``sum_i |w_target_i - w_drifted_i|`` times the equity before trading; it
  pays ``cost_bps + slippage_bps`` basis points. The targets then apply to the equity after costs.
- Prices are forward-filled over gaps (a ticker whose data ends is held at its last close); a non-zero
  weight on a ticker without any price yet is an error.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Literal

import numpy as np

from trading.data import forward_fill

Rebalance = Literal["daily", "weekly", "monthly", "quarterly"]
REBALANCE_RULES: tuple[str, ...] = ("daily", "weekly", "monthly", "quarterly")


@dataclass(frozen=True)
class Limits:
    """Exposure limits applied to every row of target weights (see :func:`constrain`).

    Attributes:
        long_only: Negative weights are set to 0.
        max_gross: Cap on ``sum |w|`` (rows above are scaled down).
        max_net: Cap on ``|sum w|`` (the larger side is scaled down).
        max_weight: Cap on each ``|w|`` (clipped; the rest stays in cash), None = no cap.
    """

    long_only: bool = True
    max_gross: float = 1.0
    max_net: float = 1.0
    max_weight: float | None = None

    def __post_init__(self) -> None:
        if self.max_gross <= 0 or self.max_net < 0:
            raise ValueError(f"exposure limits must be positive: gross {self.max_gross}, net {self.max_net}")
        if self.max_weight is not None and self.max_weight <= 0:
            raise ValueError(f"max_weight must be positive, not {self.max_weight}")


def constrain(weights: np.ndarray, limits: Limits) -> np.ndarray:
    """``weights`` (rows = rebalance days) within ``limits``: long-only clip, per-name cap, net, then gross."""
    w = np.array(weights, dtype=np.float64, copy=True)
    if limits.long_only:
        w = np.maximum(w, 0.0)
    if limits.max_weight is not None:
        w = np.clip(w, -limits.max_weight, limits.max_weight)
    longs = np.where(w > 0, w, 0.0).sum(axis=1)
    shorts = -np.where(w < 0, w, 0.0).sum(axis=1)
    net = longs - shorts
    with np.errstate(divide="ignore", invalid="ignore"):
        long_scale = np.where(net > limits.max_net, (limits.max_net + shorts) / longs, 1.0)
        short_scale = np.where(-net > limits.max_net, (limits.max_net + longs) / shorts, 1.0)
    w = np.where(w > 0, w * long_scale[:, None], w * short_scale[:, None])
    gross = np.abs(w).sum(axis=1)
    with np.errstate(divide="ignore", invalid="ignore"):
        scale = np.where(gross > limits.max_gross, limits.max_gross / gross, 1.0)
    return w * scale[:, None]


def rebalance_indices(dates: np.ndarray, start: int, end: int, rule: str) -> np.ndarray:
    """Indices of the rebalance days in ``dates[start..end]``.

    ``start`` itself, then the last trading day of each day/week/month/quarter (the last day ``end`` is never
    a rebalance unless it is ``start``).

    Raises:
        ValueError: unknown rule or an empty range.
    """
    if rule not in REBALANCE_RULES:
        raise ValueError(f"rebalance must be one of {', '.join(REBALANCE_RULES)}, not {rule!r}")
    if not 0 <= start <= end < len(dates):
        raise ValueError(f"empty backtest range: start {start}, end {end}, {len(dates)} days")
    days = dates[start : end + 1].astype("datetime64[D]")
    if rule == "daily":
        period = np.arange(len(days))
    elif rule == "weekly":  # weeks starting Monday: 1970-01-01 was a Thursday
        period = (days.astype(np.int64) + 3) // 7
    elif rule == "monthly":
        period = days.astype("datetime64[M]").astype(np.int64)
    else:
        period = days.astype("datetime64[M]").astype(np.int64) // 3
    last_of_period = np.flatnonzero(period[1:] != period[:-1])  # positions whose next day is a new period
    picks = np.union1d([0], last_of_period)
    picks = picks[(picks == 0) | (picks < len(days) - 1)]
    return (picks + start).astype(np.int64)


@dataclass(frozen=True)
class Simulation:
    """Daily results over the simulated days (all arrays of the same length).

    Attributes:
        dates: The days, ``datetime64[D]``.
        equity: Equity at each close after that day's trades and costs (1.0 before the first trade).
        gross: Gross exposure ``sum |position| / equity`` at the close.
        net: Net exposure ``sum position / equity``.
        turnover: Traded notional / pre-trade equity (0 on days without a rebalance).
        cost: Costs paid, as a fraction of pre-trade equity.
    """

    dates: np.ndarray
    equity: np.ndarray
    gross: np.ndarray
    net: np.ndarray
    turnover: np.ndarray
    cost: np.ndarray

    @property
    def returns(self) -> np.ndarray:
        """Daily returns; the first is the first trade's cost (equity starts at 1.0 in cash)."""
        return np.diff(self.equity, prepend=1.0) / np.concatenate(([1.0], self.equity[:-1]))


def cost_rate(cost_bps: float, slippage_bps: float) -> float:
    """The fraction of traded notional paid per trade, from commissions and slippage in basis points.

    Raises:
        ValueError: a negative cost.
    """
    if cost_bps < 0 or slippage_bps < 0:
        raise ValueError(f"costs must be >= 0 bps, not {cost_bps} and {slippage_bps}")
    return (cost_bps + slippage_bps) / 1e4


def _check_inputs(
    close: np.ndarray, rebalance: np.ndarray, weights: np.ndarray, start: int, end: int
) -> None:
    if weights.shape != (len(rebalance), close.shape[1]):
        raise ValueError(f"weights shape {weights.shape} != ({len(rebalance)}, {close.shape[1]})")
    if len(rebalance) == 0 or rebalance[0] != start or rebalance[-1] > end:
        raise ValueError("the first rebalance must be the start day and none may follow the end day")
    if np.any(np.diff(rebalance) <= 0):
        raise ValueError("rebalance days must be strictly ascending")
    if not np.all(np.isfinite(weights)):
        raise ValueError("weights must be finite")


def simulate(
    close: np.ndarray,
    rebalance: Sequence[int] | np.ndarray,
    weights: np.ndarray,
    *,
    start: int,
    end: int,
    dates: np.ndarray,
    rate: float = 0.0,
) -> Simulation:
    """Run the backtest over ``close[start..end]`` (vectorized over days, tickers and rebalances).

    Args:
        close: ``(T, N)`` closes (NaN = no bar).
        rebalance: Ascending indices into ``close`` of the rebalance days; the first must be ``start``.
        weights: ``(len(rebalance), N)`` target weights traded at those closes (already constrained).
        start: First simulated day (index).
        end: Last simulated day (index).
        dates: The ``T`` days of ``close``.
        rate: Cost per unit of traded notional (:func:`cost_rate`).

    Returns:
        The daily :class:`Simulation`.

    Raises:
        ValueError: inconsistent shapes, rebalance days outside the range, or a weight on a ticker without
            a price on its rebalance day.
    """
    reb = np.asarray(rebalance, dtype=np.int64)
    w = np.asarray(weights, dtype=np.float64)
    _check_inputs(close, reb, w, start, end)
    traded = np.flatnonzero((w != 0).any(axis=0))  # only the columns ever held matter
    w = w[:, traded]
    prices = forward_fill(close[: end + 1, traded])
    at_reb = prices[reb]
    held = w != 0
    missing = held & ~np.isfinite(at_reb)
    if missing.any():
        k, i = np.argwhere(missing)[0]
        column = int(traded[i])
        raise ValueError(f"weight {w[k, i]} on column {column} at day index {reb[k]}, which has no price yet")
    # units[k] = shares held per unit of post-trade equity in period k; a position's value is units x price.
    # Every sum runs over the names held in that period only, in column order, so a period's figures do not
    # depend on which names other periods hold (bit-for-bit, not just to rounding).
    units = np.where(held, w / np.where(held, at_reb, 1.0), 0.0)
    filled = np.where(np.isfinite(prices), prices, 0.0)  # NaN only where nothing is held
    ends = np.append(reb[1:], end)
    n = end - start + 1
    periods = len(reb)
    cash, value_end, turnover = np.empty(periods), np.empty(periods), np.empty(periods)
    value, long_short, gross_book = np.empty(n), np.empty(n), np.empty(n)
    bounds = np.append(reb, end + 1) - start
    drifted = np.zeros(0)
    drifted_cols = np.zeros(0, dtype=np.int64)
    for k in range(periods):  # one matrix-vector product per period: O(days x names held), in BLAS
        cols = np.flatnonzero(held[k])
        u = units[k, cols]
        cash[k] = 1.0 - w[k, cols].sum()
        both = np.union1d(cols, drifted_cols)
        before = np.zeros(len(both))
        before[np.searchsorted(both, drifted_cols)] = drifted
        turnover[k] = np.abs(w[k, both] - before).sum()
        lo, hi = int(bounds[k]), int(bounds[k + 1])
        segment = filled[start + lo : start + hi][:, cols]
        long_short[lo:hi] = segment @ u
        gross_book[lo:hi] = segment @ np.abs(u)
        value[lo:hi] = cash[k] + long_short[lo:hi]
        book_end = u * filled[ends[k], cols]
        value_end[k] = cash[k] + book_end.sum()
        drifted = book_end / value_end[k] if value_end[k] > 0 else np.zeros(len(cols))
        drifted_cols = cols
    keep = 1.0 - rate * turnover
    pre = np.cumprod(np.concatenate(([1.0], (keep * value_end)[:-1])))
    post = pre * keep
    days = np.arange(start, end + 1)
    period = np.searchsorted(reb, days, side="right") - 1
    equity = post[period] * value
    with np.errstate(divide="ignore", invalid="ignore"):
        gross = np.where(value > 0, gross_book / value, 0.0)
        net = np.where(value > 0, long_short / value, 0.0)
    daily_turnover = np.zeros(len(days))
    daily_turnover[reb - start] = turnover
    return Simulation(
        dates=dates[start : end + 1].astype("datetime64[D]"),
        equity=equity,
        gross=gross,
        net=net,
        turnover=daily_turnover,
        cost=daily_turnover * rate,
    )
