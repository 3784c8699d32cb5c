"""Standardize one filing's XBRL facts into FD line items, per period, with the concept or formula behind each."""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable
from datetime import date, timedelta
from decimal import Decimal, InvalidOperation

from edgar.statements.mapping import Kind, LineItem, Statement, line_items
from edgar.statements.model import FilingRef, Period, StatementValue
from edgar.statements.periods import duration_months, fiscal_calendar, fiscal_quarter_of
from edgar.xbrl.model import Fact

FINANCIAL_SIC = range(6000, 6500)
"""SIC codes of banks, credit institutions, brokers and insurers (6000-6499); real estate (65xx) is not included."""

FINANCIAL_CONCEPTS = frozenset(
    {
        "us-gaap:InterestAndDividendIncomeOperating",
        "us-gaap:Deposits",
        "us-gaap:InterestIncomeExpenseNet",
        "us-gaap:LoansAndLeasesReceivableNetReportedAmount",
        "us-gaap:PremiumsEarnedNet",
        "us-gaap:LiabilityForFuturePolicyBenefits",
    }
)
"""Concepts whose presence marks a bank or insurer when no SIC code is given."""

_CURRENCY = re.compile(r"^[A-Z]{3}$")
_PER_SHARE = re.compile(r"^([A-Z]{3})/shares$")

# (concept, start, end) -> unit -> value
_Index = dict[tuple[str, date | None, date], dict[str, Decimal]]
_Resolved = tuple[Decimal, str, str, str] | None  # value, unit, source, method


def is_financial(sic: int | None, concepts: Iterable[str] = ()) -> bool:
    """Whether a company is a bank or insurer, whose revenue must not come from industrial revenue concepts.

    Args:
        sic: the SIC code, when known (decides alone when given).
        concepts: concept QNames the filing reports (used when ``sic`` is ``None``).

    Returns:
        ``True`` for SIC 6000-6499, or without a SIC when a bank/insurer concept (:data:`FINANCIAL_CONCEPTS`) is
        reported.
    """
    if sic is not None:
        return sic in FINANCIAL_SIC
    return any(c in FINANCIAL_CONCEPTS for c in concepts)


def _number(text: str | None) -> Decimal | None:
    if text is None:
        return None
    try:
        value = Decimal(text.strip())
    except InvalidOperation:
        return None
    return value if value.is_finite() else None


def _dei(facts: Iterable[Fact]) -> dict[str, str]:
    out: dict[str, str] = {}
    for fact in facts:
        if fact.concept.startswith("dei:") and not fact.dimensions and fact.value is not None:
            out.setdefault(fact.concept[4:], fact.value)
    return out


def _parse_date(text: str | None) -> date | None:
    if not text:
        return None
    try:
        return date.fromisoformat(text.strip()[:10])
    except ValueError:
        return None


def _unit_ok(kind: Kind, unit: str, currency: str) -> bool:
    if kind in ("flow", "stock"):
        return unit == currency
    if kind == "per_share":
        return unit == f"{currency}/shares"
    return unit == "shares"


def standardize(
    facts: Iterable[Fact],
    *,
    filing: FilingRef,
    fiscal_year_end: str | None = None,
    sic: int | None = None,
    items: tuple[LineItem, ...] | None = None,
) -> list[StatementValue]:
    """Standardize the facts of one filing into FD line items for every period the filing reports.

    For each (statement, field, period) the highest-priority mapping row that can be evaluated wins: a concept row
    needs a dimensionless, non-nil fact of the concept for exactly that period in the unit of the field's kind
    (the filing's currency, ``<currency>/shares``, or ``shares``); a formula row needs its required terms. Balance
    sheet items (and stocks on the cash-flow statement) use instants; the rest use durations of about 3, 6, 9 or
    12 months. An instant at a fiscal year end yields two values (``annual`` ``FY2023`` and ``quarterly``
    ``2023-Q4``); 3-month durations are ``quarterly``, 6/9-month ones ``ytd`` (``2023-9M``), 12-month ones ending
    at a fiscal year end ``annual``. Anything that cannot be computed is absent (never 0).

    Args:
        facts: every fact of the filing (dei facts included: they give the fiscal year and period).
        filing: the filing's identity and timing, copied onto every value.
        fiscal_year_end: ``--MM-DD``/``MMDD``; only needed when the filing lacks ``dei:DocumentFiscalYearFocus``/
            ``DocumentFiscalPeriodFocus`` (otherwise ``dei:CurrentFiscalYearEndDate`` is used as the fallback).
        sic: the company's SIC code; banks and insurers (6000-6499, or bank concepts when unknown) skip the
            ``non_financial`` mapping rows (revenue from ASC 606 tags, cost of revenue, gross profit).
        items: the mapping table (default: the shipped one).

    Returns:
        The values, ordered by statement, field order, period end.
    """
    facts = list(facts)
    table = items if items is not None else line_items()
    dei = _dei(facts)
    index: _Index = {}
    decimals: dict[tuple[str, date | None, date, str], int] = {}
    unit_counts: Counter[str] = Counter()
    for fact in facts:
        if fact.dimensions or not fact.numeric or fact.is_nil or fact.unit is None or fact.end is None:
            continue
        if fact.period_type == "forever":
            continue
        value = _number(fact.value)
        if value is None:
            continue
        start = fact.start if fact.period_type == "duration" else None
        key = (fact.concept, start, fact.end)
        units = index.setdefault(key, {})
        precision = fact.decimals if fact.decimals is not None else 99
        if fact.unit in units and decimals[(*key, fact.unit)] >= precision:
            continue  # duplicate fact: keep the most precise one
        units[fact.unit] = value
        decimals[(*key, fact.unit)] = precision
        if _CURRENCY.match(fact.unit):
            unit_counts[fact.unit] += 1
    if not index:
        return []
    currency = "USD" if "USD" in unit_counts else (unit_counts.most_common(1)[0][0] if unit_counts else "USD")

    main_end = _parse_date(dei.get("DocumentPeriodEndDate"))
    if main_end is None:
        main_end = (
            max(end for (_, start, end) in index if start is not None) if any(k[1] for k in index) else None
        )
    if main_end is None:
        return []
    fy_text = dei.get("DocumentFiscalYearFocus")
    cal = fiscal_calendar(
        main_end,
        fiscal_year=int(fy_text) if fy_text and fy_text.strip().isdigit() else None,
        fiscal_quarter=fiscal_quarter_of(dei.get("DocumentFiscalPeriodFocus")),
        fiscal_year_end=fiscal_year_end or dei.get("CurrentFiscalYearEndDate"),
    )
    if cal is None:
        return []

    financial = is_financial(sic, (k[0] for k in index))
    active = [i for i in table if i.scope == "all" or (i.scope == "financial") == financial]
    by_field: dict[tuple[str, str], list[LineItem]] = {}
    for item in active:
        by_field.setdefault((item.statement, item.field), []).append(item)

    def concept_value(concept: str, kind: Kind, start: date | None, end: date) -> tuple[Decimal, str] | None:
        units = index.get((concept, start, end))
        if not units:
            return None
        for unit, value in sorted(units.items()):
            if _unit_ok(kind, unit, currency):
                return value, unit
        return None

    memo: dict[tuple[str, str, date | None, date], _Resolved] = {}

    def resolve(statement: str, field: str, start: date | None, end: date) -> _Resolved:
        key = (statement, field, start, end)
        if key in memo:
            return memo[key]
        memo[key] = None  # the loader rejects cycles; this only guards against re-entry
        result: _Resolved = None
        for item in by_field.get((statement, field), ()):
            if item.concept is not None:
                found = concept_value(item.concept, item.kind, start, end)
                if found is not None:
                    result = (found[0] * item.sign, found[1], item.concept, "concept")
                    break
                continue
            total = Decimal(0)
            unit: str | None = None
            known = 0
            complete = True
            for term in item.terms:
                if term.is_concept:
                    hit = concept_value(term.name, item.kind, start, end)
                    term_value = None if hit is None else hit[0]
                    term_unit = None if hit is None else hit[1]
                else:
                    sub = resolve(statement, term.name, start, end)
                    term_value = None if sub is None else sub[0]
                    term_unit = None if sub is None else sub[1]
                if term_value is None:
                    if term.optional:
                        continue
                    complete = False
                    break
                total += term.sign * term_value
                unit = unit or term_unit
                known += 1
            if complete and known and unit is not None:
                result = (total, unit, item.source, "formula")
                break
        memo[key] = result
        return result

    durations = sorted({(s, e) for (_, s, e) in index if s is not None})
    instants = sorted({e for (_, s, e) in index if s is None})
    fields: dict[tuple[str, str], Kind] = {}
    for item in active:
        fields.setdefault((item.statement, item.field), item.kind)

    out: list[StatementValue] = []
    for (statement, field), kind in fields.items():
        if statement == "balance_sheet" or kind == "stock":
            for end in instants:
                label = cal.label(end)
                resolved = resolve(statement, field, None, end)
                if label is None or resolved is None:
                    continue
                fy, q = label
                if q == 4:
                    out.append(
                        _value(filing, statement, field, kind, resolved, "annual", 0, fy, None, None, end)
                    )
                out.append(_value(filing, statement, field, kind, resolved, "quarterly", 0, fy, q, None, end))
            continue
        for start, end in durations:
            months = duration_months(start, end)
            label = cal.label(end)
            if months is None or label is None:
                continue
            fy, q = label
            period: Period
            if months == 3:
                period = "quarterly"
            elif months == 12 and q == 4:
                period = "annual"
            elif months in (6, 9) and q == months // 3:
                period = "ytd"
            else:
                continue
            # the start must be a quarter boundary of the same calendar, else this is not a fiscal period
            if cal.label(start - timedelta(days=1)) is None:
                continue
            resolved = resolve(statement, field, start, end)
            if resolved is None:
                continue
            out.append(
                _value(
                    filing,
                    statement,
                    field,
                    kind,
                    resolved,
                    period,
                    months,
                    fy,
                    None if months == 12 else q,
                    start,
                    end,
                )
            )
    return out


def fiscal_label(period: Period, fiscal_year: int, fiscal_quarter: int | None, months: int) -> str:
    """FD's ``fiscal_period`` text.

    Args:
        period: ``annual``, ``quarterly``, ``ttm`` or ``ytd``.
        fiscal_year: the fiscal year.
        fiscal_quarter: the quarter (ignored for annual).
        months: the length (used for ytd).

    Returns:
        ``FY2023`` (annual), ``2023-Q3`` (quarterly, ttm), ``2023-9M`` (ytd).
    """
    if period == "annual":
        return f"FY{fiscal_year}"
    if period == "ytd":
        return f"{fiscal_year}-{months}M"
    return f"{fiscal_year}-Q{fiscal_quarter}"


def _value(
    filing: FilingRef,
    statement: str,
    field: str,
    kind: Kind,
    resolved: tuple[Decimal, str, str, str],
    period: Period,
    months: int,
    fiscal_year: int,
    fiscal_quarter: int | None,
    start: date | None,
    end: date,
) -> StatementValue:
    number, unit, source, method = resolved
    match = _PER_SHARE.match(unit)
    currency = unit if _CURRENCY.match(unit) else (match.group(1) if match else None)
    return StatementValue(
        cik=filing.cik,
        statement=statement,  # type: ignore[arg-type]
        field=field,
        kind=kind,
        value=float(number),
        unit=unit,
        currency=currency,
        period=period,
        months=months,
        fiscal_year=fiscal_year,
        fiscal_quarter=fiscal_quarter,
        fiscal_period=fiscal_label(period, fiscal_year, fiscal_quarter, months),
        report_period=end,
        start=start,
        method=method,  # type: ignore[arg-type]
        source=source,
        filing=filing,
    )


__all__ = ["FINANCIAL_CONCEPTS", "FINANCIAL_SIC", "Statement", "fiscal_label", "is_financial", "standardize"]
