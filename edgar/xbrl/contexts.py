"""Reading ``xbrli:context`` and ``xbrli:unit`` elements (shared by instance and inline XBRL)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from edgar.parse import ixt
from edgar.xbrl.model import PeriodType
from edgar.xbrl.namespaces import XBRLDI_NS, XBRLI_NS, QNameResolver, split_qname

_ENTITY = f"{{{XBRLI_NS}}}entity"
_PERIOD = f"{{{XBRLI_NS}}}period"
_IDENTIFIER = f"{{{XBRLI_NS}}}identifier"
_SEGMENT = f"{{{XBRLI_NS}}}segment"
_SCENARIO = f"{{{XBRLI_NS}}}scenario"
_INSTANT = f"{{{XBRLI_NS}}}instant"
_START = f"{{{XBRLI_NS}}}startDate"
_END = f"{{{XBRLI_NS}}}endDate"
_FOREVER = f"{{{XBRLI_NS}}}forever"
_EXPLICIT = f"{{{XBRLDI_NS}}}explicitMember"
_TYPED = f"{{{XBRLDI_NS}}}typedMember"
_MEASURE = f"{{{XBRLI_NS}}}measure"
_DIVIDE = f"{{{XBRLI_NS}}}divide"
_NUMERATOR = f"{{{XBRLI_NS}}}unitNumerator"
_DENOMINATOR = f"{{{XBRLI_NS}}}unitDenominator"


@dataclass(frozen=True, slots=True)
class Context:
    """What a fact takes from its context.

    Attributes:
        period_type: ``instant``, ``duration`` or ``forever``.
        start: Start date of a duration.
        end: End date of a duration or the instant.
        dimensions: Sorted ``(axis, member)`` pairs (typed members: their value as text).
        entity: The entity identifier as written.
    """

    period_type: PeriodType
    start: date | None
    end: date | None
    dimensions: tuple[tuple[str, str], ...]
    entity: str | None


def _text(elem: Any) -> str:
    if len(elem):
        return " ".join("".join(elem.itertext()).split())
    return (elem.text or "").strip()


_DATES: dict[str, date | None] = {}
_MISSING: Any = object()


def _date(text: str) -> date | None:
    if text in _DATES:
        return _DATES[text]
    value = ixt.parse_date(text)
    if len(_DATES) < 65536:
        _DATES[text] = value
    return value


def read_context(elem: Any, resolver: QNameResolver, warnings: list[str]) -> Context:
    """Read one ``xbrli:context`` element.

    Args:
        elem: The lxml element (namespaced tags).
        resolver: Maps the document's prefixes in dimension QNames to conventional ones.
        warnings: Receives a note for each date that cannot be read.

    Returns:
        The :class:`Context`; an unreadable date is ``None`` (and noted in ``warnings``).
    """
    entity: str | None = None
    dims: list[tuple[str, str]] = []
    start = end = None
    period_type: PeriodType = "forever"
    qname = resolver.qname
    for part in elem:
        tag = part.tag
        if tag in (_ENTITY, _SCENARIO):
            for sub in part.iter(_IDENTIFIER, _EXPLICIT, _TYPED):
                sub_tag = sub.tag
                if sub_tag == _EXPLICIT:
                    member = (sub.text or "").strip() if not len(sub) else _text(sub)
                    dims.append((qname(sub.get("dimension") or ""), qname(member)))
                elif sub_tag == _IDENTIFIER:
                    entity = _text(sub) or None
                else:
                    dims.append((qname(sub.get("dimension") or ""), _text(sub)))
        elif tag == _PERIOD:
            for point in part:
                point_tag = point.tag
                if not isinstance(point_tag, str):
                    continue
                if point_tag == _FOREVER:
                    period_type = "forever"
                    continue
                raw = (point.text or "").strip()
                value = _DATES.get(raw, _MISSING)
                if value is _MISSING:
                    value = _date(raw)
                if value is None:
                    warnings.append(f"context {elem.get('id')}: date {raw!r} is not a date")
                if point_tag == _INSTANT:
                    period_type, end = "instant", value
                elif point_tag == _START:
                    period_type, start = "duration", value
                elif point_tag == _END:
                    period_type, end = "duration", value
    return Context(period_type, start, end, tuple(sorted(dims)) if dims else (), entity)


def _measure(text: str) -> str:
    return split_qname(text)[1]


def read_unit(elem: Any) -> str:
    """Read one ``xbrli:unit`` into a measure string.

    Args:
        elem: The lxml element.

    Returns:
        Measures by local name, as the SEC's companyfacts names them: ``USD``, ``shares``, ``pure``,
        ``segment`` (for ``nvda:segment``); ``USD/shares`` for a divide; products joined with ``*``.
    """
    divide = elem.find(_DIVIDE)
    if divide is not None:
        num = divide.find(_NUMERATOR)
        den = divide.find(_DENOMINATOR)
        top = "*".join(_measure(m.text or "") for m in (num.iter(_MEASURE) if num is not None else ()))
        bottom = "*".join(_measure(m.text or "") for m in (den.iter(_MEASURE) if den is not None else ()))
        return f"{top}/{bottom}"
    return "*".join(_measure(m.text or "") for m in elem.iter(_MEASURE))
