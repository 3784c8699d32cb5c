"""Where the rebalance gets its target weights: the ``TargetSource`` interface and a built-in equal weight."""

from __future__ import annotations

import importlib
from collections.abc import Sequence
from datetime import datetime, timedelta
from typing import Any, Protocol, runtime_checkable

from lake.storage import Lake
from trading.risk import NEW_YORK

#: days of price history a lake strategy gets before its decision day
HISTORY_DAYS = 400


@runtime_checkable
class TargetSource(Protocol):
    """Anything that, called with a point in time, returns target weights (ticker -> fraction of equity)."""

    def __call__(self, as_of: datetime) -> dict[str, float]:
        """Target weights as of ``as_of`` (only data known at that time may be used)."""
        ...


class EqualWeight:
    """Equal weight over a fixed list of tickers (the built-in target source)."""

    def __init__(self, tickers: Sequence[str]) -> None:
        """Weights 1/n over ``tickers`` (duplicates and blanks dropped, upper-cased)."""
        self.tickers = tuple(sorted({t.strip().upper() for t in tickers if t.strip()}))
        if not self.tickers:
            raise ValueError("equal-weight needs at least one ticker")

    def __call__(self, as_of: datetime) -> dict[str, float]:
        """1/n for each ticker, whatever the date."""
        return {t: 1 / len(self.tickers) for t in self.tickers}


class StrategyTargets:
    """A strategy of :mod:`trading.strategies` as a target source, on the lake's point-in-time view.

    At a time during a session it decides on the previous day's close (the latest one known), reading the
    view afresh each call; :meth:`lake_versions` gives the table versions of the last read.
    """

    def __init__(self, strategy: Any, lake: Lake, universe: Sequence[str] = ()) -> None:
        """Run ``strategy`` (a ``trading.strategies.base.Strategy``) over ``universe`` (empty = every ticker)."""
        self.strategy = strategy
        self.lake = lake
        self.universe = tuple(universe)
        self.versions: dict[str, int | None] = {}

    def __call__(self, as_of: datetime) -> dict[str, float]:
        """The strategy's weights at the close of the day before ``as_of`` (New York)."""
        from trading.data import PointInTimeView

        day = as_of.astimezone(NEW_YORK).date() - timedelta(days=1)
        view = PointInTimeView.load(
            self.lake, tickers=self.universe or None, start=day - timedelta(days=HISTORY_DAYS), end=day
        )
        self.versions = dict(view.versions)
        weights: dict[str, float] = self.strategy.target_weights(view, day)
        return weights

    def lake_versions(self) -> dict[str, int | None]:
        """Versions of the lake tables the last call read."""
        return dict(self.versions)


def load_target_source(name: str, universe: Sequence[str], lake: Lake | None = None) -> TargetSource:
    """The target source named by ``TRADING_STRATEGY``.

    Forms: ``equal-weight`` (built in, over ``universe``, no lake read); a strategy name of
    ``trading.strategies`` with optional parameters, ``quality_value`` or ``momentum:lookback=126;top=0.2``
    (run over ``universe`` on the lake's point-in-time view); ``trading.<module>:<callable>``, called with no
    arguments, returning a :class:`TargetSource`.

    Raises:
        ValueError: unknown name or parameter, or the callable does not return a target source.
    """
    if name == "equal-weight":
        return EqualWeight(universe)
    if not name.startswith("trading."):
        from trading.strategies import make_strategy

        if lake is None:
            raise ValueError(f"strategy {name!r} reads the lake: no lake given")
        strategy_name, _, text = name.partition(":")
        params = dict(p.split("=", 1) for p in text.split(";") if "=" in p)
        return StrategyTargets(make_strategy(strategy_name, params), lake, universe)
    module_name, sep, attr = name.partition(":")
    if not sep or not module_name.startswith("trading."):
        raise ValueError(
            f"TRADING_STRATEGY must be equal-weight or trading.<module>:<callable>, not {name!r}"
        )
    factory = getattr(importlib.import_module(module_name), attr)
    source = factory()
    if not isinstance(source, TargetSource):
        raise ValueError(f"{name} returned {type(source).__name__}, not a target source")
    return source
