"""A filer's 13F quarters after amendments, and their quarter-over-quarter changes, point in time.

:func:`standing_quarters` applies the amendment rules (:func:`edgar.thirteenf.amendments.fold_quarter`) to every
(filer, period); :func:`holdings_changes` compares each standing quarter with the filer's previous calendar
quarter *as it stood when the later quarter's last filing was made* (an amendment of the previous quarter filed
afterwards is not used), so each change is known at the later filing's acceptance time.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from datetime import date, timedelta

import msgspec

from edgar.thirteenf.amendments import QuarterFiling, Standing, fold_quarter
from edgar.thirteenf.changes import PositionChange, quarter_changes
from edgar.thirteenf.infotable import Holding


class QuarterChanges(msgspec.Struct, frozen=True, kw_only=True):
    """The changes of one filer between two consecutive quarters.

    Attributes:
        current: the later quarter, after all its amendments.
        previous: the earlier quarter, as it stood at the later quarter's last filing.
        changes: one change per (CUSIP, put/call) held in either quarter.
    """

    current: Standing[Holding]
    previous: Standing[Holding]
    changes: tuple[PositionChange, ...]


def previous_quarter_end(period: date) -> date:
    """The calendar quarter end before ``period`` (2021-12-31 -> 2021-09-30; any day of a quarter works)."""
    first = date(period.year, (period.month - 1) // 3 * 3 + 1, 1)
    return first - timedelta(days=1)


def _group(filings: Iterable[QuarterFiling]) -> dict[tuple[int, date], list[QuarterFiling]]:
    groups: dict[tuple[int, date], list[QuarterFiling]] = {}
    for f in filings:
        groups.setdefault((f.filer_cik, f.period), []).append(f)
    return groups


def standing_quarters(
    filings: Iterable[QuarterFiling], holdings: Mapping[str, Sequence[Holding]]
) -> list[Standing[Holding]]:
    """Every (filer, period) with its amendments applied, sorted by filer and period.

    Args:
        filings: 13F filings of any filers and periods.
        holdings: filing id -> its information table rows.
    """
    return [fold_quarter(members, holdings) for _, members in sorted(_group(filings).items())]


def _known_by(filings: Sequence[QuarterFiling], cutoff: Standing[Holding]) -> list[QuarterFiling]:
    """The filings public when ``cutoff``'s last filing was made (all of them when either side is undated)."""
    if cutoff.last_filing_date is None:
        return list(filings)
    kept = []
    for f in filings:
        if f.filing_date is None:
            kept.append(f)
        elif cutoff.last_acceptance_utc is not None and f.acceptance_utc is not None:
            if f.acceptance_utc <= cutoff.last_acceptance_utc:
                kept.append(f)
        elif f.filing_date <= cutoff.last_filing_date:
            kept.append(f)
    return kept


def holdings_changes(
    filings: Iterable[QuarterFiling], holdings: Mapping[str, Sequence[Holding]]
) -> list[QuarterChanges]:
    """Quarter-over-quarter changes of every filer that reported holdings in two consecutive quarters.

    A quarter whose only filings are 13F-NT notices (its holdings are in another manager's report) is not
    compared, on either side: a position missing from it is not sold. Values are compared as the rows give
    them (pass rows whose VALUE is already in dollars).

    Args:
        filings: 13F filings of any filers and periods.
        holdings: filing id -> its information table rows.

    Returns:
        One :class:`QuarterChanges` per (filer, later period), by filer and period.
    """
    groups = _group(filings)
    out: list[QuarterChanges] = []
    for (cik, period), members in sorted(groups.items()):
        previous_filings = groups.get((cik, previous_quarter_end(period)))
        if not previous_filings:
            continue
        current = fold_quarter(members, holdings)
        known = _known_by(previous_filings, current)
        if current.notice_only or not known:
            continue
        previous = fold_quarter(known, holdings)
        if previous.notice_only:
            continue
        changes = quarter_changes([h for _, h in previous.rows], [h for _, h in current.rows], filer_cik=cik)
        out.append(QuarterChanges(current=current, previous=previous, changes=tuple(changes)))
    return out
