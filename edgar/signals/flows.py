"""Abnormal quarter-over-quarter changes in an issuer's institutional holdings (kind ``abnormal_13f_flow``)."""

from __future__ import annotations

import itertools
import statistics
from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from datetime import date

import msgspec

from edgar.signals.definitions import ABNORMAL_13F_FLOW, Signal, as_of_time, clamp


class HoldingRow(msgspec.Struct, frozen=True, kw_only=True):
    """The fields of a ``holdings_quarter`` row (a filer's position after amendments) that the flow signal reads.

    Attributes:
        filer_cik: The institutional manager.
        period_of_report: The quarter end.
        cusip: The security.
        put_call: ``Put``/``Call``, or ``''``/None for shares or principal held.
        issuer_name: Name of issuer.
        shares_or_principal: SHRS OR PRN AMT, summed over the position's rows.
        sh_prn: ``SH`` or ``PRN``.
        mixed_units: the position's rows mixed ``SH`` and ``PRN``.
        filing_ids: The 13F filings its rows came from.
        filing_date: The last filing date of the filer's quarter (rows without one are not point-in-time and
            are ignored).
    """

    filer_cik: int
    period_of_report: date
    cusip: str
    put_call: str | None = None
    issuer_name: str | None = None
    shares_or_principal: int | None
    sh_prn: str | None = "SH"
    mixed_units: bool | None = False
    filing_ids: tuple[str, ...] = ()
    filing_date: date | None


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
    """Total institutional shares per CUSIP and quarter, from ``holdings_quarter`` rows.

    The rows are each filer's positions once its amendments are applied (``edgar.thirteenf.fold_quarter``: one
    definition of which report stands), so they are simply summed. Only share positions (``SH``, not mixed with
    ``PRN``) without put/call count.

    Args:
        rows: Positions of filers' quarters.

    Returns:
        CUSIP -> its quarters in period order.
    """
    groups: dict[tuple[str, date], list[HoldingRow]] = defaultdict(list)
    for r in rows:
        if (
            r.filing_date is not None
            and r.shares_or_principal is not None
            and (r.sh_prn or "SH") == "SH"
            and not r.mixed_units
            and not r.put_call
        ):
            groups[(r.cusip, r.period_of_report)].append(r)
    out: dict[str, list[IssuerQuarter]] = defaultdict(list)
    for (cusip, period), members in sorted(groups.items()):
        out[cusip].append(
            IssuerQuarter(
                cusip=cusip,
                period=period,
                shares=sum(m.shares_or_principal or 0 for m in members),
                filers=len({m.filer_cik for m in members}),
                filing_date=max(m.filing_date for m in members if m.filing_date is not None),
                filings=tuple(sorted({f for m in members for f in m.filing_ids})),
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
