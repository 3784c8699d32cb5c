"""The shapes of standardized statement values, their filings and restatements."""

from __future__ import annotations

from datetime import date, datetime
from typing import Literal

import msgspec

from edgar.statements.mapping import Kind, Statement

Period = Literal["annual", "quarterly", "ttm", "ytd"]
"""FD's period kinds, plus ``ytd`` for 6- and 9-month year-to-date durations (kept for derivations)."""

Method = Literal["concept", "formula", "derived"]
Version = Literal["reported", "first", "latest"]


class FilingRef(msgspec.Struct, frozen=True, kw_only=True):
    """The filing a value came from (point-in-time provenance).

    Attributes:
        cik: the filer's CIK.
        accession_number: ``0000320193-23-000106``.
        form: ``10-K``, ``10-Q``, ``10-K/A``, ...
        filing_date: EDGAR's filing date.
        accepted_at: EDGAR's acceptance time, when known.
    """

    cik: int
    accession_number: str
    form: str
    filing_date: date | None = None
    accepted_at: datetime | None = None


class StatementValue(msgspec.Struct, frozen=True, kw_only=True):
    """One standardized value: one FD field of one statement for one period, from one filing.

    Attributes:
        cik: the company.
        statement: ``income``, ``balance_sheet`` or ``cash_flow``.
        field: the FD field.
        kind: the field's kind (``flow``, ``stock``, ``per_share``, ``shares``).
        value: the number (outflows negative on the cash-flow statement).
        unit: ``USD``, ``USD/shares``, ``shares`` (or another ISO currency).
        currency: the currency of the value or of the per-share value; ``None`` for share counts.
        period: ``annual``, ``quarterly``, ``ttm`` or ``ytd``.
        months: the length of the period (0 for an instant, 3, 6, 9 or 12).
        fiscal_year: the fiscal year (FD labels it by the calendar year the fiscal year ends in).
        fiscal_quarter: 1-4 for quarterly, ttm, ytd and instant values; ``None`` for annual values.
        fiscal_period: ``FY2023``, ``2023-Q3``, ``2023-9M`` (ytd).
        report_period: the period end (the instant date for a stock).
        start: the start of a duration; ``None`` for an instant.
        method: ``concept``, ``formula`` or ``derived`` (computed across periods or filings).
        source: the concept QName, ``=formula`` from the mapping table, or for a derived value the derivation text.
        derivation: for a derived value, what it was computed from (``FY2023 - 9M to 2023-07-01``).
        filing: the filing that reported the value; for a derived value, the latest-accepted filing among its inputs.
        inputs: accession numbers of every filing a derived value used.
        version: ``reported`` as standardized from one filing; ``first``/``latest`` after :func:`select_versions`.
    """

    cik: int
    statement: Statement
    field: str
    kind: Kind
    value: float
    unit: str
    currency: str | None
    period: Period
    months: int
    fiscal_year: int
    fiscal_quarter: int | None
    fiscal_period: str
    report_period: date
    start: date | None
    method: Method
    source: str
    derivation: str | None = None
    filing: FilingRef
    inputs: tuple[str, ...] = ()
    version: Version = "reported"

    def key(self) -> tuple[object, ...]:
        """What identifies the value independent of the filing: company, statement, field, period."""
        return (
            self.cik,
            self.statement,
            self.field,
            self.period,
            self.fiscal_period,
            self.report_period,
            self.start,
        )


class Restatement(msgspec.Struct, frozen=True, kw_only=True):
    """A later filing reported a different value for the same company, line item and period.

    Attributes:
        cik: the company.
        statement: the statement.
        field: the FD field.
        period: ``annual``, ``quarterly``, ``ttm`` or ``ytd``.
        fiscal_period: ``FY2023``, ``2023-Q3``, ...
        report_period: the period end.
        start: the start of a duration.
        old_value: the value of the earlier filing.
        new_value: the value of the later filing.
        old_source: the concept or formula behind the old value.
        new_source: the concept or formula behind the new value.
        old_filing: the earlier filing.
        new_filing: the later filing.
    """

    cik: int
    statement: Statement
    field: str
    period: Period
    fiscal_period: str
    report_period: date
    start: date | None
    old_value: float
    new_value: float
    old_source: str
    new_source: str
    old_filing: FilingRef
    new_filing: FilingRef
