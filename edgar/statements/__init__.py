"""Standardized financial statements (FinancialDatasets fields) from XBRL facts: pure functions, no framework.

Pipeline: :func:`standardize` each filing's facts -> :func:`prepare` (point-in-time cut, first/latest versions,
derived quarters and TTM) -> :func:`statement_rows`. :func:`restatements` lists changed values across filings.
"""

from edgar.statements.derive import derive, derive_quarters, derive_ttm
from edgar.statements.mapping import (
    BALANCE_SHEET_FIELDS,
    CASH_FLOW_FIELDS,
    FIELDS,
    INCOME_FIELDS,
    LineItem,
    MappingError,
    Term,
    line_items,
    parse_line_items,
)
from edgar.statements.model import FilingRef, Restatement, StatementValue
from edgar.statements.periods import FiscalCalendar, duration_months, fiscal_calendar, parse_fiscal_year_end
from edgar.statements.rows import prepare, statement_rows
from edgar.statements.standardize import is_financial, standardize
from edgar.statements.versions import as_of, filing_time, known_at, restatements, select_versions

__all__ = [
    "BALANCE_SHEET_FIELDS",
    "CASH_FLOW_FIELDS",
    "FIELDS",
    "INCOME_FIELDS",
    "FilingRef",
    "FiscalCalendar",
    "LineItem",
    "MappingError",
    "Restatement",
    "StatementValue",
    "Term",
    "as_of",
    "derive",
    "derive_quarters",
    "derive_ttm",
    "duration_months",
    "filing_time",
    "fiscal_calendar",
    "is_financial",
    "known_at",
    "line_items",
    "parse_fiscal_year_end",
    "parse_line_items",
    "prepare",
    "restatements",
    "select_versions",
    "standardize",
    "statement_rows",
]
