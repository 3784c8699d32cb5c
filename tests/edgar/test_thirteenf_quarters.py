"""13F quarters after amendments and their quarter-over-quarter changes, on the mirror's real 13F filings.

The mirror holds no filer with two consecutive quarters (LTS One 2023-09-30, Acorn Creek 2024-12-31, MetLife and
Abacus cover pages without tables, the SEC samples for 2021-12-31), so the change tests compare real rows of two
different real filings: Acorn Creek's table is re-labelled as LTS One's next quarter (filer, period and filing date
set here; the rows are as filed).
"""

from datetime import UTC, date, datetime
from pathlib import Path

import msgspec
import pytest

from edgar.thirteenf import Filing13F, parse_13f
from edgar.thirteenf.amendments import QuarterFiling, fold_quarter
from edgar.thirteenf.quarters import holdings_changes, previous_quarter_end, standing_quarters

LTS = "0001894188-23-000007"
ACORN = "0001951757-25-000093"


def _parse(mirror: Path, name: str) -> Filing13F:
    return parse_13f(name, (mirror / "13f" / name).read_bytes())


def _quarter_filing(f: Filing13F, filing_id: str, **override: object) -> QuarterFiling:
    assert f.filer_cik is not None and f.period is not None
    base = QuarterFiling(
        filing_id=filing_id,
        filer_cik=f.filer_cik,
        period=f.period,
        form=f.form or "",
        filing_date=f.filing_date,
        acceptance_utc=f.acceptance_utc,
        is_amendment=bool(f.cover and f.cover.is_amendment),
        amendment_type=f.cover.amendment_type if f.cover else None,
        report_type=f.cover.report_type if f.cover else None,
    )
    return msgspec.structs.replace(base, **override)


@pytest.fixture(scope="module")
def lts(mirror: Path) -> Filing13F:
    return _parse(mirror, f"{LTS}.txt")


@pytest.fixture(scope="module")
def acorn(mirror: Path) -> Filing13F:
    return _parse(mirror, f"{ACORN}.nc")


def test_previous_quarter_end() -> None:
    assert previous_quarter_end(date(2021, 12, 31)) == date(2021, 9, 30)
    assert previous_quarter_end(date(2024, 3, 31)) == date(2023, 12, 31)
    assert previous_quarter_end(date(2023, 6, 30)) == date(2023, 3, 31)


def test_undated_sec_samples_are_ordered_structurally(mirror: Path) -> None:
    """The samples (as the lake holds them: no accession, no filing date) fold in the order original, notice,
    restatement: the 13F-HR/A's 169 rows stand."""
    samples = mirror / "13f/sec-samples"
    parsed = {
        k: parse_13f(f"Sample_13F-{k}.xml", (samples / f"Sample_13F-{k}.xml").read_bytes())
        for k in ("HR", "HRA", "NT")
    }
    filings = [_quarter_filing(f, f"sample-{k}") for k, f in parsed.items()]
    assert {f.filing_date for f in filings} == {None}
    (q,) = standing_quarters(reversed(filings), {f"sample-{k}": f.holdings for k, f in parsed.items()})
    assert (q.filer_cik, q.period, q.order_basis) == (123456789, date(2021, 12, 31), "structural")
    assert q.applied == ("sample-HR", "sample-NT", "sample-HRA")
    assert [h for _, h in q.rows] == list(parsed["HRA"].holdings)
    assert {fid for fid, _ in q.rows} == {"sample-HRA"}
    assert q.notes == (
        "no filing date on every filing: ordered originals first, then amendments by number",
        "sample-NT: 13F-NT after a holdings report; holdings kept",
    )
    assert (q.last_filing_date, q.last_acceptance_utc) == (None, None)


def test_changes_between_two_real_tables(lts: Filing13F, acorn: Filing13F) -> None:
    assert (lts.filer_cik, lts.period, lts.filing_date) == (1894188, date(2023, 9, 30), date(2023, 11, 14))
    assert lts.acceptance_utc == datetime(2023, 11, 14, 14, 38, 54, tzinfo=UTC)
    # Acorn Creek's table (filed 2025-01-22, in dollars like LTS One's) as LTS One's 2023-12-31 report
    later = _quarter_filing(
        acorn, ACORN, filer_cik=1894188, period=date(2023, 12, 31), filing_date=date(2024, 2, 14)
    )
    filings = [_quarter_filing(lts, LTS), later]
    tables = {LTS: lts.holdings, ACORN: acorn.holdings}
    (compared,) = holdings_changes(filings, tables)
    assert (compared.previous.period, compared.current.period) == (date(2023, 9, 30), date(2023, 12, 31))
    changes = {c.cusip: c for c in compared.changes}
    kinds = [c.kind for c in compared.changes]
    assert (len(changes), kinds.count("new"), kinds.count("reduced"), kinds.count("sold_out")) == (
        88,
        74,
        3,
        11,
    )
    msft = changes["594918104"]  # 65,000 shares ($20,524,000) -> 6,752 ($2,845,940)
    assert (msft.kind, msft.shares_before, msft.shares_after, msft.share_delta) == (
        "reduced",
        65000,
        6752,
        -58248,
    )
    assert (msft.value_before, msft.value_after, msft.value_delta) == (20524000, 2845940, -17678060)
    iff = changes["459506101"]
    assert (iff.kind, iff.shares_before, iff.shares_after, iff.share_delta, iff.value_delta) == (
        "sold_out",
        2265000,
        0,
        -2265000,
        -154405000,
    )
    amzn = changes["023135106"]
    assert (amzn.kind, amzn.share_delta, amzn.issuer_name) == ("reduced", 8854 - 137500, "AMAZON COM INC")
    assert [c.kind for c in compared.changes[:1]] == ["new"]  # current table order first
    # no previous quarter: nothing to compare
    assert holdings_changes([later], tables) == []


def test_changes_are_point_in_time(lts: Filing13F, acorn: Filing13F, mirror: Path) -> None:
    """A restatement of the previous quarter filed after the later quarter's report is not used."""
    later = _quarter_filing(
        acorn, ACORN, filer_cik=1894188, period=date(2023, 12, 31), filing_date=date(2024, 2, 14)
    )
    sample = mirror / "13f/sec-samples/Sample_13F-HRA.xml"
    restated = parse_13f(sample.name, sample.read_bytes())
    restatement = _quarter_filing(
        restated, "restatement", filer_cik=1894188, period=date(2023, 9, 30), filing_date=date(2024, 3, 1)
    )
    tables = {LTS: lts.holdings, ACORN: acorn.holdings, "restatement": restated.holdings}
    filings = [_quarter_filing(lts, LTS), later, restatement]
    (compared,) = holdings_changes(filings, tables)
    assert compared.previous.applied == (LTS,)
    assert compared.changes[0].kind == "new"
    # filed before the later report, the restatement replaces LTS One's table in the comparison
    early = msgspec.structs.replace(restatement, filing_date=date(2024, 2, 1))
    (compared,) = holdings_changes([_quarter_filing(lts, LTS), later, early], tables)
    assert compared.previous.applied == (LTS, "restatement")
    assert {fid for fid, _ in compared.previous.rows} == {"restatement"}
    # the quarter itself, all filings applied, ends with the restatement
    standing = fold_quarter([_quarter_filing(lts, LTS), restatement], tables)
    assert (standing.applied, standing.order_basis, standing.last_filing_date) == (
        (LTS, "restatement"),
        "filing_date",
        date(2024, 3, 1),
    )
    # the restatement has no acceptance time: the quarter's last acceptance is unknown
    assert standing.last_acceptance_utc is None


def test_a_notice_only_quarter_is_not_compared(lts: Filing13F, mirror: Path) -> None:
    sample = mirror / "13f/sec-samples/Sample_13F-NT.xml"
    notice = parse_13f(sample.name, sample.read_bytes())
    nt = _quarter_filing(
        notice, "nt", filer_cik=1894188, period=date(2023, 12, 31), filing_date=date(2024, 2, 14)
    )
    assert holdings_changes([_quarter_filing(lts, LTS), nt], {LTS: lts.holdings}) == []
