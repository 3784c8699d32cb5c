"""Point-in-time views and restatements: which filing said what, and when it was known."""

from __future__ import annotations

import itertools
from collections.abc import Iterable
from datetime import UTC, datetime, time

from msgspec import structs

from edgar.statements.model import FilingRef, Restatement, StatementValue


def filing_time(filing: FilingRef) -> datetime:
    """When a filing became public, for ordering filings.

    Args:
        filing: the filing.

    Returns:
        ``accepted_at`` (a naive time is read as UTC), else the end of ``filing_date`` (UTC), else the minimum time.
    """
    if filing.accepted_at is not None:
        accepted = filing.accepted_at
        return accepted if accepted.tzinfo is not None else accepted.replace(tzinfo=UTC)
    if filing.filing_date is not None:
        return datetime.combine(filing.filing_date, time.max, tzinfo=UTC)
    return datetime.min.replace(tzinfo=UTC)


def _order(value: StatementValue) -> tuple[datetime, str]:
    return filing_time(value.filing), value.filing.accession_number


def known_at(filing: FilingRef, when: datetime) -> bool:
    """Whether a filing was public at ``when``.

    Args:
        filing: the filing.
        when: the cut-off (a naive time is read as UTC).

    Returns:
        ``accepted_at <= when`` when the acceptance time is known; otherwise ``filing_date <= when``'s date;
        ``False`` when neither is known.
    """
    cutoff = when if when.tzinfo is not None else when.replace(tzinfo=UTC)
    if filing.accepted_at is not None:
        accepted = filing.accepted_at
        return (accepted if accepted.tzinfo is not None else accepted.replace(tzinfo=UTC)) <= cutoff
    if filing.filing_date is not None:
        return filing.filing_date <= cutoff.date()
    return False


def as_of(values: Iterable[StatementValue], when: datetime) -> list[StatementValue]:
    """Keep only the values whose filing was public at ``when`` (no look-ahead).

    A derived value carries the latest-accepted filing among its inputs, so it is kept only when all its inputs
    were public.

    Args:
        values: statement values.
        when: the cut-off (see :func:`known_at`).

    Returns:
        The values known at ``when``, in input order.
    """
    return [v for v in values if known_at(v.filing, when)]


def select_versions(values: Iterable[StatementValue]) -> list[StatementValue]:
    """Keep the earliest and the latest filing's value of every (company, line item, period).

    Args:
        values: reported statement values, typically from many filings of one company.

    Returns:
        For each key, a copy with ``version="first"`` (earliest filing) and one with ``version="latest"`` (latest
        filing); both come from the same filing when only one reported the key.
    """
    groups: dict[tuple[object, ...], list[StatementValue]] = {}
    for value in values:
        groups.setdefault(value.key(), []).append(value)
    out: list[StatementValue] = []
    for members in groups.values():
        members.sort(key=_order)
        out.append(structs.replace(members[0], version="first"))
        out.append(structs.replace(members[-1], version="latest"))
    return out


def restatements(values: Iterable[StatementValue]) -> list[Restatement]:
    """Every change of a reported value between consecutive filings of the same key.

    Args:
        values: reported statement values from many filings.

    Returns:
        One :class:`Restatement` per change (a fiscal-year-end balance is reported under ``annual`` only) (old filing, new filing), ordered by company, statement, field, period
        end and the new filing's time.
    """
    groups: dict[tuple[object, ...], list[StatementValue]] = {}
    for value in values:
        if value.start is None and value.period == "quarterly" and value.fiscal_quarter == 4:
            continue  # the same instant as the annual balance: reported once
        groups.setdefault(value.key(), []).append(value)
    out: list[Restatement] = []
    for members in groups.values():
        members.sort(key=_order)
        for old, new in itertools.pairwise(members):
            if old.value == new.value:
                continue
            out.append(
                Restatement(
                    cik=new.cik,
                    statement=new.statement,
                    field=new.field,
                    period=new.period,
                    fiscal_period=new.fiscal_period,
                    report_period=new.report_period,
                    start=new.start,
                    old_value=old.value,
                    new_value=new.value,
                    old_source=old.source,
                    new_source=new.source,
                    old_filing=old.filing,
                    new_filing=new.filing,
                )
            )
    out.sort(key=lambda r: (r.cik, r.statement, r.field, r.report_period, filing_time(r.new_filing)))
    return out
