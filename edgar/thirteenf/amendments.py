"""Apply 13F amendments: the holdings that stand for each (filer, quarter) after every filing is applied."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import UTC, date, datetime
from typing import Generic, Literal, TypeVar

import msgspec

from edgar.thirteenf.infotable import Holding
from edgar.thirteenf.submission import Filing13F

_EPOCH = datetime(1900, 1, 1, tzinfo=UTC)
H = TypeVar("H")
OrderBasis = Literal["filing_date", "structural"]


class QuarterHoldings(msgspec.Struct, frozen=True, kw_only=True):
    """The holdings a filer reports for one quarter once its amendments are applied.

    Attributes:
        filer_cik: the filer.
        period: the period of report (quarter end).
        holdings: the standing rows (empty after a 13F-NT alone).
        notice_only: the quarter has only 13F-NT filings (holdings reported by other managers).
        applied: accession numbers applied, in order.
        notes: how each filing was applied when not plainly (e.g. an amendment without its original).
    """

    filer_cik: int
    period: date
    holdings: tuple[Holding, ...]
    notice_only: bool
    applied: tuple[str, ...]
    notes: tuple[str, ...]


class QuarterFiling(msgspec.Struct, frozen=True, kw_only=True):
    """What the amendment rules need to know of one 13F filing.

    Attributes:
        filing_id: the filing (accession number, or the lake's filing id).
        filer_cik: the filer.
        period: the period of report.
        form: ``13F-HR``, ``13F-HR/A``, ``13F-NT`` or ``13F-NT/A``.
        filing_date: the filing date, None when unknown.
        acceptance_utc: the acceptance time, None when unknown.
        is_amendment: the cover says it amends (or the form ends in ``/A``).
        amendment_type: ``RESTATEMENT`` or ``NEW HOLDINGS`` (None when absent).
        amendment_number: the cover's amendment number.
        report_type: ``13F HOLDINGS REPORT``, ``13F NOTICE`` or ``13F COMBINATION REPORT``.
    """

    filing_id: str
    filer_cik: int
    period: date
    form: str
    filing_date: date | None
    acceptance_utc: datetime | None = None
    is_amendment: bool = False
    amendment_type: str | None = None
    amendment_number: int | None = None
    report_type: str | None = None


class Standing(msgspec.Struct, Generic[H], frozen=True, kw_only=True):
    """The rows standing for one (filer, quarter), with the filings behind them.

    Attributes:
        filer_cik: the filer.
        period: the period of report.
        rows: (filing id, row) of every standing row, in the order applied.
        notice_only: only 13F-NT filings.
        applied: filing ids applied, in order.
        notes: how filings were applied when not plainly.
        order_basis: ``filing_date`` (filings ordered by filing date and acceptance time) or ``structural``
            (some filing has no date: originals, then amendments by amendment number).
        last_filing_date: the latest filing date of the filings applied (None when a filing has none).
        last_acceptance_utc: the latest acceptance time of the filings applied (None when one is unknown).
    """

    filer_cik: int
    period: date
    rows: tuple[tuple[str, H], ...]
    notice_only: bool
    applied: tuple[str, ...]
    notes: tuple[str, ...]
    order_basis: OrderBasis
    last_filing_date: date | None
    last_acceptance_utc: datetime | None


def _is_notice(f: QuarterFiling) -> bool:
    return f.form.upper().startswith("13F-NT") or f.report_type == "13F NOTICE"


def _is_amendment(f: QuarterFiling) -> bool:
    return f.form.upper().endswith("/A") or f.is_amendment


def _time_order(f: QuarterFiling) -> tuple[date, datetime, str]:
    assert f.filing_date is not None
    return (f.filing_date, f.acceptance_utc or _EPOCH, f.filing_id)


def _structural_order(f: QuarterFiling) -> tuple[int, int, str]:
    rank = 2 if _is_amendment(f) else 1 if _is_notice(f) else 0
    return (rank, f.amendment_number or 0, f.filing_id)


def fold_quarter(filings: Sequence[QuarterFiling], holdings: Mapping[str, Sequence[H]]) -> Standing[H]:
    """Apply one (filer, quarter)'s filings in order (the rules of :func:`apply_amendments`).

    Filings are ordered by (filing date, acceptance time, id); when any lacks a filing date, structurally
    instead: originals (13F-HR before 13F-NT), then amendments by amendment number (noted).

    Args:
        filings: the filings of one filer and period (at least one).
        holdings: filing id -> its information table rows (any row type; missing = no rows).

    Returns:
        The standing rows, tagged with the filing each came from.

    Raises:
        ValueError: no filings, or filings of different filers or periods.
    """
    if not filings or len({(f.filer_cik, f.period) for f in filings}) != 1:
        raise ValueError("fold_quarter needs the filings of exactly one filer and period")
    dated = all(f.filing_date is not None for f in filings)
    ordered = sorted(filings, key=_time_order) if dated else sorted(filings, key=_structural_order)
    rows: list[tuple[str, H]] = []
    notice_only = True
    notes: list[str] = []
    if not dated:
        notes.append("no filing date on every filing: ordered originals first, then amendments by number")
    for f in ordered:
        own = [(f.filing_id, h) for h in holdings.get(f.filing_id, ())]
        if _is_notice(f):
            if not notice_only:
                notes.append(f"{f.filing_id}: {f.form} after a holdings report; holdings kept")
        elif not _is_amendment(f):
            if not notice_only:
                notes.append(f"{f.filing_id}: second original {f.form}; replaces the earlier holdings")
            rows = own
            notice_only = False
        elif f.amendment_type == "RESTATEMENT":
            rows = own
            notice_only = False
        else:
            if f.amendment_type != "NEW HOLDINGS":
                notes.append(f"{f.filing_id}: amendment type {f.amendment_type!r}; treated as NEW HOLDINGS")
            if notice_only and not rows:
                notes.append(f"{f.filing_id}: NEW HOLDINGS amendment without an earlier holdings report")
            rows = rows + own
            notice_only = False
    times = [f.acceptance_utc for f in filings]
    return Standing(
        filer_cik=ordered[0].filer_cik,
        period=ordered[0].period,
        rows=tuple(rows),
        notice_only=notice_only,
        applied=tuple(f.filing_id for f in ordered),
        notes=tuple(notes),
        order_basis="filing_date" if dated else "structural",
        last_filing_date=max(f.filing_date for f in filings if f.filing_date) if dated else None,
        last_acceptance_utc=max(t for t in times if t) if all(times) else None,
    )


def _quarter_filing(f: Filing13F) -> QuarterFiling:
    assert f.accession is not None
    assert f.filer_cik is not None
    assert f.period is not None
    return QuarterFiling(
        filing_id=f.accession,
        filer_cik=f.filer_cik,
        period=f.period,
        form=(f.form or "").upper(),
        filing_date=f.filing_date,
        acceptance_utc=f.acceptance_utc,
        is_amendment=bool(f.cover and f.cover.is_amendment),
        amendment_type=f.cover.amendment_type if f.cover else None,
        amendment_number=f.cover.amendment_number if f.cover else None,
        report_type=f.cover.report_type if f.cover else None,
    )


def apply_amendments(filings: Sequence[Filing13F]) -> dict[tuple[int, date], QuarterHoldings]:
    """Fold 13F filings into the holdings that stand for each (filer CIK, period).

    Filings are applied in (filing date, acceptance time, accession) order:

    * ``13F-HR`` (holdings or combination report): sets the quarter's holdings (a second original replaces
      the first, with a note);
    * ``13F-HR/A`` with amendment type ``RESTATEMENT``: replaces the quarter's holdings;
    * ``13F-HR/A`` with ``NEW HOLDINGS``: adds its rows to them; an amendment without an amendment type is
      treated as NEW HOLDINGS, with a note;
    * ``13F-NT`` / ``13F-NT/A``: no holdings; the quarter is ``notice_only`` unless a holdings report exists,
      which is kept (with a note).

    Args:
        filings: parsed filings; each needs ``accession``, ``filing_date``, ``filer_cik`` and ``period``.

    Returns:
        (filer CIK, period) -> :class:`QuarterHoldings`.

    Raises:
        ValueError: a filing lacks its accession, filing date, filer CIK or period.
    """
    for f in filings:
        missing = [n for n in ("accession", "filing_date", "filer_cik", "period") if getattr(f, n) is None]
        if missing:
            raise ValueError(f"{f.source}: cannot order or key the filing, missing {', '.join(missing)}")
    groups: dict[tuple[int, date], list[QuarterFiling]] = {}
    for f in filings:
        q = _quarter_filing(f)
        groups.setdefault((q.filer_cik, q.period), []).append(q)
    tables = {f.accession or "": f.holdings for f in filings}
    out = {}
    for key, members in groups.items():
        standing = fold_quarter(members, tables)
        out[key] = QuarterHoldings(
            filer_cik=key[0],
            period=key[1],
            holdings=tuple(h for _, h in standing.rows),
            notice_only=standing.notice_only,
            applied=standing.applied,
            notes=standing.notes,
        )
    return out
