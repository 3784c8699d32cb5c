"""Row assembly: one FD-shaped row per company, statement, period kind, fiscal period, report period and version."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from typing import Any

from edgar.statements.derive import derive
from edgar.statements.mapping import FIELDS, Statement
from edgar.statements.model import Period, StatementValue
from edgar.statements.versions import as_of, filing_time, select_versions

PROVENANCE_COLUMNS: tuple[str, ...] = (
    "accession_number",
    "form",
    "filing_date",
    "accepted_at",
    "sources",
    "accessions",
)
"""Columns added to every row after the FD fields."""


def prepare(values: Iterable[StatementValue], *, when: datetime | None = None) -> list[StatementValue]:
    """The full pipeline over reported values of one or many companies: point-in-time cut, versions, derivations.

    Args:
        values: reported values from :func:`edgar.statements.standardize.standardize` over many filings.
        when: keep only filings public at this time (see :func:`edgar.statements.versions.as_of`); ``None`` keeps all.

    Returns:
        ``first`` and ``latest`` versions of every value, each version with its own derived quarters and TTM values
        (derived from values of that version only).
    """
    selected = select_versions(as_of(values, when) if when is not None else values)
    out: list[StatementValue] = []
    for version in ("first", "latest"):
        out.extend(derive([v for v in selected if v.version == version]))
    return out


def statement_rows(
    values: Iterable[StatementValue], statement: Statement, period: Period
) -> list[dict[str, Any]]:
    """Assemble FD statement rows.

    One row per (cik, period kind, fiscal_period, report_period, version) (and per filing for ``reported``
    values), with every FD field of the statement (``None`` where unknown), then provenance: the row's
    ``accession_number``, ``form``, ``filing_date`` and ``accepted_at`` are those of the latest-accepted filing
    among its fields (the row is fully known from then on), ``sources`` maps each known field to its concept,
    ``=formula`` or derivation, and ``accessions`` maps each known field to its filing. On the income and cash-flow
    statements a row exists only when a duration item is known; stock items there (``ending_cash_balance``) are
    taken from the instant at the row's report period.

    Args:
        values: statement values (typically from :func:`prepare`).
        statement: ``income``, ``balance_sheet`` or ``cash_flow``.
        period: ``annual``, ``quarterly``, ``ttm`` (or ``ytd``).

    Returns:
        Rows sorted by cik, report period (newest first) and version.
    """
    values = [v for v in values if v.statement == statement]
    instants: dict[tuple[object, ...], StatementValue] = {}
    groups: dict[tuple[object, ...], dict[str, StatementValue]] = {}
    for value in values:
        if statement != "balance_sheet" and value.start is None:
            slot = (value.cik, value.version, value.report_period, value.field)
            if slot not in instants or value.period == period:
                instants[slot] = value
            continue
        if value.period != period:
            continue
        key = (
            value.cik,
            value.fiscal_period,
            value.report_period,
            value.version,
            value.filing.accession_number if value.version == "reported" else None,
        )
        fields = groups.setdefault(key, {})
        if value.field not in fields or filing_time(value.filing) > filing_time(fields[value.field].filing):
            fields[value.field] = value
    rows: list[dict[str, Any]] = []
    for (cik, fiscal_period, report_period, version, _), fields in groups.items():
        for field in FIELDS[statement]:
            stock = instants.get((cik, version, report_period, field))
            if field not in fields and stock is not None:
                fields[field] = stock
        latest = max(fields.values(), key=lambda v: filing_time(v.filing))
        currency = next((v.currency for v in fields.values() if v.currency), None)
        row: dict[str, Any] = {
            "cik": cik,
            "statement": statement,
            "report_period": report_period,
            "fiscal_period": fiscal_period,
            "period": period,
            "currency": currency,
            "version": version,
        }
        for field in FIELDS[statement]:
            row[field] = fields[field].value if field in fields else None
        row["accession_number"] = latest.filing.accession_number
        row["form"] = latest.filing.form
        row["filing_date"] = latest.filing.filing_date
        row["accepted_at"] = latest.filing.accepted_at
        row["sources"] = {f: fields[f].source for f in FIELDS[statement] if f in fields}
        row["accessions"] = {f: fields[f].filing.accession_number for f in FIELDS[statement] if f in fields}
        rows.append(row)
    rows.sort(key=lambda r: (r["cik"], -r["report_period"].toordinal(), r["version"], r["accession_number"]))
    return rows
