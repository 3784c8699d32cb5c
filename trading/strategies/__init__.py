"""Strategies: target weights from point-in-time lake data (interface in :mod:`trading.strategies.base`)."""

from __future__ import annotations

import dataclasses
import json
from collections.abc import Mapping
from typing import Any

from trading.strategies.base import Strategy
from trading.strategies.baseline import BuyAndHold, EqualWeight
from trading.strategies.factor import FactorScore, QualityValue
from trading.strategies.momentum import Momentum
from trading.strategies.signal import SignalTilt

#: Every shipped strategy by name.
STRATEGIES: dict[str, type[Strategy]] = {
    cls.name: cls for cls in (BuyAndHold, EqualWeight, QualityValue, FactorScore, SignalTilt, Momentum)
}


def _parse(value: str, default: Any) -> Any:
    """A CLI value as the type of the field's default: JSON, comma lists for tuples, bare strings."""
    if isinstance(default, tuple):
        return tuple(v.strip().upper() for v in value.split(",") if v.strip())
    if isinstance(default, str):
        return value
    try:
        parsed = json.loads(value)
    except ValueError:
        raise ValueError(f"cannot read {value!r} as {type(default).__name__}") from None
    if isinstance(default, bool) and not isinstance(parsed, bool):
        raise ValueError(f"{value!r} is not true/false")
    if isinstance(default, float) and isinstance(parsed, int) and not isinstance(parsed, bool):
        parsed = float(parsed)
    if not isinstance(parsed, type(default)):
        raise ValueError(f"{value!r} is not a {type(default).__name__}")
    return parsed


def make_strategy(name: str, params: Mapping[str, str] | None = None) -> Strategy:
    """The strategy ``name`` with parameters given as text (``{"top": "0.3", "long_short": "true"}``).

    Raises:
        ValueError: unknown strategy or parameter, or a value of the wrong type (the message says which).
    """
    try:
        cls = STRATEGIES[name]
    except KeyError:
        raise ValueError(f"unknown strategy {name!r}; known: {', '.join(sorted(STRATEGIES))}") from None
    fields = {f.name: f for f in dataclasses.fields(cls)}
    values: dict[str, Any] = {}
    for key, text in (params or {}).items():
        if key not in fields:
            raise ValueError(f"strategy {name} has no parameter {key!r}; parameters: {', '.join(fields)}")
        f = fields[key]
        default = f.default if f.default is not dataclasses.MISSING else f.default_factory()  # type: ignore[misc]
        try:
            values[key] = _parse(text, default)
        except ValueError as exc:
            raise ValueError(f"strategy {name}, parameter {key}: {exc}") from None
    return cls(**values)


__all__ = [
    "STRATEGIES",
    "BuyAndHold",
    "EqualWeight",
    "FactorScore",
    "Momentum",
    "QualityValue",
    "SignalTilt",
    "Strategy",
    "make_strategy",
]
