"""Late periodic reports and NT 10-K / NT 10-Q notices (kinds ``late_filing`` and ``late_filing_notice``)."""

from __future__ import annotations

import re
from datetime import date, datetime, timedelta
from typing import Final, Literal

from edgar.signals.definitions import LATE_FILING, LATE_FILING_NOTICE, Signal, as_of_time, clamp

Category = Literal["large_accelerated", "accelerated", "non_accelerated"]
CategorySource = Literal["filing", "submissions", "unknown"]

#: form -> filer category -> days after the period end (Forms 10-K and 10-Q, general instructions).
DEADLINE_DAYS: Final[dict[str, dict[Category, int]]] = {
    "10-K": {"large_accelerated": 60, "accelerated": 75, "non_accelerated": 90},
    "10-Q": {"large_accelerated": 40, "accelerated": 40, "non_accelerated": 45},
}
NOTICE_FORMS: Final = ("NT 10-K", "NT 10-Q")
_CONFIDENCE: Final[dict[CategorySource, float]] = {"filing": 0.9, "submissions": 0.7, "unknown": 0.5}
_SEPARATORS = re.compile(r"<br\s*/?>|[,;/\n]", re.IGNORECASE)


def filer_category(text: str | None) -> Category | None:
    """The deadline category of an SEC filer-category text.

    Reads the submissions feed's spellings (``"Large accelerated filer"``, ``"Non-accelerated filer<br>Smaller
    reporting company"``) and the cover page's (``"Large Accelerated Filer"``, ``"Smaller Reporting Company"``).

    Args:
        text: The category as filed.

    Returns:
        ``large_accelerated``, ``accelerated`` or ``non_accelerated``; None for an empty or unknown text.
    """
    parts = [p.strip().lower().replace("-", " ") for p in _SEPARATORS.split(text or "") if p.strip()]
    if any("large accelerated" in p for p in parts):
        return "large_accelerated"
    if any("non accelerated" in p for p in parts):
        return "non_accelerated"
    if any("accelerated" in p for p in parts):
        return "accelerated"
    if any("smaller reporting" in p for p in parts):
        return "non_accelerated"
    return None


def deadline(form: str, period_end: date, category: Category) -> date:
    """The due date of a 10-K or 10-Q: days after the period end, a weekend moved to the next Monday.

    Holidays are ignored.

    Args:
        form: ``10-K`` or ``10-Q``.
        period_end: The fiscal year or quarter end.
        category: The filer's deadline category.

    Raises:
        KeyError: ``form`` is not 10-K or 10-Q.
    """
    due = period_end + timedelta(days=DEADLINE_DAYS[form][category])
    while due.weekday() >= 5:
        due += timedelta(days=1)
    return due


def late_filing(
    form: str,
    period_end: date | None,
    filing_date: date | None,
    filer_category_text: str | None,
    *,
    cik: int | None = None,
    accession: str | None = None,
    accepted_at: datetime | None = None,
    category_source: CategorySource = "submissions",
) -> Signal | None:
    """The ``late_filing`` or ``late_filing_notice`` signal of one filing (definitions in ``DEFINITIONS``).

    Args:
        form: The form type; only 10-K, 10-Q (late filing) and NT 10-K, NT 10-Q (notice) give signals.
        period_end: The period of report (fiscal year or quarter end).
        filing_date: The filing date.
        filer_category_text: The filer category as the SEC spells it (None when unknown).
        cik: The filer.
        accession: The filing's accession number (or lake filing id).
        accepted_at: The acceptance time; as_of falls back to the filing date at 00:00 UTC.
        category_source: Where the category comes from: the filing's cover (``filing``), the submissions
            feed (``submissions``, today's category); ignored when the category is unknown.

    Returns:
        The signal, or None when the filing is on time, is another form, or lacks a date.
    """
    as_of = as_of_time(accepted_at, filing_date)
    if as_of is None or filing_date is None:
        return None
    created = (accession,) if accession else ()
    if form in NOTICE_FORMS:
        return Signal(
            kind=LATE_FILING_NOTICE,
            cik=cik,
            accession=accession,
            score=1.0,
            confidence=1.0,
            as_of=as_of,
            created_from=created,
            subject=period_end.isoformat() if period_end else "",
            details={
                "form": form,
                "period_end": period_end.isoformat() if period_end else None,
                "filing_date": filing_date.isoformat(),
            },
        )
    if form not in DEADLINE_DAYS or period_end is None:
        return None
    category = filer_category(filer_category_text)
    source: CategorySource = category_source if category else "unknown"
    due = deadline(form, period_end, category or "non_accelerated")
    days_late = (filing_date - due).days
    if days_late <= 0:
        return None
    confidence = _CONFIDENCE[source] * (0.5 if days_late <= 3 else 1.0)
    return Signal(
        kind=LATE_FILING,
        cik=cik,
        accession=accession,
        score=clamp(days_late / 30),
        confidence=confidence,
        as_of=as_of,
        created_from=created,
        subject=period_end.isoformat(),
        details={
            "form": form,
            "period_end": period_end.isoformat(),
            "filing_date": filing_date.isoformat(),
            "deadline": due.isoformat(),
            "days_late": days_late,
            "filer_category": filer_category_text,
            "deadline_category": category or "non_accelerated",
            "category_source": source,
        },
    )
