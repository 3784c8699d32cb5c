"""Agreement between our facts and the SEC's own extraction (``companyfacts`` JSON of data.sec.gov)."""

from __future__ import annotations

from datetime import date
from decimal import Decimal, InvalidOperation

import msgspec

from edgar.xbrl.model import Fact


class _Entry(msgspec.Struct):
    end: str
    val: float | int | str
    accn: str
    start: str | None = None


class _Concept(msgspec.Struct):
    units: dict[str, list[_Entry]] = {}


class _CompanyFacts(msgspec.Struct):
    facts: dict[str, dict[str, _Concept]] = {}


class Agreement(msgspec.Struct, kw_only=True):
    """How many of the SEC's facts for one filing we reproduce.

    Attributes:
        accession: The filing compared.
        compared: SEC facts of that filing (``accn``) compared.
        equal: Of those, facts we have with the same concept, unit, period, no dimensions and an equal value.
        missing: SEC facts we have no fact for: ``"us-gaap:Revenues USD 2022-09-25..2023-09-30"``.
        different: SEC facts whose value differs from ours: ``"<concept> <unit> <period>: sec=<v> ours=<v>"``.
    """

    accession: str
    compared: int = 0
    equal: int = 0
    missing: list[str] = msgspec.field(default_factory=list)
    different: list[str] = msgspec.field(default_factory=list)


def _number(value: object) -> Decimal | None:
    try:
        return Decimal(str(value))
    except InvalidOperation:
        return None


def compare_companyfacts(companyfacts_json: bytes, accession: str, facts: list[Fact]) -> Agreement:
    """Compare the SEC's companyfacts entries of one filing with the facts we parsed from it.

    Each SEC entry (``facts[taxonomy][concept].units[unit][i]`` with ``accn == accession``) is matched with our
    facts of concept ``taxonomy:concept``, the same unit, the same start/end and no dimensions; it is equal when
    one of them has the same numeric value.

    Args:
        companyfacts_json: The JSON document (data.sec.gov/api/xbrl/companyfacts/CIK##########.json).
        accession: Accession number of the filing, ``0000320193-23-000106``.
        facts: Our facts of that filing.

    Returns:
        The :class:`Agreement`.
    """
    doc = msgspec.json.decode(companyfacts_json, type=_CompanyFacts)
    ours: dict[tuple[str, str | None, date | None, date | None], list[Decimal]] = {}
    for fact in facts:
        if fact.dimensions or not fact.numeric or fact.value is None:
            continue
        value = _number(fact.value)
        if value is not None:
            ours.setdefault((fact.concept, fact.unit, fact.start, fact.end), []).append(value)
    out = Agreement(accession=accession)
    for taxonomy, concepts in doc.facts.items():
        for name, concept in concepts.items():
            for unit, entries in concept.units.items():
                for entry in entries:
                    if entry.accn != accession:
                        continue
                    out.compared += 1
                    start = date.fromisoformat(entry.start) if entry.start else None
                    end = date.fromisoformat(entry.end)
                    qname = f"{taxonomy}:{name}"
                    label = f"{qname} {unit} {entry.start + '..' if entry.start else ''}{entry.end}"
                    candidates = ours.get((qname, unit, start, end))
                    if not candidates:
                        out.missing.append(label)
                        continue
                    sec = _number(entry.val)
                    if sec is not None and sec in candidates:
                        out.equal += 1
                    else:
                        out.different.append(f"{label}: sec={entry.val} ours={[str(c) for c in candidates]}")
    return out
