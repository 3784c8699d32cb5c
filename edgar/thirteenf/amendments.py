"""Apply 13F amendments: the holdings that stand for each (filer, quarter) after every filing is applied."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, date, datetime

import msgspec

from edgar.thirteenf.infotable import Holding
from edgar.thirteenf.submission import Filing13F

_EPOCH = datetime(1900, 1, 1, tzinfo=UTC)


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


def _order(filing: Filing13F) -> tuple[date, datetime, str]:
    assert filing.filing_date is not None
    return (filing.filing_date, filing.acceptance_utc or _EPOCH, filing.accession or "")


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
    state: dict[tuple[int, date], tuple[list[Holding], bool, list[str], list[str]]] = {}
    for f in sorted(filings, key=_order):
        assert f.filer_cik is not None
        assert f.period is not None
        assert f.accession is not None
        holdings, notice_only, applied, notes = state.setdefault((f.filer_cik, f.period), ([], True, [], []))
        form = (f.form or "").upper()
        amendment_type = f.cover.amendment_type if f.cover else None
        is_amendment = form.endswith("/A") or bool(f.cover and f.cover.is_amendment)
        report_type = f.cover.report_type if f.cover else None
        if form.startswith("13F-NT") or report_type == "13F NOTICE":
            if not notice_only:
                notes.append(f"{f.accession}: {form} after a holdings report; holdings kept")
        elif not is_amendment:
            if not notice_only:
                notes.append(f"{f.accession}: second original {form}; replaces the earlier holdings")
            holdings[:] = f.holdings
            notice_only = False
        elif amendment_type == "RESTATEMENT":
            holdings[:] = f.holdings
            notice_only = False
        else:
            if amendment_type != "NEW HOLDINGS":
                notes.append(f"{f.accession}: amendment type {amendment_type!r}; treated as NEW HOLDINGS")
            if notice_only and not holdings:
                notes.append(f"{f.accession}: NEW HOLDINGS amendment without an earlier holdings report")
            holdings.extend(f.holdings)
            notice_only = False
        applied.append(f.accession)
        state[(f.filer_cik, f.period)] = (holdings, notice_only, applied, notes)
    return {
        key: QuarterHoldings(
            filer_cik=key[0],
            period=key[1],
            holdings=tuple(h),
            notice_only=n,
            applied=tuple(a),
            notes=tuple(notes),
        )
        for key, (h, n, a, notes) in state.items()
    }
