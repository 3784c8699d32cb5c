from datetime import UTC, date, datetime
from pathlib import Path

import pytest

from edgar.parse import (
    AcceptanceTime,
    ParseError,
    SubmissionRow,
    assess_feed,
    filing_date_contradictions,
    from_sgml,
    parse_filing_index_page,
    parse_sgml_submission,
    parse_submissions,
    resolve_feed_acceptance,
)


def _feed(mirror: Path, name: str) -> tuple[str, dict[str, AcceptanceTime]]:
    sub = parse_submissions((mirror / "reference" / name).read_bytes(), name)
    convention, times = resolve_feed_acceptance(sub.filings)
    assert len(times) == len(sub.filings)
    return convention, {t.accession: t for t in times if t.accession}


def test_from_sgml_is_eastern() -> None:
    assert from_sgml("20200213071218") == datetime(2020, 2, 13, 12, 12, 18, tzinfo=UTC)  # EST, UTC-5
    assert from_sgml("20231114093854") == datetime(2023, 11, 14, 14, 38, 54, tzinfo=UTC)
    assert from_sgml("20250415163025") == datetime(2025, 4, 15, 20, 30, 25, tzinfo=UTC)  # EDT, UTC-4
    with pytest.raises(ParseError, match=r"^hdr: ACCEPTANCE-DATETIME '2020021307' is not YYYYMMDDHHMMSS"):
        from_sgml("2020021307", "hdr")
    with pytest.raises(ParseError, match="not a valid time"):
        from_sgml("20201341071218")


def test_tesla_2019_10k_header(mirror: Path) -> None:
    sub = parse_sgml_submission(
        (mirror / "reference/tesla-10k-2019-header.txt").read_bytes(), "tesla-10k-2019-header.txt"
    )
    assert sub.accession == "0001564590-20-004475"
    assert sub.acceptance_utc == datetime(2020, 2, 13, 12, 12, 18, tzinfo=UTC)


@pytest.mark.parametrize(
    ("name", "convention"),
    [
        ("submissions-CIK0000320193-apple.json", "eastern"),
        ("submissions-CIK0001009672-carbo-ceramics.json", "eastern"),
        ("submissions-CIK0001009672-carbo-ceramics-001.json", "eastern"),
        ("submissions-CIK0001318605-tesla.json", "eastern"),
        ("submissions-CIK0001318605-tesla-2026.json", "utc"),
        ("submissions-CIK0001318605-tesla-2026-001.json", "utc"),
        ("submissions-CIK0001045810-nvidia.json", "utc"),
    ],
)
def test_feed_conventions(mirror: Path, name: str, convention: str) -> None:
    sub = parse_submissions((mirror / "reference" / name).read_bytes(), name)
    verdict = assess_feed(sub.filings)
    assert verdict.convention == convention
    assert not verdict.ambiguous
    wrong, right = (
        (verdict.contradictions_utc, verdict.contradictions_eastern)
        if convention == "eastern"
        else (verdict.contradictions_eastern, verdict.contradictions_utc)
    )
    assert right <= 2
    assert wrong >= 30


def test_assessment_counts_apple(mirror: Path) -> None:
    name = "submissions-CIK0000320193-apple.json"
    verdict = assess_feed(parse_submissions((mirror / "reference" / name).read_bytes(), name).filings)
    assert (verdict.checked_rows, verdict.contradictions_utc, verdict.contradictions_eastern) == (988, 112, 2)


def test_carbo_json_is_eastern_and_matches_index_page(mirror: Path) -> None:
    convention, times = _feed(mirror, "submissions-CIK0001009672-carbo-ceramics.json")
    assert convention == "eastern"
    t = times["0001564590-18-004771"]
    assert t.acceptance_utc == datetime(2018, 3, 7, 23, 3, 42, tzinfo=UTC)
    assert t.basis == "submissions-json:eastern"
    assert not t.ambiguous
    assert not t.contradicts_filing_date
    name = "carbo-ceramics-10k-2017-0001564590-18-004771-index.html"
    page = parse_filing_index_page((mirror / "reference" / name).read_bytes(), name)
    assert page.accepted == t.acceptance_utc
    assert page.accepted_raw == "2018-03-07 18:03:42"


def test_tesla_2019_10k_both_feeds_agree_with_header(mirror: Path) -> None:
    header = datetime(2020, 2, 13, 12, 12, 18, tzinfo=UTC)
    c26, t26 = _feed(mirror, "submissions-CIK0001318605-tesla-2026.json")
    c22, t22 = _feed(mirror, "submissions-CIK0001318605-tesla.json")
    assert (c26, c22) == ("utc", "eastern")
    assert t26["0001564590-20-004475"].acceptance_utc == header
    assert t26["0001564590-20-004475"].basis == "submissions-json:utc"
    assert t22["0001564590-20-004475"].acceptance_utc == header
    assert t22["0001564590-20-004475"].basis == "submissions-json:eastern"


def test_readme_examples(mirror: Path) -> None:
    _, apple = _feed(mirror, "submissions-CIK0000320193-apple.json")
    assert apple["0000320193-23-000106"].acceptance_utc == datetime(2023, 11, 2, 22, 8, 27, tzinfo=UTC)
    assert not apple["0000320193-23-000106"].contradicts_filing_date
    # 06:01 "Z" is 06:01 Eastern (EDGAR opens at 06:00), i.e. 10:01 UTC
    assert apple["0000320193-24-000123"].acceptance_utc == datetime(2024, 11, 1, 10, 1, 36, tzinfo=UTC)
    _, tesla = _feed(mirror, "submissions-CIK0001318605-tesla-2026.json")
    assert tesla["0001628280-24-032662"].acceptance_utc == datetime(2024, 7, 23, 23, 41, 9, tzinfo=UTC)
    assert tesla["0001628280-25-003063"].acceptance_utc == datetime(2025, 1, 30, 1, 42, 33, tzinfo=UTC)
    _, nvidia = _feed(mirror, "submissions-CIK0001045810-nvidia.json")
    t = nvidia["0001045810-25-000023"]
    assert t.basis == "submissions-json:utc"
    assert t.acceptance_utc == datetime(2025, 2, 26, 21, 48, 33, tzinfo=UTC)
    assert not t.contradicts_filing_date


def test_midnight_placeholders_become_none(mirror: Path) -> None:
    _, times = _feed(mirror, "submissions-CIK0001009672-carbo-ceramics-001.json")
    placeholders = [t for t in times.values() if t.acceptance_utc is None]
    assert len(placeholders) == 56
    assert all("00:00:00" in (t.note or "") for t in placeholders)


def _row(
    accepted: str, filed: str, form: str = "10-K", accession: str = "0000000000-00-000001"
) -> SubmissionRow:
    return SubmissionRow(
        accession=accession,
        form=form,
        filing_date=date.fromisoformat(filed),
        report_date=None,
        acceptance_raw=accepted,
        primary_document="",
        primary_doc_description="",
        is_xbrl=False,
        is_inline_xbrl=False,
        size=0,
        items="",
        file_number="",
        film_number="",
        act="",
    )


def test_ambiguous_feed_is_marked_and_read_as_utc() -> None:
    # 14:00Z: 14:00 UTC = 10:00 EDT, or 14:00 EDT: both same-day and within hours
    rows = [_row("2024-07-10T14:00:00.000Z", "2024-07-10"), _row("2024-07-11T15:30:00.000Z", "2024-07-11")]
    convention, times = resolve_feed_acceptance(rows)
    assert convention == "utc"
    assert all(t.ambiguous for t in times)
    assert times[0].acceptance_utc == datetime(2024, 7, 10, 14, 0, tzinfo=UTC)
    assert times[0].basis == "submissions-json:utc"


def test_unparsable_acceptance_is_none_with_reason() -> None:
    _, times = resolve_feed_acceptance([_row("yesterday", "2024-07-10")])
    assert times[0].acceptance_utc is None
    assert times[0].note == "acceptanceDateTime 'yesterday' is not a date-time"


def test_filing_date_rules() -> None:
    # 18:08 Eastern on Thursday 2023-11-02 -> next business day
    late = datetime(2023, 11, 2, 22, 8, 27, tzinfo=UTC)
    assert filing_date_contradictions(late, date(2023, 11, 3)) == []
    # 14:08 Eastern gets the same day, so the 3rd is a contradiction
    early = datetime(2023, 11, 2, 18, 8, 27, tzinfo=UTC)
    assert filing_date_contradictions(early, date(2023, 11, 3)) == [
        "accepted Thu 2023-11-02 14:08:27 Eastern should be filed 2023-11-02, not 2023-11-03"
    ]
    # 02:01 Eastern: before EDGAR opens
    assert (
        "outside EDGAR's 06:00-22:00"
        in filing_date_contradictions(datetime(2024, 11, 1, 6, 1, 36, tzinfo=UTC), date(2024, 11, 1))[0]
    )
    # Friday 18:00 Eastern -> Monday
    assert filing_date_contradictions(datetime(2024, 7, 12, 22, 0, tzinfo=UTC), date(2024, 7, 15)) == []


def test_index_page_facts(mirror: Path) -> None:
    name = "carbo-ceramics-10k-2017-0001564590-18-004771-index.html"
    page = parse_filing_index_page((mirror / "reference" / name).read_bytes(), name)
    assert page.accession == "0001564590-18-004771"
    assert page.filing_date == date(2018, 3, 8)
    assert page.period_of_report == date(2017, 12, 31)
    assert page.accepted == datetime(2018, 3, 7, 23, 3, 42, tzinfo=UTC)
    assert len(page.documents) == 18
    first = page.documents[0]
    assert (first.seq, first.description, first.document, first.type, first.size) == (
        1,
        "10-K",
        "crr-10k_20171231.htm",
        "10-K",
        3043884,
    )
    assert page.documents[-1].document == "crr-20171231_pre.xml"
    assert page.documents[-1].type == "EX-101.PRE"


def test_index_page_without_accession() -> None:
    with pytest.raises(ParseError, match=r"^p\.html: no accession number"):
        parse_filing_index_page(b"<html><body><p>hi</p></body></html>", "p.html")
