"""Clusters of open-market insider purchases (kind ``insider_cluster``)."""

from __future__ import annotations

import math
from collections import defaultdict
from collections.abc import Iterable
from datetime import date, datetime, timedelta

import msgspec

from edgar.signals.definitions import INSIDER_CLUSTER, Signal, as_of_time, clamp

#: ``transaction_type`` labels (and the raw code) of an open-market purchase.
PURCHASE_TYPES = frozenset({"Open market purchase", "P"})


class InsiderTradeRow(msgspec.Struct, frozen=True, kw_only=True):
    """The fields of an ``insider_trades`` row that the cluster signal reads.

    Attributes:
        name: The reporting insider.
        issuer_cik: The issuer's CIK.
        ticker: The issuer's ticker.
        transaction_type: FD label (``Open market purchase`` for code P) or the raw code.
        transaction_date: The trade date.
        transaction_shares: Shares (negative for dispositions).
        transaction_price_per_share: Price, when reported.
        filing_date: The Form 4's filing date.
        acceptance_utc: The Form 4's acceptance time.
        filing_id: The Form 4 (lake id).
        accession: Its accession number.
    """

    name: str | None
    issuer_cik: int | None
    ticker: str | None = None
    transaction_type: str | None
    transaction_date: date | None
    transaction_shares: float | None
    transaction_price_per_share: float | None = None
    filing_date: date | None
    acceptance_utc: datetime | None = None
    filing_id: str
    accession: str | None = None


def _is_purchase(t: InsiderTradeRow) -> bool:
    return (
        t.transaction_type in PURCHASE_TYPES
        and (t.transaction_shares or 0) > 0
        and bool(t.name)
        and t.transaction_date is not None
        and as_of_time(t.acceptance_utc, t.filing_date) is not None
    )


def _dollars(t: InsiderTradeRow) -> float | None:
    if t.transaction_price_per_share is None or t.transaction_shares is None:
        return None
    return t.transaction_shares * t.transaction_price_per_share


def cluster_score(insiders: int, dollars: float, min_insiders: int) -> float:
    """``0.6 * min(1, n / (2 * min_insiders)) + 0.4 * min(1, log10(1 + dollars) / 7)`` (see DEFINITIONS)."""
    return clamp(
        0.6 * min(1.0, insiders / (2 * min_insiders)) + 0.4 * min(1.0, math.log10(1 + max(dollars, 0)) / 7)
    )


def insider_clusters(
    trades: Iterable[InsiderTradeRow], *, window_days: int = 30, min_insiders: int = 3
) -> list[Signal]:
    """The ``insider_cluster`` signals of a set of insider trades (definition in ``DEFINITIONS``).

    Purchases are replayed in the order they became public; when one brings the number of distinct insiders
    with purchases dated within ``window_days`` before or after it (among those public by then, after the
    issuer's previous cluster) to ``min_insiders``, a signal is emitted at its acceptance time.

    Args:
        trades: Insider-trade rows (any transaction type; only open-market purchases count).
        window_days: The width of the window on transaction dates.
        min_insiders: Distinct insiders needed.

    Returns:
        The signals, ordered by issuer and as_of.
    """
    by_issuer: dict[int | str, list[InsiderTradeRow]] = defaultdict(list)
    for t in trades:
        if _is_purchase(t):
            key = t.issuer_cik if t.issuer_cik is not None else (t.ticker or "")
            by_issuer[key].append(t)
    window = timedelta(days=window_days)
    signals: list[Signal] = []
    for purchases in by_issuer.values():
        purchases.sort(key=lambda t: (as_of_time(t.acceptance_utc, t.filing_date), t.filing_id))
        known: list[InsiderTradeRow] = []
        after: date | None = None
        for trade in purchases:
            known.append(trade)
            assert trade.transaction_date is not None  # _is_purchase
            if after is not None and trade.transaction_date <= after:
                continue
            members = [
                k
                for k in known
                if k.transaction_date is not None
                and abs(k.transaction_date - trade.transaction_date) <= window
                and (after is None or k.transaction_date > after)
            ]
            names = sorted({k.name for k in members if k.name})
            if len(names) < min_insiders:
                continue
            values = [_dollars(k) for k in members]
            dollars = sum(v for v in values if v is not None)
            as_of = as_of_time(trade.acceptance_utc, trade.filing_date)
            assert as_of is not None  # _is_purchase
            dates = sorted(k.transaction_date for k in members if k.transaction_date is not None)
            signals.append(
                Signal(
                    kind=INSIDER_CLUSTER,
                    cik=trade.issuer_cik,
                    ticker=trade.ticker,
                    accession=trade.accession or trade.filing_id,
                    score=cluster_score(len(names), dollars, min_insiders),
                    confidence=1.0 if all(v is not None for v in values) else 0.7,
                    as_of=as_of,
                    created_from=tuple(sorted({k.accession or k.filing_id for k in members})),
                    subject=f"{dates[0].isoformat()}..{dates[-1].isoformat()}",
                    details={
                        "insiders": names,
                        "purchases": len(members),
                        "shares": sum(k.transaction_shares or 0 for k in members),
                        "dollars": dollars,
                        "first_transaction": dates[0].isoformat(),
                        "last_transaction": dates[-1].isoformat(),
                        "window_days": window_days,
                        "min_insiders": min_insiders,
                    },
                )
            )
            after = dates[-1]
    return sorted(signals, key=lambda s: (s.cik or 0, s.as_of))
