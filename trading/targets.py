"""Where the rebalance gets its target weights: the ``TargetSource`` interface and a built-in equal weight."""

from __future__ import annotations

import importlib
from collections.abc import Sequence
from datetime import datetime
from typing import Protocol, runtime_checkable


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


def load_target_source(name: str, universe: Sequence[str]) -> TargetSource:
    """The target source named by ``TRADING_STRATEGY``: ``equal-weight`` or ``module:callable``.

    ``module:callable`` is called with no arguments and must return a :class:`TargetSource` (e.g. a
    strategy of ``trading.strategies`` bound to its parameters).

    Raises:
        ValueError: the name is neither form, or the callable does not return a target source.
    """
    if name == "equal-weight":
        return EqualWeight(universe)
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
