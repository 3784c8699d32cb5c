"""Every signal kind, its score formula and its confidence rule: the one place where they are defined.

A :class:`Signal` says "something noteworthy about a company became public at ``as_of``". Every signal is
point-in-time: it is computed only from filings that were public at its ``as_of`` (the acceptance time of the
filing that triggered it, or that filing's date at 00:00 UTC when the acceptance time is unknown), so a
backtest that reads signals with ``as_of <= D`` never sees the future. Scores and confidences are in [0, 1]:
the score says how strong the signal is, the confidence how far its inputs can be trusted.

The table :data:`DEFINITIONS` below is the documentation: the functions in ``edgar.signals`` implement exactly
these formulas (their docstrings point back here), and the lake table ``signals`` stores their output.
"""

from __future__ import annotations

import hashlib
import json
from datetime import UTC, date, datetime, time
from typing import Any, Final

import msgspec

LATE_FILING: Final = "late_filing"
LATE_FILING_NOTICE: Final = "late_filing_notice"
RESTATEMENT: Final = "restatement"
AMENDED_REPORT: Final = "amended_report"
NON_RELIANCE: Final = "non_reliance"
ABNORMAL_13F_FLOW: Final = "abnormal_13f_flow"
INSIDER_CLUSTER: Final = "insider_cluster"


class SignalDefinition(msgspec.Struct, frozen=True, kw_only=True):
    """What one signal kind means and how its score and confidence are computed.

    Attributes:
        kind: The signal kind (``signals.kind``).
        description: What triggers the signal and which filing it is attached to.
        score_formula: How the score in [0, 1] is computed.
        confidence_rule: How the confidence in [0, 1] is set.
    """

    kind: str
    description: str
    score_formula: str
    confidence_rule: str


DEFINITIONS: Final[tuple[SignalDefinition, ...]] = (
    SignalDefinition(
        kind=LATE_FILING,
        description=(
            "A 10-K or 10-Q filed after its SEC due date: days after the period end by the filer category in "
            "force (10-K: large accelerated 60, accelerated 75, non-accelerated 90; 10-Q: 40, 40, 45; before "
            "fiscal years ending 2003-12-15 every filer 90/45, large accelerated filers' 60 days from fiscal "
            "years ending 2006-12-15); a due date on a Saturday, Sunday or federal holiday moves to the next "
            "business day (Rule 0-3); an NT 10-K/NT 10-Q filed by the business day after the due date extends "
            "it by 15/5 calendar days (Rule 12b-25; the notice is also its own signal). The category is the "
            "filing's own cover (dei:EntityFilerCategory), else for a 10-Q the cover of the preceding 10-K, "
            "else non-accelerated when the filer had filed no annual report before the fiscal year end that "
            "sets it (Rule 12b-2), else the category the submissions feed reports today. Smaller reporting "
            "companies follow their accelerated status. Attached to the late filing (edgar.signals.late)."
        ),
        score_formula="min(1, days_late / 30), days_late = filing_date - (extended) due date (days, > 0)",
        confidence_rule=(
            "0.9 when the report is late even under the most lenient (non-accelerated) deadline, whatever the "
            "category; else by the category's source: 0.9 the filing's cover, 0.85 the preceding 10-K's cover "
            "or 'no annual report yet', 0.4 today's category from the submissions feed (it may differ from the "
            "category at filing time) or unknown; halved when no earlier 10-K/10-Q of the filer is known (a "
            "first report may be due 45 days after the registration became effective, Rules 13a-13/15d-13). "
            "Days of closure by executive order are not known holidays."
        ),
    ),
    SignalDefinition(
        kind=LATE_FILING_NOTICE,
        description="An NT 10-K or NT 10-Q (Form 12b-25): the filer says a periodic report will be late.",
        score_formula="1 (the notice itself)",
        confidence_rule="1 (the filer's own statement)",
    ),
    SignalDefinition(
        kind=RESTATEMENT,
        description=(
            "A later filing reported different values for line items and periods that an earlier filing had "
            "reported (rows of the lake table restatements), grouped by the later filing. A change of a "
            "per-share or share-count field by a whole ratio (old/new or new/old within 5% of an integer >= 2, "
            "e.g. NVIDIA's EPS 1.74 -> 0.17 after its 10-for-1 split) is a split adjustment, not a restatement, "
            "and does not count; a filing with only split adjustments gives no signal."
        ),
        score_formula=(
            "max over the filing's counted rows of |new - old| / max(|old|, |new|) (relative change, 0..1)"
        ),
        confidence_rule="min(1, 0.5 + 0.1 * counted rows): more restated values, more certainly a restatement",
    ),
    SignalDefinition(
        kind=AMENDED_REPORT,
        description=(
            "A 10-K/A or 10-Q/A: an amended annual or quarterly report (may restate financials or only add "
            "Part III or exhibits). Attached to the amendment."
        ),
        score_formula="0.5, or 1 when the same filing restates values (it is also in restatements)",
        confidence_rule="0.5 (an amendment alone does not say what changed), 1 when values were restated",
    ),
    SignalDefinition(
        kind=NON_RELIANCE,
        description=(
            "An 8-K reporting item 4.02: previously issued financial statements should no longer be relied "
            "upon. Attached to the 8-K."
        ),
        score_formula="1",
        confidence_rule="1 (the registrant's own statement)",
    ),
    SignalDefinition(
        kind=ABNORMAL_13F_FLOW,
        description=(
            "The quarter-over-quarter change in an issuer's (CUSIP's) total institutional shares (13F rows in "
            "shares, puts and calls excluded, each filer's holdings after its amendments: the lake table "
            "holdings_quarter, edgar.thirteenf.fold_quarter) is abnormal relative to "
            "the issuer's previous changes: |z| >= threshold (default 2), z = (change - mean of previous "
            "changes) / their sample standard deviation; needs at least 2 previous changes. as_of = the latest "
            "filing date of the 13F filings used (through that quarter)."
        ),
        score_formula="min(1, |z| / 4)",
        confidence_rule="min(1, previous changes / 8): two years of history for full confidence",
    ),
    SignalDefinition(
        kind=INSIDER_CLUSTER,
        description=(
            "At least min_insiders (default 3) distinct insiders (by name) bought the issuer's shares on the "
            "open market (code P, positive shares) with transaction dates within window_days (default 30) of "
            "the purchase that completes the cluster, counting only purchases filed by the time it was filed. "
            "Attached to the filing of the completing purchase; the next cluster of the issuer starts after "
            "the last transaction date of this one."
        ),
        score_formula=(
            "0.6 * min(1, n / (2 * min_insiders)) + 0.4 * min(1, log10(1 + dollars) / 7); n = distinct "
            "insiders, dollars = sum of shares * price of the cluster's purchases ($10M and 2*min_insiders "
            "insiders give 1)"
        ),
        confidence_rule="1 when every purchase has a price, else 0.7 (dollars are a lower bound)",
    ),
)

#: kind -> definition.
BY_KIND: Final[dict[str, SignalDefinition]] = {d.kind: d for d in DEFINITIONS}


class Signal(msgspec.Struct, frozen=True, kw_only=True):
    """One signal about one company (or one security, for 13F flows), public from ``as_of``.

    Attributes:
        kind: One of the kinds in :data:`DEFINITIONS`.
        cik: The company's CIK (None for 13F flows, which are keyed by CUSIP).
        accession: The filing that triggered the signal (accession number, or the lake's filing id).
        score: Strength in [0, 1] (formula in :data:`DEFINITIONS`).
        confidence: Trust in the inputs in [0, 1] (rule in :data:`DEFINITIONS`).
        as_of: When the signal became computable (UTC).
        created_from: Every input filing (the trigger included).
        subject: What the signal is about beyond the company (a CUSIP and quarter, a period); part of the id.
        details: The numbers behind the score (JSON-serializable).
        ticker: The company's ticker, when known.
    """

    kind: str
    cik: int | None
    accession: str | None
    score: float
    confidence: float
    as_of: datetime
    created_from: tuple[str, ...]
    subject: str = ""
    details: dict[str, Any] = msgspec.field(default_factory=dict)
    ticker: str | None = None

    @property
    def signal_id(self) -> str:
        """A stable id: SHA-256 (first 32 hex digits) of kind, CIK, triggering filing and subject."""
        key = json.dumps([self.kind, self.cik, self.accession, self.subject])
        return hashlib.sha256(key.encode()).hexdigest()[:32]


def as_of_time(accepted_at: datetime | None, filing_date: date | None) -> datetime | None:
    """The point-in-time stamp of a filing: its acceptance time, else its filing date at 00:00 UTC.

    Args:
        accepted_at: EDGAR acceptance time (timezone-aware; naive values are taken as UTC).
        filing_date: The filing date.

    Returns:
        The time in UTC, or None when neither is known.
    """
    if accepted_at is not None:
        return accepted_at.replace(tzinfo=UTC) if accepted_at.tzinfo is None else accepted_at.astimezone(UTC)
    if filing_date is not None:
        return datetime.combine(filing_date, time(0), tzinfo=UTC)
    return None


def clamp(value: float) -> float:
    """``value`` limited to [0, 1]."""
    return max(0.0, min(1.0, value))
