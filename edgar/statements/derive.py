"""Cross-filing derivations over the statement values of one company: missing quarters and trailing twelve months.

Rules (flows only, i.e. kind ``flow``):

* A quarter that no filing reports as a 3-month period is the difference of two cumulative periods with the same
  start: Q2 = 6M - Q1, Q3 = 9M - 6M, Q4 = FY - 9M (``FY2023 - 9M to 2023-07-01``). When the 9-month period is not
  known, Q4 = FY - Q1 - Q2 - Q3 if the three quarters chain from the fiscal year's start.
* TTM at a quarter end: the annual value when the quarter is a fiscal year end (exact, every kind, EPS included);
  otherwise the sum of the four consecutive quarters ending there (each starting the day after the previous one
  ended).
* Stocks (balance sheet, ending cash): a quarter's TTM value is the value at the quarter end.

Per-share values (EPS, dividends per share) and share counts are never derived by differences or sums: a quarter's
EPS is net income over *that quarter's* weighted-average shares, and FY EPS - 9M EPS divides by two different share
counts (Apple FY2023: 6.13 - 4.67 = 1.46 is only an approximation, close because Apple's share count moves slowly;
a company that issues or buys back many shares, or splits its stock, gets a wrong number). Weighted-average share
counts are averages, not sums. Both are therefore ``None`` in derived quarters and in TTM values not at a fiscal
year end (where the TTM is the fiscal year's own reported value). Dividends per share declared would be additive, but
are left out for the same uniform rule.

A derived value carries the latest-accepted filing among its inputs (it is known only once all of them are), every
input's accession in ``inputs``, and ``derivation`` text. Inputs must be one version of each value (see
:func:`edgar.statements.versions.select_versions`); when a key has values from several filings the latest-accepted
one is used.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, timedelta
from decimal import Decimal

from msgspec import structs

from edgar.statements.model import StatementValue
from edgar.statements.standardize import fiscal_label
from edgar.statements.versions import filing_time


def _describe(value: StatementValue) -> str:
    if value.period == "annual":
        return value.fiscal_period
    if value.period == "ytd":
        return f"{value.months}M to {value.report_period.isoformat()}"
    return value.fiscal_period


def _dedupe(values: Iterable[StatementValue]) -> list[StatementValue]:
    best: dict[tuple[object, ...], StatementValue] = {}
    for value in values:
        key = (*value.key(), value.version)
        if key not in best or filing_time(value.filing) > filing_time(best[key].filing):
            best[key] = value
    return list(best.values())


def _combine(
    template: StatementValue,
    parts: list[tuple[int, StatementValue]],
    *,
    period: str,
    months: int,
    fiscal_quarter: int | None,
    start: date | None,
    derivation: str,
) -> StatementValue:
    total = sum((Decimal(repr(v.value)) * sign for sign, v in parts), Decimal(0))
    latest = max((v for _, v in parts), key=lambda v: filing_time(v.filing))
    inputs = tuple(sorted({a for _, v in parts for a in (v.inputs or (v.filing.accession_number,))}))
    return StatementValue(
        cik=template.cik,
        statement=template.statement,
        field=template.field,
        kind=template.kind,
        value=float(total),
        unit=template.unit,
        currency=template.currency,
        period=period,  # type: ignore[arg-type]
        months=months,
        fiscal_year=template.fiscal_year,
        fiscal_quarter=fiscal_quarter,
        fiscal_period=fiscal_label(period, template.fiscal_year, fiscal_quarter, months),  # type: ignore[arg-type]
        report_period=template.report_period,
        start=start,
        method="derived",
        source=derivation,
        derivation=derivation,
        filing=latest.filing,
        inputs=inputs,
        version=template.version,
    )


def derive_quarters(values: Iterable[StatementValue]) -> list[StatementValue]:
    """Quarters of flow items that no filing reports directly, from cumulative (YTD/annual) differences.

    Args:
        values: statement values of one or many companies (one version of each; see the module docstring).

    Returns:
        Only the new ``quarterly`` values (``method="derived"``).
    """
    groups: dict[tuple[object, ...], list[StatementValue]] = {}
    for value in _dedupe(values):
        if value.kind == "flow" and value.start is not None:
            groups.setdefault((value.cik, value.statement, value.field, value.version), []).append(value)
    out: list[StatementValue] = []
    for members in groups.values():
        by_span = {(v.start, v.report_period): v for v in members}
        quarters = {v.report_period: v for v in members if v.months == 3}
        cumulative = sorted(
            (v for v in members if v.months in (6, 9, 12)), key=lambda v: (v.report_period, v.months)
        )
        for total in cumulative:
            if total.report_period in quarters:
                continue
            quarter = total.months // 3
            previous = next(
                (v for (s, _), v in by_span.items() if s == total.start and v.months == total.months - 3),
                None,
            )
            if previous is not None:
                derived = _combine(
                    total,
                    [(1, total), (-1, previous)],
                    period="quarterly",
                    months=3,
                    fiscal_quarter=quarter,
                    start=previous.report_period + timedelta(days=1),
                    derivation=f"{_describe(total)} - {_describe(previous)}",
                )
            elif total.months == 12:
                chain = _chain(quarters, total.start, 3)
                if chain is None or chain[-1].report_period >= total.report_period:
                    continue
                derived = _combine(
                    total,
                    [(1, total)] + [(-1, q) for q in chain],
                    period="quarterly",
                    months=3,
                    fiscal_quarter=4,
                    start=chain[-1].report_period + timedelta(days=1),
                    derivation=" - ".join([_describe(total)] + [_describe(q) for q in chain]),
                )
            else:
                continue
            quarters[derived.report_period] = derived
            by_span[(derived.start, derived.report_period)] = derived
            out.append(derived)
    return out


def _chain(
    quarters: dict[date, StatementValue], start: date | None, count: int
) -> list[StatementValue] | None:
    by_start = {q.start: q for q in quarters.values()}
    chain: list[StatementValue] = []
    cursor = start
    for _ in range(count):
        quarter = by_start.get(cursor)
        if quarter is None:
            return None
        chain.append(quarter)
        cursor = quarter.report_period + timedelta(days=1)
    return chain


def derive_ttm(values: Iterable[StatementValue]) -> list[StatementValue]:
    """Trailing-twelve-month values at every quarter end where they can be computed.

    Args:
        values: statement values (reported and derived quarters) of one version.

    Returns:
        Only the new ``ttm`` values.
    """
    values = _dedupe(values)
    out: list[StatementValue] = []
    annual = {
        (v.cik, v.statement, v.field, v.version, v.report_period): v for v in values if v.period == "annual"
    }
    groups: dict[tuple[object, ...], list[StatementValue]] = {}
    for value in values:
        if value.period == "quarterly":
            groups.setdefault((value.cik, value.statement, value.field, value.version), []).append(value)
    for year in annual.values():
        if year.start is None:
            continue  # a fiscal-year-end balance: its TTM comes from the quarterly instant below
        out.append(
            structs.replace(
                year,
                period="ttm",
                fiscal_quarter=4,
                fiscal_period=fiscal_label("ttm", year.fiscal_year, 4, 12),
                method="derived",
                derivation=year.fiscal_period,
                inputs=year.inputs or (year.filing.accession_number,),
            )
        )
    for (cik, statement, field, version), members in groups.items():
        by_end = {v.report_period: v for v in members}
        for end, quarter in sorted(by_end.items()):
            if quarter.kind == "stock" or quarter.start is None:
                out.append(
                    structs.replace(
                        quarter, period="ttm", derivation=f"value at {end.isoformat()}", method="derived"
                    )
                )
                continue
            if (cik, statement, field, version, end) in annual:
                continue  # the fiscal year itself, added above
            if quarter.kind != "flow":
                continue
            chain = [quarter]
            while len(chain) < 4:
                before = chain[-1].start - timedelta(days=1) if chain[-1].start else None
                prior = by_end.get(before) if before else None
                if prior is None:
                    break
                chain.append(prior)
            if len(chain) < 4:
                continue
            out.append(
                _combine(
                    quarter,
                    [(1, q) for q in chain],
                    period="ttm",
                    months=12,
                    fiscal_quarter=quarter.fiscal_quarter,
                    start=chain[-1].start,
                    derivation=" + ".join(q.fiscal_period for q in chain),
                )
            )
    return out


def derive(values: Iterable[StatementValue]) -> list[StatementValue]:
    """Add derived quarters and TTM values to statement values of one version.

    Args:
        values: statement values (one version of each key).

    Returns:
        The input values (deduplicated), the derived quarters, and the TTM values.
    """
    base = _dedupe(values)
    quarters = derive_quarters(base)
    return base + quarters + derive_ttm(base + quarters)
