"""Fiscal calendars: classify durations by length and label period ends with fiscal years and quarters.

A filing names the fiscal year and period of its main period (``dei:DocumentFiscalYearFocus``,
``dei:DocumentFiscalPeriodFocus``, ``dei:DocumentPeriodEndDate``). Every other period end of the filing
(comparatives) is labelled by counting quarters (13 weeks, about 91.3 days) back from that anchor, so 52/53-week
calendars (Apple, NVIDIA) and fiscal years named after the year they end in need no special case. When the filing
does not name its fiscal period, the anchor comes from the fiscal year end (``--09-30``): the fiscal year of a date
is the year of the first fiscal year end on or after it (with 20 days of slack for 52/53-week years).
"""

from __future__ import annotations

import calendar
import re
from datetime import date, timedelta

import msgspec

QUARTER_DAYS = 365.25 / 4
"""The average length of a fiscal quarter in days."""

SLACK_DAYS = 20
"""How far a period end may sit from a quarter boundary (52/53-week calendars drift by up to a week)."""

_MONTH_BANDS: tuple[tuple[int, int, int], ...] = ((3, 80, 100), (6, 170, 200), (9, 260, 290), (12, 350, 380))


class FiscalCalendar(msgspec.Struct, frozen=True):
    """A fiscal calendar anchored on one known period end.

    Attributes:
        anchor_end: a period end whose fiscal year and quarter are known.
        fiscal_year: its fiscal year.
        fiscal_quarter: its fiscal quarter (4 at the fiscal year end).
    """

    anchor_end: date
    fiscal_year: int
    fiscal_quarter: int

    def label(self, end: date) -> tuple[int, int] | None:
        """Fiscal year and quarter of the quarter ending at ``end``.

        Args:
            end: a period end.

        Returns:
            ``(fiscal_year, fiscal_quarter)``, or ``None`` when ``end`` is not near a quarter boundary.
        """
        days = (self.anchor_end - end).days
        shift = round(days / QUARTER_DAYS)
        if abs(days - shift * QUARTER_DAYS) > SLACK_DAYS:
            return None
        index = self.fiscal_year * 4 + (self.fiscal_quarter - 1) - shift
        return index // 4, index % 4 + 1


def parse_fiscal_year_end(text: str | None) -> tuple[int, int] | None:
    """Parse a fiscal year end.

    Args:
        text: ``--09-30`` (``dei:CurrentFiscalYearEndDate``), ``09-30``, or ``0930`` (the submissions JSON).

    Returns:
        ``(month, day)``, or ``None`` for ``None``, empty or malformed text.
    """
    if not text:
        return None
    match = re.fullmatch(r"(?:--)?(\d{2})-?(\d{2})", text.strip())
    if not match:
        return None
    month, day = int(match.group(1)), int(match.group(2))
    if not 1 <= month <= 12 or not 1 <= day <= 31:
        return None
    return month, day


def fiscal_year_end_on_or_after(when: date, month: int, day: int) -> date:
    """The first nominal fiscal year end on or after ``when`` minus :data:`SLACK_DAYS`.

    Args:
        when: a date.
        month: fiscal year end month.
        day: fiscal year end day (clamped to the month's length).

    Returns:
        The fiscal year end date; its year names the fiscal year.
    """
    floor = when - timedelta(days=SLACK_DAYS)
    for year in (when.year - 1, when.year, when.year + 1):
        candidate = date(year, month, min(day, calendar.monthrange(year, month)[1]))
        if candidate >= floor:
            return candidate
    raise AssertionError("unreachable: a fiscal year end falls within any 13 months")  # pragma: no cover


def fiscal_calendar(
    main_end: date,
    *,
    fiscal_year: int | None = None,
    fiscal_quarter: int | None = None,
    fiscal_year_end: str | None = None,
) -> FiscalCalendar | None:
    """Build the fiscal calendar of one filing.

    Args:
        main_end: the end of the filing's main period (``dei:DocumentPeriodEndDate``).
        fiscal_year: ``dei:DocumentFiscalYearFocus``, when given.
        fiscal_quarter: 1-4 from ``dei:DocumentFiscalPeriodFocus`` (``FY`` is 4), when given.
        fiscal_year_end: ``--MM-DD`` / ``MM-DD`` / ``MMDD``, used for whatever the filing does not name.

    Returns:
        The calendar, or ``None`` when neither the filing nor the fiscal year end says enough.
    """
    fye = parse_fiscal_year_end(fiscal_year_end)
    if fye is not None and (fiscal_year is None or fiscal_quarter is None):
        year_end = fiscal_year_end_on_or_after(main_end, *fye)
        quarter = 4 - round((year_end - main_end).days / QUARTER_DAYS)
        if 1 <= quarter <= 4:
            fiscal_year = fiscal_year if fiscal_year is not None else year_end.year
            fiscal_quarter = fiscal_quarter if fiscal_quarter is not None else quarter
    if fiscal_year is None or fiscal_quarter is None:
        return None
    return FiscalCalendar(main_end, fiscal_year, fiscal_quarter)


def fiscal_quarter_of(focus: str | None) -> int | None:
    """The quarter named by ``dei:DocumentFiscalPeriodFocus``.

    Args:
        focus: ``FY``, ``Q1`` ... ``Q4``, ``H1``/``H2`` (semiannual filers), or ``None``.

    Returns:
        1-4 (``FY`` is 4, ``H1`` is 2, ``H2`` is 4), or ``None``.
    """
    if focus is None:
        return None
    focus = focus.strip().upper()
    return {"FY": 4, "Q1": 1, "Q2": 2, "Q3": 3, "Q4": 4, "H1": 2, "H2": 4}.get(focus)


def duration_months(start: date, end: date) -> int | None:
    """Classify a duration by its length.

    Args:
        start: first day (inclusive).
        end: last day (inclusive).

    Returns:
        3, 6, 9 or 12 (52/53-week quarters and years included), or ``None`` for any other length.
    """
    days = (end - start).days + 1
    for months, low, high in _MONTH_BANDS:
        if low <= days <= high:
            return months
    return None
