"""Abnormal quarter-over-quarter changes in an issuer's institutional holdings (kind ``abnormal_13f_flow``)."""

from __future__ import annotations

import itertools
import statistics
from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from datetime import date, datetime

import msgspec

from edgar.signals.definitions import ABNORMAL_13F_FLOW, Signal, as_of_time, clamp


class HoldingRow(msgspec.Struct, frozen=True, kw_only=True):
    """The fields of an ``institutional_holdings`` row that the flow signal reads.

    Attributes:
        filing_id: The 13F filing (lake id).
        accession: Its accession number.
        filer_cik: The institutional manager.
        period_of_report: The quarter end.
        filing_date: The 13F's filing date (rows without one are not point-in-time and are ignored).
        cusip: The security.
        issuer_name: Name of issuer.
        shares_or_principal: SHRS OR PRN AMT.
        sh_prn: ``SH`` or ``PRN``.
        put_call: ``Put``/``Call`` or None.
        acceptance_utc: The 13F's acceptance time.
    """

    filing_id: str
    accession: str | None = None
    filer_cik: int | None
    period_of_report: date | None
    filing_date: date | None
    cusip: str | None
    issuer_name: str | None = None
    shares_or_principal: int | None
    sh_prn: str | None = "SH"
    put_call: str | None = None
    acceptance_utc: datetime | None = None


class IssuerQuarter(msgspec.Struct, frozen=True, kw_only=True):
    """An issuer's total institutional shares in one quarter.

    Attributes:
        cusip: The security.
        period: The quarter end.
        shares: Shares held by all reporting managers.
        filers: Managers holding it.
        filing_date: The latest filing date of the 13F filings counted.
        filings: The 13F filings counted (accessions or lake ids).
        issuer_name: Name of issuer as filed.
    """

    cusip: str
    period: date
    shares: int
    filers: int
    filing_date: date
    filings: tuple[str, ...]
    issuer_name: str | None = None


def issuer_quarters(rows: Iterable[HoldingRow]) -> dict[str, list[IssuerQuarter]]:
    """Total institutional shares per CUSIP and quarter, from 13F information-table rows.

    Only share rows (``SH``) without put/call count; for each manager and quarter only its latest filing (by
    filing date) counts, so a restating amendment replaces the original.

    Args:
        rows: Holding rows.

    Returns:
        CUSIP -> its quarters in period order.
    """
    usable = [
        r
        for r in rows
        if r.cusip
        and r.period_of_report
        and r.filing_date
        and r.shares_or_principal is not None
        and (r.sh_prn or "SH") == "SH"
        and not r.put_call
    ]
    latest: dict[tuple[object, date], tuple[date, str]] = {}
    for r in usable:
        assert r.period_of_report is not None
        assert r.filing_date is not None
        key = (r.filer_cik if r.filer_cik is not None else r.filing_id, r.period_of_report)
        latest[key] = max(latest.get(key, (r.filing_date, r.filing_id)), (r.filing_date, r.filing_id))
    kept = {fid for _, fid in latest.values()}
    groups: dict[tuple[str, date], list[HoldingRow]] = defaultdict(list)
    for r in usable:
        if r.filing_id in kept:
            assert r.cusip is not None
            assert r.period_of_report is not None
            groups[(r.cusip, r.period_of_report)].append(r)
    out: dict[str, list[IssuerQuarter]] = defaultdict(list)
    for (cusip, period), members in sorted(groups.items()):
        out[cusip].append(
            IssuerQuarter(
                cusip=cusip,
                period=period,
                shares=sum(m.shares_or_principal or 0 for m in members),
                filers=len({m.filer_cik if m.filer_cik is not None else m.filing_id for m in members}),
                filing_date=max(m.filing_date for m in members if m.filing_date is not None),
                filings=tuple(sorted({m.accession or m.filing_id for m in members})),
                issuer_name=members[0].issuer_name,
            )
        )
    return dict(out)


def abnormal_13f_flows(
    quarterly_holdings_by_issuer: Mapping[str, Sequence[IssuerQuarter]],
    *,
    threshold: float = 2.0,
    min_history: int = 8,
) -> list[Signal]:
    """The ``abnormal_13f_flow`` signals (definition in ``DEFINITIONS``).

    For every quarter of every issuer with at least two earlier changes, the change from the previous quarter
    is compared with the earlier changes only (z-score); ``|z| >= threshold`` gives a signal.

    Args:
        quarterly_holdings_by_issuer: CUSIP -> its quarters (see :func:`issuer_quarters`).
        threshold: Minimum ``|z|``.
        min_history: Earlier changes needed for full confidence.

    Returns:
        The signals, by CUSIP and quarter.
    """
    signals: list[Signal] = []
    for cusip, unsorted in sorted(quarterly_holdings_by_issuer.items()):
        quarters = sorted(unsorted, key=lambda q: q.period)
        changes = [b.shares - a.shares for a, b in itertools.pairwise(quarters)]
        for n in range(2, len(changes)):
            history, change = changes[:n], changes[n]
            mean, sd = statistics.fmean(history), statistics.stdev(history)
            if sd == 0:
                if change == mean:
                    continue
                z = float("inf") if change > mean else float("-inf")
            else:
                z = (change - mean) / sd
            if abs(z) < threshold:
                continue
            used = quarters[: n + 2]
            current, previous = used[-1], used[-2]
            as_of = as_of_time(None, max(q.filing_date for q in used))
            assert as_of is not None
            signals.append(
                Signal(
                    kind=ABNORMAL_13F_FLOW,
                    cik=None,
                    accession=max(current.filings),
                    score=clamp(abs(z) / 4),
                    confidence=clamp(n / min_history),
                    as_of=as_of,
                    created_from=tuple(sorted({f for q in used for f in q.filings})),
                    subject=f"{cusip}@{current.period.isoformat()}",
                    details={
                        "cusip": cusip,
                        "issuer_name": current.issuer_name,
                        "period": current.period.isoformat(),
                        "previous_period": previous.period.isoformat(),
                        "shares": current.shares,
                        "previous_shares": previous.shares,
                        "change": change,
                        "history_changes": n,
                        "mean_change": mean,
                        "stdev_change": sd,
                        "z": z if abs(z) != float("inf") else None,
                        "filers": current.filers,
                    },
                )
            )
    return signals
