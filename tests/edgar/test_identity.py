"""Identity rules on real files: SGML header first, then the SEC feed (one exact match), then the document."""

from __future__ import annotations

from datetime import UTC, date, datetime

from edgar.identity import (
    SubmissionMeta,
    apply_submission,
    identity_from_cover,
    identity_from_sgml,
    local_filing_id,
    match_submission,
    subject_party_cik,
)
from edgar.inventory import group_of, list_mirror_files
from edgar.parse.cover import extract_cover
from edgar.parse.sgml import parse_sgml_submission
from lake.settings import Settings

MIRROR = Settings.from_env().edgar_mirror


def _meta(accession: str, form: str, report: date, cik: int = 320193) -> SubmissionMeta:
    return SubmissionMeta(
        accession=accession,
        cik=cik,
        form=form,
        filing_date=date(2023, 11, 3),
        report_date=report,
        acceptance_utc=datetime(2023, 11, 2, 22, 8, 27, tzinfo=UTC),
        acceptance_basis="submissions-json:eastern",
    )


def test_sgml_header_identity_of_a_form_4_names_the_issuer() -> None:
    sub = parse_sgml_submission((MIRROR / "ownership/0001127602-25-001055.txt").read_bytes(), "x.txt")
    identity = identity_from_sgml(sub)
    assert subject_party_cik(sub) == 1750  # AAR CORP, the issuer; the reporting owner filed it
    assert (identity.accession, identity.form, identity.cik) == ("0001127602-25-001055", "4", 1750)
    assert identity.acceptance_utc == datetime(2025, 1, 10, 21, 7, 30, tzinfo=UTC)
    assert (identity.filing_quarter, identity.partition_basis, identity.acceptance_flag) == (
        "2025Q1",
        "filing_date",
        None,
    )


def test_document_identity_matches_exactly_one_sec_filing() -> None:
    data = (MIRROR / "xbrl/aapl-10k-2023-09-30/aapl-20230930_htm.xml").read_bytes()
    identity = identity_from_cover(extract_cover("aapl-20230930_htm.xml", data), "aapl-20230930_htm.xml")
    assert (identity.accession, identity.filing_date, identity.filing_quarter) == (None, None, "2023Q3")
    assert identity.partition_basis == "period_of_report"
    feed = [
        _meta("0000320193-23-000106", "10-K", date(2023, 9, 30)),
        _meta("0000320193-23-000077", "10-Q", date(2023, 7, 1)),
        _meta("0000320193-23-000999", "10-K", date(2022, 9, 24)),
    ]
    meta, problem = match_submission(identity, feed)
    assert meta is not None and meta.accession == "0000320193-23-000106" and problem is None
    placed = apply_submission(identity, meta)
    assert (placed.accession, placed.filing_quarter, placed.metadata_source) == (
        "0000320193-23-000106",
        "2023Q4",
        "submissions-json",
    )
    assert placed.acceptance_utc == datetime(2023, 11, 2, 22, 8, 27, tzinfo=UTC)


def test_two_candidate_filings_are_not_guessed_between() -> None:
    data = (MIRROR / "xbrl/aapl-10k-2023-09-30/aapl-20230930_htm.xml").read_bytes()
    identity = identity_from_cover(extract_cover("aapl-20230930_htm.xml", data))
    feed = [
        _meta("0000320193-23-000106", "10-K", date(2023, 9, 30)),
        _meta("0000320193-23-000107", "10-K", date(2023, 9, 30)),
    ]
    meta, problem = match_submission(identity, feed)
    assert meta is None
    assert (
        problem
        == "2 SEC filings match cik/form/period (0000320193-23-000106, 0000320193-23-000107): not guessing"
    )


def test_local_ids_are_stable_and_depend_on_content() -> None:
    a = local_filing_id([("a.xml", "11"), ("b.xml", "22")])
    assert a == local_filing_id([("b.xml", "22"), ("a.xml", "11")])
    assert a != local_filing_id([("a.xml", "11"), ("b.xml", "23")])
    assert a.startswith("local-") and len(a) == 26


def test_mirror_files_are_grouped_into_filings() -> None:
    paths = [f.path for f in list_mirror_files(MIRROR)]
    assert len(paths) == 126 and not any(p.startswith(("reference/", "index/")) for p in paths)
    assert group_of("xbrl/aapl-10k-2023-09-30/aapl-20230930_cal.xml", paths) == "xbrl/aapl-10k-2023-09-30"
    assert group_of("xbrl/single/apple-10k-instance.xml", paths) == "xbrl/single/apple-10k-instance.xml"
    assert group_of("8k/buckle-8k-ex99-1.htm", paths) == "8k/buckle-8k.htm"
    assert group_of("8k/oracle-8k.htm", paths) == "8k/oracle-8k.htm"
