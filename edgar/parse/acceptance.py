"""True UTC acceptance times of EDGAR filings.

EDGAR keeps time in US Eastern (``America/New_York``). Three sources give an acceptance time:

* the SGML header ``<ACCEPTANCE-DATETIME>20200213071218``: Eastern wall clock (:func:`from_sgml`);
* the filing index page's "Accepted 2018-03-07 18:03:42": Eastern wall clock (:func:`from_eastern_wall_clock`);
* the submissions JSON ``acceptanceDateTime`` ``2023-11-02T18:08:27.000Z``: the ``Z`` cannot be trusted. Some
  feeds write true UTC, others Eastern wall clock with a ``Z`` appended (see the mirror README). One JSON file
  uses one convention, so :func:`resolve_feed_acceptance` decides per feed by checking every row against its
  ``filingDate`` with EDGAR's rules and picking the reading with fewer contradictions.

EDGAR's rules as checked here (:func:`filing_date_contradictions`): filings are accepted 06:00-22:00 Eastern on
business days (Mon-Fri; holidays are ignored, so a holiday yields a counted contradiction, not an error); a
filing accepted up to 17:30 gets that day's filing date; one accepted after 17:30 gets the next business day's
date, except forms (Section 16: 3, 4, 5 and others) that keep the same day until 22:00, so after 17:30 either
date is accepted.

Rows that cannot vote (they give no evidence for either reading):

* times of exactly ``00:00:00``: date-only placeholders of old filings; their ``acceptance_utc`` is None;
* forms the SEC issues itself or that were filed on paper (:data:`UNCHECKED_FORMS`), and rows whose filing
  date is more than :data:`MAX_DATE_GAP_DAYS` days from the acceptance date: their filing date was not set
  from the acceptance time.

Tie-break: when both readings have the same number of contradictions (in particular zero and zero), the feed
is *ambiguous*: the literal reading (``utc``, the ``Z`` at its word) is returned and every row is marked
``ambiguous=True``, so callers can prefer an SGML header or index page for those filings.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from datetime import UTC, date, datetime, time, timedelta
from typing import Literal
from zoneinfo import ZoneInfo

import msgspec

from edgar.errors import ParseError
from edgar.parse.submissions import SubmissionRow

EASTERN = ZoneInfo("America/New_York")

Convention = Literal["utc", "eastern"]

#: forms whose filing date is not set from the acceptance time (SEC-issued or paper filings)
UNCHECKED_FORMS = frozenset(
    {
        "EFFECT",
        "NO ACT",
        "CT ORDER",
        "SEC STAFF LETTER",
        "SEC STAFF ACTION",
        "UPLOAD",
        "CORRESP",
        "REGDEX",
        "ARS",
        "ARS/A",
    }
)
#: a filing date further than this from the acceptance date was not derived from the acceptance time
MAX_DATE_GAP_DAYS = 4

OPEN = time(6, 0)
CLOSE = time(22, 0)
CUTOFF = time(17, 30)

_SGML_RE = re.compile(r"^\d{14}$")
_JSON_RE = re.compile(r"^(\d{4}-\d{2}-\d{2})T(\d{2}):(\d{2}):(\d{2})(?:\.\d+)?Z?$")


class AcceptanceTime(msgspec.Struct, frozen=True, kw_only=True):
    """The acceptance time of one filing, in UTC, with how it was derived.

    Attributes:
        accession: accession number of the filing (None when not known to the caller).
        acceptance_utc: the acceptance instant (tz-aware UTC), None when the source gives no usable time.
        basis: where it came from: ``sgml-header``, ``index-page``, ``submissions-json:utc`` or
            ``submissions-json:eastern``.
        ambiguous: the feed's convention could not be decided (both readings fit equally well).
        contradicts_filing_date: under the chosen reading this row breaks EDGAR's hours or filing-date rules.
        note: why acceptance_utc is None, why the row was not checked, or what it contradicts; None when fine.
    """

    accession: str | None
    acceptance_utc: datetime | None
    basis: str
    ambiguous: bool = False
    contradicts_filing_date: bool = False
    note: str | None = None


class FeedAssessment(msgspec.Struct, frozen=True, kw_only=True):
    """How well each reading of a feed's ``acceptanceDateTime`` fits the filing dates.

    Attributes:
        convention: the chosen reading (``utc`` or ``eastern``).
        ambiguous: both readings have the same number of contradictions.
        checked_rows: rows that took part in the vote.
        contradictions_utc: checked rows that contradict EDGAR's rules when read as UTC.
        contradictions_eastern: checked rows that contradict EDGAR's rules when read as Eastern wall clock.
    """

    convention: Convention
    ambiguous: bool
    checked_rows: int
    contradictions_utc: int
    contradictions_eastern: int


def from_eastern_wall_clock(naive: datetime) -> datetime:
    """Interpret a naive Eastern wall-clock time and return it in UTC.

    Args:
        naive: a datetime without tzinfo, read as America/New_York local time.

    Returns:
        The same instant as a tz-aware UTC datetime. In the repeated hour of a DST fall-back the first
        occurrence (EDT) is taken (``fold=0``).
    """
    return naive.replace(tzinfo=EASTERN).astimezone(UTC)


def from_sgml(value: str, source: str = "ACCEPTANCE-DATETIME") -> datetime:
    """Convert an SGML ``ACCEPTANCE-DATETIME`` (``YYYYMMDDHHMMSS``, Eastern wall clock) to UTC.

    Args:
        value: e.g. ``20200213071218``.
        source: name used in error messages.

    Returns:
        Tz-aware UTC datetime, e.g. 2020-02-13 12:12:18+00:00.

    Raises:
        ParseError: the value is not 14 digits or not a valid date/time.
    """
    text = value.strip()
    if not _SGML_RE.match(text):
        raise ParseError(source, f"ACCEPTANCE-DATETIME {value!r} is not YYYYMMDDHHMMSS")
    try:
        naive = datetime.strptime(text, "%Y%m%d%H%M%S")
    except ValueError as exc:
        raise ParseError(source, f"ACCEPTANCE-DATETIME {value!r} is not a valid time") from exc
    return from_eastern_wall_clock(naive)


def parse_json_naive(raw: str) -> datetime | None:
    """Read the wall-clock part of a submissions ``acceptanceDateTime``, ignoring its ``Z``.

    Args:
        raw: e.g. ``2023-11-02T18:08:27.000Z``.

    Returns:
        A naive datetime, or None when the text is not in that shape.
    """
    m = _JSON_RE.match(raw.strip())
    if not m:
        return None
    try:
        return datetime.fromisoformat(f"{m.group(1)}T{m.group(2)}:{m.group(3)}:{m.group(4)}")
    except ValueError:
        return None


def json_to_utc(naive: datetime, convention: Convention) -> datetime:
    """Apply a feed convention to the wall-clock part of a JSON acceptance time.

    Args:
        naive: result of :func:`parse_json_naive`.
        convention: ``utc`` (the ``Z`` is true) or ``eastern`` (Eastern wall clock with a false ``Z``).

    Returns:
        Tz-aware UTC datetime.
    """
    if convention == "utc":
        return naive.replace(tzinfo=UTC)
    return from_eastern_wall_clock(naive)


def next_business_day(day: date) -> date:
    """The next Monday-Friday after ``day`` (holidays are not known)."""
    day += timedelta(days=1)
    while day.weekday() >= 5:
        day += timedelta(days=1)
    return day


def filing_date_contradictions(accepted_utc: datetime, filing_date: date) -> list[str]:
    """Check an acceptance instant against its filing date with EDGAR's rules (see the module docstring).

    Args:
        accepted_utc: tz-aware acceptance instant.
        filing_date: the filing date EDGAR gave.

    Returns:
        What is contradicted, in words; empty when the pair is consistent.
    """
    local = accepted_utc.astimezone(EASTERN)
    wall, day = local.time(), local.date()
    problems: list[str] = []
    stamp = local.strftime("%a %Y-%m-%d %H:%M:%S")
    if day.weekday() >= 5:
        problems.append(f"accepted {stamp} Eastern, a weekend")
        allowed = {next_business_day(day)}
    else:
        if wall < OPEN or wall > CLOSE:
            problems.append(f"accepted {stamp} Eastern, outside EDGAR's 06:00-22:00")
        allowed = {day} if wall <= CUTOFF else {day, next_business_day(day)}
    if filing_date not in allowed:
        want = " or ".join(sorted(d.isoformat() for d in allowed))
        problems.append(f"accepted {stamp} Eastern should be filed {want}, not {filing_date.isoformat()}")
    return problems


def _unchecked_reason(row: SubmissionRow, naive: datetime) -> str | None:
    if row.form.upper() in UNCHECKED_FORMS:
        return f"form {row.form} is SEC-issued or paper: its filing date is not set from the acceptance time"
    if abs((row.filing_date - naive.date()).days) > MAX_DATE_GAP_DAYS:
        return f"filing date {row.filing_date} is more than {MAX_DATE_GAP_DAYS} days from acceptance {naive.date()}"
    return None


def _placeholder(naive: datetime) -> bool:
    return naive.time() == time(0, 0, 0)


def assess_feed(rows: Sequence[SubmissionRow]) -> FeedAssessment:
    """Count, for each reading, the rows of one feed that contradict EDGAR's rules.

    Args:
        rows: every row of ONE submissions file (one file = one convention).

    Returns:
        The counts and the chosen convention (fewer contradictions; ties are ambiguous and read as UTC).
    """
    checked = bad_utc = bad_eastern = 0
    for row in rows:
        naive = parse_json_naive(row.acceptance_raw)
        if naive is None or _placeholder(naive) or _unchecked_reason(row, naive):
            continue
        checked += 1
        bad_utc += bool(filing_date_contradictions(json_to_utc(naive, "utc"), row.filing_date))
        bad_eastern += bool(filing_date_contradictions(json_to_utc(naive, "eastern"), row.filing_date))
    convention: Convention = "eastern" if bad_eastern < bad_utc else "utc"
    return FeedAssessment(
        convention=convention,
        ambiguous=bad_utc == bad_eastern,
        checked_rows=checked,
        contradictions_utc=bad_utc,
        contradictions_eastern=bad_eastern,
    )


def resolve_feed_acceptance(
    rows: Sequence[SubmissionRow], assessment: FeedAssessment | None = None
) -> tuple[Convention, list[AcceptanceTime]]:
    """Decide one feed's ``acceptanceDateTime`` convention and convert every row to true UTC.

    Args:
        rows: every row of ONE submissions file (main document or one overflow page).
        assessment: a precomputed :func:`assess_feed` result (computed when omitted).

    Returns:
        The convention (``utc`` or ``eastern``) and, in row order, one :class:`AcceptanceTime` per row.
    """
    verdict = assessment or assess_feed(rows)
    basis = f"submissions-json:{verdict.convention}"
    out: list[AcceptanceTime] = []
    for row in rows:
        naive = parse_json_naive(row.acceptance_raw)
        if naive is None or _placeholder(naive):
            why = "is not a date-time" if naive is None else "is a date-only placeholder (00:00:00)"
            out.append(
                AcceptanceTime(
                    accession=row.accession,
                    acceptance_utc=None,
                    basis=basis,
                    ambiguous=verdict.ambiguous,
                    note=f"acceptanceDateTime {row.acceptance_raw!r} {why}",
                )
            )
            continue
        utc = json_to_utc(naive, verdict.convention)
        skip = _unchecked_reason(row, naive)
        problems = [] if skip else filing_date_contradictions(utc, row.filing_date)
        out.append(
            AcceptanceTime(
                accession=row.accession,
                acceptance_utc=utc,
                basis=basis,
                ambiguous=verdict.ambiguous,
                contradicts_filing_date=bool(problems),
                note=skip or ("; ".join(problems) if problems else None),
            )
        )
    return verdict.convention, out
