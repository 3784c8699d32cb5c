"""The shapes every XBRL parser returns: one :class:`Fact` per distinct fact of a filing."""

from __future__ import annotations

from datetime import date
from typing import Literal

import msgspec

PeriodType = Literal["instant", "duration", "forever"]


class Fact(msgspec.Struct, frozen=True, kw_only=True, gc=False):
    """One XBRL fact, the same whether it came from an instance document or inline XBRL.

    Facts hold only strings, numbers, dates and tuples of strings, so they cannot be part of a reference cycle:
    ``gc=False`` keeps the garbage collector from scanning the tens of thousands a filing set produces.

    Attributes:
        concept: QName with the conventional prefix of its namespace (``us-gaap:Revenues``, ``dei:DocumentType``,
            ``aapl:...`` for a filer extension: the prefix the document declares for it).
        value: the value as text after inline transforms, scale and sign: numbers as plain decimal text
            (``"394328000000"``, ``"-1.5"``, ``"6.13"``), dates ISO, text with whitespace collapsed; ``None`` when nil.
        numeric: the fact is numeric (has a unit).
        decimals: the ``decimals`` attribute (``None`` for ``INF`` or absent).
        precision: the ``precision`` attribute of older instances (``None`` for ``INF`` or absent).
        unit: unit id resolved to its measures by local name (as the SEC's companyfacts names them): ``USD``,
            ``shares``, ``USD/shares``, ``pure``, ``segment`` (a filer's ``nvda:segment``).
        period_type: ``instant``, ``duration`` or ``forever``.
        start: start date of a duration.
        end: end date of a duration, or the date of an instant, as written in the context.
        dimensions: sorted ``(axis, member)`` pairs of explicit and typed dimensions (typed: the value as text).
        entity: the context's entity identifier (the CIK as written).
        context_id: the context id (provenance only; two documents may name contexts differently).
        fact_id: the element's ``id``, when it has one.
        is_nil: ``xsi:nil="true"``.
    """

    concept: str
    value: str | None
    numeric: bool
    decimals: int | None = None
    precision: int | None = None
    unit: str | None = None
    period_type: PeriodType
    start: date | None = None
    end: date | None = None
    dimensions: tuple[tuple[str, str], ...] = ()
    entity: str | None = None
    context_id: str
    fact_id: str | None = None
    is_nil: bool = False

    def key(self) -> tuple[object, ...]:
        """Identity of the fact independent of where it was written: concept, period, dimensions, unit, value."""
        return (self.concept, self.period_type, self.start, self.end, self.dimensions, self.unit, self.value)


class FactFootnote(msgspec.Struct, frozen=True, kw_only=True):
    """A footnote attached to a fact (``fact-footnote`` arc of an instance, ``ix:relationship`` of inline XBRL).

    Attributes:
        fact_index: Position of the footnoted fact in :attr:`FactSet.facts` (a duplicate's footnote is
            attached to the fact kept for it).
        footnote_id: The footnote's label (instance) or ``id`` (inline).
        text: The footnote's text, markup removed, whitespace collapsed.
        role: ``footnoteRole`` / ``xlink:role`` (usually ``http://www.xbrl.org/2003/role/footnote``).
        lang: ``xml:lang`` when given.
        order: The arc's ``order``, when given.
    """

    fact_index: int
    footnote_id: str
    text: str
    role: str | None = None
    lang: str | None = None
    order: float | None = None
