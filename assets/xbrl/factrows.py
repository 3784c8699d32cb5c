"""One filing's parsed XBRL as Arrow tables of ``facts`` and ``fact_footnotes`` rows, built column by column.

A filing's facts go from the parser's :class:`~edgar.xbrl.model.Fact` list straight into Arrow columns: no
Python dict per fact, so a batch of filings costs its Arrow size (~400 B a fact), not ~1.8 KB a fact.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable
from typing import Any

import pyarrow as pa

from edgar.xbrl.factset import FactSet
from edgar.xbrl.model import Fact
from lake.tables import FACT_FOOTNOTES, FACTS, FILING_QUARTER

STAMP = ("filing_id", "accession", "cik", "form", "filing_date", "acceptance_utc")


def fact_key(fact: Fact) -> str:
    """A stable id of a fact within its filing (hash of concept, period, dimensions, unit and value)."""
    return hashlib.sha1(repr(fact.key()).encode(), usedforsecurity=False).hexdigest()


def _number(fact: Fact) -> float | None:
    if not fact.numeric or fact.value is None:
        return None
    try:
        return float(fact.value)
    except ValueError:
        return None


def _stamped(schema: pa.Schema, filing: dict[str, Any], n: int, columns: dict[str, list[Any]]) -> pa.Table:
    """A table of ``schema`` from ``columns`` plus the filing's stamp and quarter repeated ``n`` times."""
    constant = {k: filing[k] for k in (*STAMP, FILING_QUARTER)}
    arrays = [
        pa.array(columns[f.name], type=f.type)
        if f.name in columns
        else pa.array([constant[f.name]] * n, type=f.type)
        for f in schema
    ]
    return pa.Table.from_arrays(arrays, schema=schema)


def fact_table(filing: dict[str, Any], document: str, facts: Iterable[Fact]) -> pa.Table:
    """``facts`` rows of one filing (first fact of each key kept), stamped with the filing's identity and time."""
    names = (
        "fact_key",
        "concept",
        "value",
        "value_num",
        "numeric",
        "decimals",
        "unit",
        "period_type",
        "period_start",
        "period_end",
        "dimensions",
        "is_nil",
    )
    columns: dict[str, list[Any]] = {n: [] for n in names}
    seen: set[str] = set()
    for fact in facts:
        key = fact_key(fact)
        if key in seen:
            continue
        seen.add(key)
        columns["fact_key"].append(key)
        columns["concept"].append(fact.concept)
        columns["value"].append(fact.value)
        columns["value_num"].append(_number(fact))
        columns["numeric"].append(fact.numeric)
        columns["decimals"].append(fact.decimals)
        columns["unit"].append(fact.unit)
        columns["period_type"].append(fact.period_type)
        columns["period_start"].append(fact.start)
        columns["period_end"].append(fact.end)
        columns["dimensions"].append([{"axis": a, "member": m} for a, m in fact.dimensions])
        columns["is_nil"].append(fact.is_nil)
    columns["document"] = [document] * len(seen)
    return _stamped(FACTS.schema, filing, len(seen), columns)


def fact_rows(filing: dict[str, Any], document: str, facts: Iterable[Fact]) -> list[dict[str, Any]]:
    """:func:`fact_table` as a list of dicts (for small inputs and tests; the asset keeps Arrow)."""
    return fact_table(filing, document, facts).to_pylist()


def footnote_table(filing: dict[str, Any], parsed: FactSet) -> pa.Table:
    """``fact_footnotes`` rows of one filing: each footnote with the key of the fact it is attached to."""
    names = ("fact_key", "concept", "footnote_id", "footnote", "role", "lang", "arc_order")
    columns: dict[str, list[Any]] = {n: [] for n in names}
    seen: set[tuple[str, str]] = set()
    for note in parsed.footnotes:
        fact = parsed.facts[note.fact_index]
        key = fact_key(fact)
        if (key, note.footnote_id) in seen:
            continue
        seen.add((key, note.footnote_id))
        for name, value in zip(
            names,
            (key, fact.concept, note.footnote_id, note.text, note.role, note.lang, note.order),
            strict=True,
        ):
            columns[name].append(value)
    return _stamped(FACT_FOOTNOTES.schema, filing, len(seen), columns)


def footnote_rows(filing: dict[str, Any], parsed: FactSet) -> list[dict[str, Any]]:
    """:func:`footnote_table` as a list of dicts."""
    return footnote_table(filing, parsed).to_pylist()
