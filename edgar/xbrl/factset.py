"""The result of parsing one XBRL document, and the assembly of raw facts into it."""

from __future__ import annotations

from decimal import ROUND_HALF_EVEN, Decimal, InvalidOperation
from typing import Literal

import msgspec

from edgar.errors import ParseError
from edgar.parse.ixt import canonical_number
from edgar.xbrl.contexts import Context
from edgar.xbrl.model import Fact, FactFootnote

DocumentKind = Literal["xbrl-instance", "inline-xbrl"]


class FactSet(msgspec.Struct, kw_only=True):
    """Every distinct fact of one XBRL document.

    Attributes:
        source: Name of the parsed file.
        kind: ``xbrl-instance`` or ``inline-xbrl``.
        facts: Distinct facts in document order (identical duplicates dropped, conflicting ones kept).
        n_contexts: Number of contexts defined.
        n_units: Number of units defined.
        n_elements: Number of fact elements read before deduplication.
        footnotes: Footnotes attached to facts (one per fact and footnote).
        warnings: What could not be read or looked wrong (unparsable values, conflicting duplicates...).
    """

    source: str
    kind: DocumentKind
    facts: list[Fact] = msgspec.field(default_factory=list)
    n_contexts: int = 0
    n_units: int = 0
    n_elements: int = 0
    footnotes: list[FactFootnote] = msgspec.field(default_factory=list)
    warnings: list[str] = msgspec.field(default_factory=list)

    def dei(self, name: str) -> str | None:
        """The value of a ``dei:`` concept in a context without dimensions (the first one), e.g. ``DocumentType``.

        Args:
            name: Local name of the dei concept.

        Returns:
            Its value, or ``None`` when the document has no such fact without dimensions.
        """
        concept = f"dei:{name}"
        for fact in self.facts:
            if fact.concept == concept and not fact.dimensions and fact.value is not None:
                return fact.value
        return None


def number_text(raw: str) -> str | None:
    """Canonical text of a number written in an instance document (``" 1.50 "`` -> ``"1.5"``).

    Args:
        raw: Element text.

    Returns:
        The canonical text, or ``None`` when it is not a finite decimal.
    """
    raw = raw.strip()
    digits = raw[1:] if raw[:1] == "-" else raw
    if digits.isascii() and digits.isdigit() and (digits[0] != "0" or digits == "0"):
        return raw if digits != "0" else "0"
    try:
        value = Decimal(raw)
    except InvalidOperation:
        return None
    return canonical_number(value) if value.is_finite() else None


_DECIMALS = {str(i): i for i in range(-20, 21)}


def parse_decimals(raw: str | None) -> int | None:
    """The ``decimals`` (or ``precision``) attribute as an int; ``None`` for ``INF``, absent or unreadable."""
    if raw is None:
        return None
    cached = _DECIMALS.get(raw)
    if cached is not None:
        return cached
    raw = raw.strip()
    if raw == "INF":
        return None
    try:
        return int(raw)
    except ValueError:
        return None


#: a fact as read, before its context and unit are resolved: (concept, context id, unit id or None, value,
#: numeric, decimals, precision, is_nil, element id, line)
RawFact = tuple[str, str, str | None, str | None, bool, int | None, int | None, bool, str | None, int | None]

#: a footnote as read: id, text, role, lang
RawFootnote = tuple[str, str, str | None, str | None]
#: a fact-footnote link as read: fact element id, footnote id, order
RawLink = tuple[str, str, float | None]

FACT_FOOTNOTE_ARCROLE = "http://www.xbrl.org/2003/arcrole/fact-footnote"


def parse_order(raw: str | None) -> float | None:
    """The ``order`` attribute of an arc or relationship as a number (``None`` when absent or unreadable)."""
    if raw is None:
        return None
    try:
        return float(raw)
    except ValueError:
        return None


def attach_footnotes(
    fact_index: dict[str, int],
    footnotes: dict[str, RawFootnote],
    links: list[RawLink],
    warnings: list[str],
) -> list[FactFootnote]:
    """Resolve fact-footnote links into :class:`FactFootnote` rows (one per fact and footnote).

    Args:
        fact_index: Fact element id -> position of its (kept) fact in the FactSet.
        footnotes: Footnote id -> (id, text, role, lang).
        links: (fact element id, footnote id, order) in document order.
        warnings: Links to an unknown fact or footnote are counted here.

    Returns:
        The footnotes in link order, duplicates (same fact and footnote) dropped.
    """
    out: list[FactFootnote] = []
    seen: set[tuple[int, str]] = set()
    dangling = 0
    for fact_id, footnote_id, order in links:
        index = fact_index.get(fact_id)
        note = footnotes.get(footnote_id)
        if index is None or note is None:
            dangling += 1
            continue
        if (index, footnote_id) in seen:
            continue
        seen.add((index, footnote_id))
        _, text, role, lang = note
        out.append(
            FactFootnote(
                fact_index=index, footnote_id=footnote_id, text=text, role=role, lang=lang, order=order
            )
        )
    if dangling:
        warnings.append(f"{dangling} footnote link(s) point to a missing fact or footnote")
    return out


def _consistent(values: list[tuple[str | None, int | None]]) -> bool:
    """Numeric duplicates that differ only by rounding: equal once rounded to the coarsest ``decimals``."""
    coarsest = min((d for _, d in values if d is not None), default=None)
    if coarsest is None or any(v is None for v, _ in values):
        return False
    quantum = Decimal(1).scaleb(-coarsest)
    try:
        rounded = {Decimal(v).quantize(quantum, rounding=ROUND_HALF_EVEN) for v, _ in values if v is not None}
    except InvalidOperation:
        return False
    return len(rounded) == 1


def assemble(
    source: str,
    kind: DocumentKind,
    raw_facts: list[RawFact],
    contexts: dict[str, Context],
    units: dict[str, str],
    warnings: list[str],
    footnotes: dict[str, RawFootnote] | None = None,
    links: list[RawLink] | None = None,
    concept_of: dict[str, str] | None = None,
) -> FactSet:
    """Resolve contexts and units, drop identical duplicates, keep and report conflicting ones.

    Duplicates are facts with the same concept, period, dimensions and unit. Identical ones (same value) are one
    fact. Numeric ones whose values agree once rounded to the coarsest ``decimals`` (``15500000000`` at -8 and
    ``15477000000`` at -6) are all kept and counted as rounding duplicates; any other disagreement is kept and
    reported as inconsistent.

    Args:
        source: File name (for errors).
        kind: The document kind.
        raw_facts: Facts in document order.
        contexts: Context id -> context.
        units: Unit id -> measure string.
        warnings: Warnings gathered while reading; more are appended.
        footnotes: Footnotes of the document by id (see :func:`attach_footnotes`).
        links: Fact-footnote links of the document.
        concept_of: When given, the raw facts name their concept by element tag and this maps tag -> concept.

    Returns:
        The :class:`FactSet`.

    Raises:
        ParseError: A fact refers to a context or unit that the document does not define.
    """
    facts: list[Fact] = []
    index_of: dict[tuple[object, ...], int] = {}  # aspect + value -> position of the kept fact
    id_index: dict[str, int] = {}  # fact element id -> position of its kept fact
    first_value: dict[tuple[object, ...], str | None] = {}
    extra: dict[tuple[object, ...], list[str | None]] = {}
    # context id -> (context, slot): contexts with the same period and dimensions (``context[:4]``) share a
    # slot, so a fact's aspect is (concept, slot, unit), hashed without its dates and dimension tuples
    resolved: dict[str, tuple[Context, int]] = {}
    slots: dict[tuple[object, ...], int] = {}
    new_fact = Fact
    for concept, cref, uref, value, numeric, decimals, precision, is_nil, fact_id, line in raw_facts:
        if concept_of is not None:
            concept = concept_of[concept]
        found = resolved.get(cref)
        if found is None:
            context = contexts.get(cref)
            if context is None:
                raise ParseError(source, f"fact {concept} refers to undefined context {cref!r}", line)
            found = resolved[cref] = (context, slots.setdefault(context[:4], len(slots)))
        ctx, slot = found
        unit: str | None = None
        if uref is not None:
            unit = units.get(uref)
            if unit is None:
                raise ParseError(source, f"fact {concept} refers to undefined unit {uref!r}", line)
        aspect = (concept, slot, unit)
        if aspect in first_value:
            if first_value[aspect] == value:
                if fact_id is not None and links:
                    id_index[fact_id] = index_of[(*aspect, value)]
                continue
            others = extra.get(aspect)
            if others is None:
                extra[aspect] = [value]
            elif value in others:
                if fact_id is not None and links:
                    id_index[fact_id] = index_of[(*aspect, value)]
                continue
            else:
                others.append(value)
        else:
            first_value[aspect] = value
        if links:
            index_of[(*aspect, value)] = len(facts)
            if fact_id is not None:
                id_index[fact_id] = len(facts)
        period_type, start, end, dimensions, entity = ctx
        facts.append(
            new_fact(
                concept=concept,
                value=value,
                numeric=numeric,
                decimals=decimals,
                precision=precision,
                unit=unit,
                period_type=period_type,
                start=start,
                end=end,
                dimensions=dimensions,
                entity=entity,
                context_id=cref,
                fact_id=fact_id,
                is_nil=is_nil,
            )
        )
    if extra:
        _warn_duplicates(facts, extra, slots, warnings)
    attached = attach_footnotes(id_index, footnotes or {}, links, warnings) if links else []
    return FactSet(
        source=source,
        kind=kind,
        facts=facts,
        n_contexts=len(contexts),
        n_units=len(units),
        n_elements=len(raw_facts),
        footnotes=attached,
        warnings=warnings,
    )


def _warn_duplicates(
    facts: list[Fact],
    extra: dict[tuple[object, ...], list[str | None]],
    slots: dict[tuple[object, ...], int],
    warnings: list[str],
) -> None:
    decimals_of: dict[tuple[object, ...], dict[str | None, int | None]] = {}
    for fact in facts:
        aspect: tuple[object, ...] = (
            fact.concept,
            slots[(fact.period_type, fact.start, fact.end, fact.dimensions)],
            fact.unit,
        )
        if aspect in extra:
            decimals_of.setdefault(aspect, {}).setdefault(fact.value, fact.decimals)
    rounding: list[str] = []
    inconsistent: list[str] = []
    for aspect, by_value in decimals_of.items():
        values = list(by_value.items())
        text = f"{aspect[0]} {' vs '.join(repr(v) for v, _ in values)}"
        (rounding if _consistent(values) else inconsistent).append(text)
    if rounding:
        warnings.append(
            f"{len(rounding)} duplicate fact(s) differ only by rounding (all kept), e.g. {rounding[0]}"
        )
    if inconsistent:
        warnings.append(
            f"{len(inconsistent)} inconsistent duplicate fact(s) (all kept): {'; '.join(inconsistent[:5])}"
        )
