"""Restated values, amended reports and 8-K item 4.02 (kinds ``restatement``, ``amended_report``, ``non_reliance``)."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from datetime import date, datetime

import msgspec

from edgar.signals.definitions import (
    AMENDED_REPORT,
    NON_RELIANCE,
    RESTATEMENT,
    Signal,
    as_of_time,
    clamp,
)

AMENDMENT_FORMS = frozenset({"10-K/A", "10-Q/A", "10-KT/A"})
NON_RELIANCE_ITEM = "4.02"
_SPLIT_TOLERANCE = 0.05
#: FD fields that a stock split rescales: per-share amounts and share counts.
SPLIT_FIELDS = frozenset(
    {
        "earnings_per_share",
        "earnings_per_share_diluted",
        "dividends_per_common_share",
        "weighted_average_shares",
        "weighted_average_shares_diluted",
        "outstanding_shares",
    }
)


class RestatedValue(msgspec.Struct, frozen=True, kw_only=True):
    """The fields of a ``restatements`` row that the restatement signal reads.

    Attributes:
        cik: The company.
        statement: ``income``, ``balance_sheet`` or ``cash_flow``.
        field: The FD line item.
        period: ``annual`` or ``quarterly``.
        report_period: The period end.
        old_value: The value first reported.
        new_value: The value the later filing reported.
        old_accession: The earlier filing.
        new_accession: The later filing.
        new_accepted_at: The later filing's acceptance time.
    """

    cik: int
    statement: str
    field: str
    period: str
    report_period: date
    old_value: float | None
    new_value: float | None
    old_accession: str
    new_accession: str
    new_accepted_at: datetime | None = None


class FilingRecord(msgspec.Struct, frozen=True, kw_only=True):
    """A filing's identity, time and (for 8-Ks) items.

    Attributes:
        accession: Accession number (or lake filing id).
        cik: The filer.
        form: Form type.
        filing_date: Filing date.
        acceptance_utc: Acceptance time.
        period_of_report: Period of report.
        items: 8-K item numbers (``4.02``...).
    """

    accession: str
    cik: int | None
    form: str
    filing_date: date | None
    acceptance_utc: datetime | None = None
    period_of_report: date | None = None
    items: tuple[str, ...] = ()


def is_split_adjustment(row: RestatedValue) -> bool:
    """Whether a change is a stock-split adjustment: a per-share or share-count field changed by a whole ratio.

    The ratio old/new (or new/old) must be within 5% of an integer >= 2, values being rounded to cents (NVIDIA's diluted EPS 1.74 -> 0.17
    after its 10-for-1 split: ratio 10.2).
    """
    if row.field not in SPLIT_FIELDS:
        return False
    old, new = row.old_value, row.new_value
    if not old or not new or (old > 0) != (new > 0):
        return False
    ratio = max(abs(old), abs(new)) / min(abs(old), abs(new))
    whole = round(ratio)
    return whole >= 2 and abs(ratio - whole) <= _SPLIT_TOLERANCE * whole


def relative_change(row: RestatedValue) -> float:
    """``|new - old| / max(|old|, |new|)`` in [0, 1]; 1 when one side is missing, 0 when both are."""
    old, new = row.old_value, row.new_value
    if old is None and new is None:
        return 0.0
    if old is None or new is None:
        return 1.0
    scale = max(abs(old), abs(new))
    return clamp(abs(new - old) / scale) if scale else 0.0


def restatement_signals(
    restatements: Iterable[RestatedValue], filings_with_items: Iterable[FilingRecord]
) -> list[Signal]:
    """The ``restatement``, ``amended_report`` and ``non_reliance`` signals (definitions in ``DEFINITIONS``).

    Args:
        restatements: Rows of the ``restatements`` table.
        filings_with_items: Filings (forms, dates, 8-K items): the 10-K/A and 10-Q/A amendments and the 8-Ks
            with item 4.02 give signals; the others give the filing dates of the restating filings.

    Returns:
        The signals, ordered by as_of. A filing whose time is unknown (no acceptance, no filing date) gives
        none: it cannot be placed in time.
    """
    filings = {f.accession: f for f in filings_with_items}
    by_filing: dict[str, list[RestatedValue]] = defaultdict(list)
    for r in restatements:
        by_filing[r.new_accession].append(r)
    signals: list[Signal] = []
    restating: set[str] = set()
    for accession, rows in sorted(by_filing.items()):
        counted = [r for r in rows if not is_split_adjustment(r)]
        if not counted:
            continue
        filing = filings.get(accession)
        accepted = rows[0].new_accepted_at or (filing.acceptance_utc if filing else None)
        as_of = as_of_time(accepted, filing.filing_date if filing else None)
        if as_of is None:
            continue
        restating.add(accession)
        top = max(counted, key=relative_change)
        signals.append(
            Signal(
                kind=RESTATEMENT,
                cik=rows[0].cik,
                accession=accession,
                score=relative_change(top),
                confidence=clamp(0.5 + 0.1 * len(counted)),
                as_of=as_of,
                created_from=tuple(sorted({accession, *(r.old_accession for r in rows)})),
                details={
                    "restated_values": len(counted),
                    "split_adjustments": len(rows) - len(counted),
                    "fields": sorted({f"{r.statement}.{r.field}" for r in counted}),
                    "periods": sorted({r.report_period.isoformat() for r in counted}),
                    "largest": {
                        "field": top.field,
                        "period": top.period,
                        "report_period": top.report_period.isoformat(),
                        "old_value": top.old_value,
                        "new_value": top.new_value,
                        "old_accession": top.old_accession,
                        "relative_change": relative_change(top),
                    },
                },
            )
        )
    for f in filings.values():
        as_of = as_of_time(f.acceptance_utc, f.filing_date)
        if as_of is None:
            continue
        details = {"form": f.form, "filing_date": f.filing_date.isoformat() if f.filing_date else None}
        if f.form in AMENDMENT_FORMS:
            restated = f.accession in restating
            signals.append(
                Signal(
                    kind=AMENDED_REPORT,
                    cik=f.cik,
                    accession=f.accession,
                    score=1.0 if restated else 0.5,
                    confidence=1.0 if restated else 0.5,
                    as_of=as_of,
                    created_from=(f.accession,),
                    details={
                        **details,
                        "period_of_report": f.period_of_report.isoformat() if f.period_of_report else None,
                        "restates_values": restated,
                    },
                )
            )
        elif f.form.startswith("8-K") and NON_RELIANCE_ITEM in f.items:
            signals.append(
                Signal(
                    kind=NON_RELIANCE,
                    cik=f.cik,
                    accession=f.accession,
                    score=1.0,
                    confidence=1.0,
                    as_of=as_of,
                    created_from=(f.accession,),
                    details={**details, "items": list(f.items)},
                )
            )
    return sorted(signals, key=lambda s: (s.as_of, s.kind, s.accession or ""))
