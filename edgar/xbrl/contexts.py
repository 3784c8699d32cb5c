"""Reading ``xbrli:context`` and ``xbrli:unit`` elements (shared by instance and inline XBRL)."""

from __future__ import annotations

from datetime import date
from typing import Any, NamedTuple

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


class Context(NamedTuple):
    """What a fact takes from its context (a named tuple: cheap to build, thousands per filing).

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


#: a period element of a context as read: (code, text) with code 0 forever, 1 instant, 2 startDate, 3 endDate
PeriodPoint = tuple[int, str]
#: a dimension of a context as read: (dimension QName as written, member QName or typed value as written, typed)
RawDimension = tuple[str | None, str, bool]
_POINT_CODES = {_FOREVER: 0, _INSTANT: 1, _START: 2, _END: 3}


def build_context(
    context_id: str | None,
    identifier: str | None,
    points: list[PeriodPoint],
    dims: list[RawDimension],
    resolver: QNameResolver,
    warnings: list[str],
) -> Context:
    """The :class:`Context` of what a context element holds (shared by the lxml reader and the C scanner).

    Args:
        context_id: The context's ``id`` (for warnings).
        identifier: Text of the (last) ``xbrli:identifier``, as written.
        points: The period's ``forever``/``instant``/``startDate``/``endDate`` children in document order.
        dims: Explicit and typed members of the segment and scenario, in any order.
        resolver: Maps the document's prefixes in dimension QNames to conventional ones.
        warnings: Receives a note for each date that cannot be read.

    Returns:
        The context; an unreadable date is ``None`` (and noted in ``warnings``).
    """
    start = end = None
    period_type: PeriodType = "forever"
    for code, text in points:
        if code == 0:
            period_type = "forever"
            continue
        raw = text.strip()
        value = _DATES.get(raw, _MISSING)
        if value is _MISSING:
            value = _date(raw)
        if value is None:
            warnings.append(f"context {context_id}: date {raw!r} is not a date")
        if code == 1:
            period_type, end = "instant", value
        elif code == 2:
            period_type, start = "duration", value
        else:
            period_type, end = "duration", value
    dimensions: tuple[tuple[str, str], ...] = ()
    if dims:
        qname = resolver.qname
        pairs = [
            (qname(dim or ""), " ".join(member.split()) if typed else qname(member.strip()))
            for dim, member, typed in dims
        ]
        if len(pairs) > 1:
            pairs.sort()
        dimensions = tuple(pairs)
    entity = identifier.strip() or None if identifier is not None else None
    return Context(period_type, start, end, dimensions, entity)


def read_context(elem: Any, resolver: QNameResolver, warnings: list[str]) -> Context:
    """Read one ``xbrli:context`` element.

    Args:
        elem: The lxml element (namespaced tags).
        resolver: Maps the document's prefixes in dimension QNames to conventional ones.
        warnings: Receives a note for each date that cannot be read.

    Returns:
        The :class:`Context` (see :func:`build_context`).
    """
    identifier: str | None = None
    dims: list[RawDimension] = []
    points: list[PeriodPoint] = []
    for part in elem:
        tag = part.tag
        if tag in (_ENTITY, _SCENARIO):
            for sub in part.iter(_IDENTIFIER, _EXPLICIT, _TYPED):
                sub_tag = sub.tag
                if sub_tag == _EXPLICIT:
                    member = (sub.text or "") if not len(sub) else _text(sub)
                    dims.append((sub.get("dimension"), member, False))
                elif sub_tag == _IDENTIFIER:
                    identifier = _text(sub)
                else:
                    dims.append((sub.get("dimension"), _text(sub), True))
        elif tag == _PERIOD:
            for point in part:
                code = _POINT_CODES.get(point.tag)
                if code is not None:
                    points.append((code, point.text or ""))
    return build_context(elem.get("id"), identifier, points, dims, resolver, warnings)


def _measure(text: str) -> str:
    return split_qname(text)[1]


#: a measure of a unit as read: (where, text) with where 0 outside a divide, 1 numerator, 2 denominator
RawMeasure = tuple[int, str]


def build_unit(has_divide: bool, measures: list[RawMeasure]) -> str:
    """The measure string of what a unit element holds (shared by the lxml reader and the C scanner).

    Args:
        has_divide: The unit has an ``xbrli:divide`` child.
        measures: Its measures in document order, with where each stands.

    Returns:
        Measures by local name, as the SEC's companyfacts names them: ``USD``, ``shares``, ``pure``,
        ``segment`` (for ``nvda:segment``); ``USD/shares`` for a divide; products joined with ``*``.
    """
    if has_divide:
        top = "*".join(_measure(t) for w, t in measures if w == 1)
        bottom = "*".join(_measure(t) for w, t in measures if w == 2)
        return f"{top}/{bottom}"
    return "*".join(_measure(t) for _, t in measures)


def read_unit(elem: Any) -> str:
    """Read one ``xbrli:unit`` into a measure string (see :func:`build_unit`).

    Args:
        elem: The lxml element.

    Returns:
        The measure string.
    """
    divide = elem.find(_DIVIDE)
    if divide is None:
        return build_unit(False, [(0, m.text or "") for m in elem.iter(_MEASURE)])
    measures: list[RawMeasure] = []
    for where, tag in ((1, _NUMERATOR), (2, _DENOMINATOR)):
        part = divide.find(tag)
        if part is not None:
            measures.extend((where, m.text or "") for m in part.iter(_MEASURE))
    return build_unit(True, measures)
