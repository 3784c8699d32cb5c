"""Late periodic reports and NT 10-K / NT 10-Q notices (kinds ``late_filing`` and ``late_filing_notice``).

The due date of a 10-K or 10-Q follows the SEC's rules:

* days after the period end by the filer's category (Forms 10-K and 10-Q, general instructions), as phased in by
  Releases 33-8128 (2002), 33-8507 (2004) and 33-8644 (2005): before fiscal years ending 2003-12-15 every filer
  had 90 days (10-K) and 45 days (10-Q); from then accelerated filers 75 and 40 days; large accelerated filers
  60 days for a 10-K from fiscal years ending 2006-12-15 (75 before, when they were accelerated filers);
* a due date on a Saturday, Sunday or federal holiday moves to the next business day (Rule 0-3);
* an NT 10-K / NT 10-Q (Rule 12b-25) filed by the business day after the due date makes the report timely when
  filed within 15 (10-K) or 5 (10-Q) calendar days after the due date.

The filer category is the one in force for that report: the report's own cover page (``dei:EntityFilerCategory``);
for a 10-Q, the cover of the filer's preceding 10-K (the category set at a fiscal year end governs that year's
10-K and the next year's 10-Qs); a filer that had filed no annual report before that fiscal year end is a
non-accelerated filer (Rule 12b-2); only failing all of these, the category the SEC feed reports today, with a
lower confidence. See :data:`edgar.signals.definitions.DEFINITIONS` for the score and confidence.
"""

from __future__ import annotations

import re
from collections import Counter, defaultdict
from collections.abc import Iterable, Mapping, Sequence
from datetime import date, datetime, timedelta
from functools import cache
from typing import Final, Literal

from edgar.signals.definitions import LATE_FILING, LATE_FILING_NOTICE, Signal, as_of_time, clamp
from edgar.signals.restatements import FilingRecord

Category = Literal["large_accelerated", "accelerated", "non_accelerated"]
CategorySource = Literal["filing", "prior_annual_report", "no_annual_report_yet", "submissions", "unknown"]

#: form -> filer category -> days after the period end, as in force today (Forms 10-K and 10-Q).
DEADLINE_DAYS: Final[dict[str, dict[Category, int]]] = {
    "10-K": {"large_accelerated": 60, "accelerated": 75, "non_accelerated": 90},
    "10-Q": {"large_accelerated": 40, "accelerated": 40, "non_accelerated": 45},
}
#: Fiscal years ending on or after this date: accelerated filers' shorter deadlines (Release 33-8128).
ACCELERATED_FROM: Final = date(2003, 12, 15)
#: Fiscal years ending on or after this date: large accelerated filers' 60-day 10-K (Release 33-8644).
LARGE_ACCELERATED_FROM: Final = date(2006, 12, 15)
#: Rule 12b-25: calendar days a timely NT notice adds to the due date.
NT_EXTENSION_DAYS: Final[dict[str, int]] = {"10-K": 15, "10-Q": 5}
NOTICE_FORMS: Final = ("NT 10-K", "NT 10-Q")
_NOTICE_OF: Final = {"NT 10-K": "10-K", "NT 10-Q": "10-Q"}
#: Confidence of the category by where it comes from (see DEFINITIONS).
CATEGORY_CONFIDENCE: Final[dict[CategorySource, float]] = {
    "filing": 0.9,
    "prior_annual_report": 0.85,
    "no_annual_report_yet": 0.85,
    "submissions": 0.4,
    "unknown": 0.4,
}
#: Confidence when the report is late even under the most lenient (non-accelerated) deadline.
LATE_UNDER_ANY_CATEGORY: Final = 0.9
_ANNUAL_FORMS: Final = ("10-K", "10-K405", "10-KSB", "10-KT")
_PERIODIC_FORMS: Final = (*_ANNUAL_FORMS, "10-Q", "10-QSB", "10-QT")
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


def _nth_weekday(year: int, month: int, weekday: int, n: int) -> date:
    """The n-th (1-based; -1 = last) ``weekday`` (Monday 0) of a month."""
    if n > 0:
        first = date(year, month, 1)
        return first + timedelta(days=(weekday - first.weekday()) % 7 + 7 * (n - 1))
    last = date(year + month // 12, month % 12 + 1, 1) - timedelta(days=1)
    return last - timedelta(days=(last.weekday() - weekday) % 7)


def _observed(day: date) -> date:
    return (
        day - timedelta(days=1)
        if day.weekday() == 5
        else day + timedelta(days=1)
        if day.weekday() == 6
        else day
    )


@cache
def federal_holidays(year: int) -> frozenset[date]:
    """The US federal holidays (5 U.S.C. 6103) observed in ``year``; the SEC is closed on them.

    A holiday on a Saturday is observed the Friday before, on a Sunday the Monday after. Juneteenth counts from
    2021; days of closure by executive order (national days of mourning) are not included.
    """
    fixed = [(1, 1), (7, 4), (11, 11), (12, 25)] + ([(6, 19)] if year >= 2021 else [])
    days = {_observed(date(year, m, d)) for m, d in fixed}
    if _observed(date(year + 1, 1, 1)).year == year:  # New Year's Day on a Saturday: Friday Dec 31
        days.add(_observed(date(year + 1, 1, 1)))
    days |= {
        _nth_weekday(year, 1, 0, 3),  # Martin Luther King Jr. Day
        _nth_weekday(year, 2, 0, 3),  # Washington's Birthday
        _nth_weekday(year, 5, 0, -1),  # Memorial Day
        _nth_weekday(year, 9, 0, 1),  # Labor Day
        _nth_weekday(year, 10, 0, 2),  # Columbus Day
        _nth_weekday(year, 11, 3, 4),  # Thanksgiving
    }
    return frozenset(d for d in days if d.year == year)


def is_business_day(day: date) -> bool:
    """Not a Saturday, Sunday or federal holiday."""
    return day.weekday() < 5 and day not in federal_holidays(day.year)


def next_business_day(day: date) -> date:
    """``day`` itself when it is a business day, else the next one (Rule 0-3)."""
    while not is_business_day(day):
        day += timedelta(days=1)
    return day


def deadline_days(form: str, period_end: date, category: Category) -> int:
    """Days after the period end a 10-K or 10-Q was due, by the rules in force for that period.

    Raises:
        KeyError: ``form`` is not 10-K or 10-Q.
    """
    days = DEADLINE_DAYS[form]
    if category == "non_accelerated" or period_end < ACCELERATED_FROM:
        return days["non_accelerated"]
    if form == "10-K" and period_end < LARGE_ACCELERATED_FROM:
        return days["accelerated"]
    return days[category]


def deadline(form: str, period_end: date, category: Category) -> date:
    """The due date of a 10-K or 10-Q: days after the period end, moved to the next business day.

    Args:
        form: ``10-K`` or ``10-Q``.
        period_end: The fiscal year or quarter end.
        category: The filer's deadline category.

    Raises:
        KeyError: ``form`` is not 10-K or 10-Q.
    """
    return next_business_day(period_end + timedelta(days=deadline_days(form, period_end, category)))


def extended_deadline(form: str, due: date, notice_filed: date | None) -> date | None:
    """The Rule 12b-25 due date: 15 (10-K) or 5 (10-Q) days later, when the NT notice was filed in time.

    Args:
        form: ``10-K`` or ``10-Q``.
        due: The ordinary due date.
        notice_filed: Filing date of the NT 10-K / NT 10-Q for the same period, None when there is none.

    Returns:
        The extended due date, or None when there is no notice or it came later than the business day after
        ``due``.
    """
    if notice_filed is None or notice_filed > next_business_day(due + timedelta(days=1)):
        return None
    return next_business_day(due + timedelta(days=NT_EXTENSION_DAYS[form]))


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
    notice_filed: date | None = None,
    first_report: bool = False,
    category_note: str | None = None,
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
        category_source: Where the category comes from (see :func:`category_in_force`); ignored when the
            category is unknown.
        notice_filed: Filing date of the filer's NT notice for the same form and period, if any.
        first_report: No earlier 10-K or 10-Q of the filer is known: its first report may be due 45 days after
            its registration became effective (Rules 13a-13, 15d-13), which no input here states.
        category_note: Why the category is what it is (copied into the details).

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
    extended = extended_deadline(form, due, notice_filed)
    effective = extended or due
    days_late = (filing_date - effective).days
    if days_late <= 0:
        return None
    lenient = extended_deadline(form, deadline(form, period_end, "non_accelerated"), notice_filed)
    late_anyway = filing_date > (lenient or deadline(form, period_end, "non_accelerated"))
    confidence = LATE_UNDER_ANY_CATEGORY if late_anyway else CATEGORY_CONFIDENCE[source]
    if first_report:
        confidence *= 0.5
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
            "extended_deadline": extended.isoformat() if extended else None,
            "days_late": days_late,
            "late_under_any_category": late_anyway,
            "first_report": first_report,
            "filer_category": filer_category_text,
            "deadline_category": category or "non_accelerated",
            "category_source": source,
            "category_note": category_note,
        },
    )


def _fiscal_year_end(period_end: date, annual_periods: Sequence[date]) -> date | None:
    """The last fiscal year end before a 10-Q's period: the month and day of the filer's 10-K periods."""
    if not annual_periods:
        return None
    (month, day), _ = Counter((p.month, p.day) for p in annual_periods).most_common(1)[0]
    for year in (period_end.year, period_end.year - 1):
        last_day = (date(year + month // 12, month % 12 + 1, 1) - timedelta(days=1)).day
        end = date(year, month, min(day, last_day))
        if end < period_end - timedelta(days=45):
            return end
    return None


def category_in_force(
    filing: FilingRecord,
    history: Sequence[FilingRecord],
    covers: Mapping[str, str],
    current: str | None,
) -> tuple[str | None, CategorySource, str]:
    """The filer category that governed one 10-K or 10-Q, and where it comes from.

    Args:
        filing: The 10-K or 10-Q.
        history: Every known filing of the same filer (the feed and the lake), any order.
        covers: accession -> ``dei:EntityFilerCategory`` on that filing's cover, for filings whose facts are known.
        current: The category the SEC submissions feed reports today.

    Returns:
        (category text, source, note): sources in order of preference ``filing`` (its own cover),
        ``prior_annual_report`` (a 10-Q: the cover of the 10-K for the fiscal year before it),
        ``no_annual_report_yet`` (no annual report filed before the fiscal year end that sets the category:
        non-accelerated by Rule 12b-2), ``submissions`` (today's category) and ``unknown``.
    """
    own = covers.get(filing.accession)
    if own:
        return own, "filing", "the filing's own cover page (dei:EntityFilerCategory)"
    period = filing.period_of_report
    annual = sorted(
        (h for h in history if h.form in _ANNUAL_FORMS and h.period_of_report and h.filing_date),
        key=lambda h: (h.period_of_report, h.filing_date),
    )
    fye = period if filing.form == "10-K" else None
    if period is not None and filing.form == "10-Q":
        fye = _fiscal_year_end(period, [h.period_of_report for h in annual if h.period_of_report])
        prior = [
            h
            for h in annual
            if h.period_of_report is not None
            and period - timedelta(days=380) < h.period_of_report < period
            and covers.get(h.accession)
            and (filing.filing_date is None or (h.filing_date and h.filing_date <= filing.filing_date))
        ]
        if prior:
            last = prior[-1]
            return (
                covers[last.accession],
                "prior_annual_report",
                f"cover of the 10-K {last.accession} for {last.period_of_report}",
            )
    dated = [h.filing_date for h in history if h.filing_date is not None]
    if fye is not None and dated and min(dated) < fye:
        before = [h for h in annual if h.filing_date is not None and h.filing_date < fye]
        if not before:
            return (
                "Non-accelerated Filer",
                "no_annual_report_yet",
                f"no annual report filed before the fiscal year end {fye.isoformat()} (Rule 12b-2)",
            )
    if current:
        return (
            current,
            "submissions",
            "the category the SEC submissions feed reports today, not at filing time",
        )
    return None, "unknown", "no category known: the most lenient deadline is used"


def late_filing_signals(
    filings: Iterable[FilingRecord], covers: Mapping[str, str], current: Mapping[int, str | None]
) -> list[Signal]:
    """``late_filing`` and ``late_filing_notice`` signals of every filing, with the category in force.

    Args:
        filings: Every known filing (the lake's and the submissions feed's), once per accession.
        covers: accession -> ``dei:EntityFilerCategory`` of filings whose cover facts are known.
        current: CIK -> the filer category the SEC submissions feed reports today.

    Returns:
        The signals, in input order.
    """
    listed = list(filings)
    by_cik: dict[int | None, list[FilingRecord]] = defaultdict(list)
    for f in listed:
        by_cik[f.cik].append(f)
    signals = []
    for f in listed:
        history = by_cik[f.cik]
        text: str | None = None
        source: CategorySource = "unknown"
        note: str | None = None
        notice: date | None = None
        first = False
        if f.form in DEADLINE_DAYS and f.cik is not None:
            text, source, note = category_in_force(f, history, covers, current.get(f.cik))
            notices = [
                h.filing_date
                for h in history
                if _NOTICE_OF.get(h.form) == f.form
                and h.period_of_report == f.period_of_report
                and h.filing_date is not None
            ]
            notice = min(notices) if notices else None
            first = not any(
                h.form in _PERIODIC_FORMS
                and h.filing_date is not None
                and f.filing_date is not None
                and h.filing_date < f.filing_date
                for h in history
            )
        signal = late_filing(
            f.form,
            f.period_of_report,
            f.filing_date,
            text,
            cik=f.cik,
            accession=f.accession,
            accepted_at=f.acceptance_utc,
            category_source=source,
            notice_filed=notice,
            first_report=first,
            category_note=note,
        )
        if signal is not None:
            signals.append(signal)
    return signals
