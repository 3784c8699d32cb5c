"""Amendments (SEC samples 13F-HR, 13F-HR/A, 13F-NT) and quarter-over-quarter changes."""

from datetime import date
from pathlib import Path

import msgspec
import pytest

from edgar.thirteenf import Filing13F, aggregate, apply_amendments, parse_13f, quarter_changes


def _sample(mirror: Path, name: str, accession: str, filed: date) -> Filing13F:
    data = (mirror / "13f/sec-samples" / name).read_bytes()
    return parse_13f(name, data, accession=accession, filing_date=filed)


@pytest.fixture(scope="module")
def samples(mirror: Path) -> tuple[Filing13F, Filing13F, Filing13F]:
    # the samples carry no accession or filing date; their signature dates (HR 11-02-2021, HR/A 11-01-2021)
    # would even put the amendment first, so filing dates are given here in the order HR, HR/A, NT
    return (
        _sample(mirror, "Sample_13F-HR.xml", "0000000000-22-000001", date(2022, 2, 1)),
        _sample(mirror, "Sample_13F-HRA.xml", "0000000000-22-000002", date(2022, 2, 2)),
        _sample(mirror, "Sample_13F-NT.xml", "0000000000-22-000003", date(2022, 2, 3)),
    )


def test_what_the_samples_say(samples: tuple[Filing13F, Filing13F, Filing13F]) -> None:
    hr, hra, nt = samples
    assert hr.cover is not None
    assert hra.cover is not None
    assert nt.cover is not None
    assert (hr.form, hr.cover.is_amendment, hr.cover.report_type) == ("13F-HR", False, "13F HOLDINGS REPORT")
    assert (hra.form, hra.cover.is_amendment, hra.cover.amendment_number, hra.cover.amendment_type) == (
        "13F-HR/A",
        True,
        45,
        "RESTATEMENT",
    )
    assert (nt.form, nt.cover.report_type, nt.holdings, nt.has_information_table) == (
        "13F-NT",
        "13F NOTICE",
        (),
        False,
    )
    assert {f.filer_cik for f in samples} == {123456789}
    assert {f.period for f in samples} == {date(2021, 12, 31)}
    # the restatement's table repeats the original's 169 rows, minus the FIGI of rows 1, 2 and 4
    assert len(hra.holdings) == len(hr.holdings) == 169
    differ = [a.row for a, b in zip(hr.holdings, hra.holdings, strict=True) if a != b]
    assert differ == [1, 2, 4]
    assert [hra.holdings[i - 1].figi for i in differ] == [None, None, None]
    assert hr.holdings[0].figi == "02079K107743"


def test_restatement_replaces_and_notice_keeps(samples: tuple[Filing13F, Filing13F, Filing13F]) -> None:
    hr, hra, nt = samples
    result = apply_amendments([nt, hra, hr])  # input order does not matter: filing date does
    q = result[(123456789, date(2021, 12, 31))]
    assert q.applied == ("0000000000-22-000001", "0000000000-22-000002", "0000000000-22-000003")
    assert q.holdings == hra.holdings
    assert q.notice_only is False
    assert q.notes == ("0000000000-22-000003: 13F-NT after a holdings report; holdings kept",)
    only_original = apply_amendments([hr])[(123456789, date(2021, 12, 31))]
    assert only_original.holdings[0].figi == "02079K107743"


def test_new_holdings_adds_and_notice_alone(samples: tuple[Filing13F, Filing13F, Filing13F]) -> None:
    hr, hra, nt = samples
    assert hra.cover is not None
    new_rows = hra.holdings[:2]
    addition = msgspec.structs.replace(
        hra, cover=msgspec.structs.replace(hra.cover, amendment_type="NEW HOLDINGS"), holdings=new_rows
    )
    q = apply_amendments([hr, addition])[(123456789, date(2021, 12, 31))]
    assert q.holdings == hr.holdings + new_rows
    assert len(q.holdings) == 171
    alone = apply_amendments([nt])[(123456789, date(2021, 12, 31))]
    assert (alone.holdings, alone.notice_only, alone.notes) == ((), True, ())


def test_filing_without_date_is_rejected(mirror: Path) -> None:
    f = parse_13f("s", (mirror / "13f/sec-samples/Sample_13F-NT.xml").read_bytes())
    with pytest.raises(ValueError, match="missing accession, filing_date"):
        apply_amendments([f])


def test_aggregate_sums_rows_of_one_cusip(samples: tuple[Filing13F, Filing13F, Filing13F]) -> None:
    hr = samples[0]
    positions = aggregate(hr.holdings)
    assert len(positions) == 168  # the sample lists CUSIP 02079K107 twice
    att = positions[("02079K107", None)]
    assert (att.rows, att.shares, att.value, att.issuer_name) == (2, 80699, 7454549653, "AT&T INC")


def test_quarter_changes(samples: tuple[Filing13F, Filing13F, Filing13F]) -> None:
    hr, hra, _ = samples
    assert {c.kind for c in quarter_changes(hr.holdings, hra.holdings)} == {"unchanged"}
    adobe, akebia, alibaba = hr.holdings[1], hr.holdings[2], hr.holdings[3]
    assert (adobe.cusip, adobe.shares_or_principal, adobe.value) == ("00724F101", 22507, 7423)
    current = [
        msgspec.structs.replace(adobe, shares_or_principal=30000, value=9000),
        msgspec.structs.replace(akebia, shares_or_principal=10000, value=60),
        alibaba,
        msgspec.structs.replace(alibaba, cusip="000000000", issuer_name="NEW CO", value=5),
    ]
    changes = {c.cusip: c for c in quarter_changes(hr.holdings[1:5], current, filer_cik=123456789)}
    a = changes["00724F101"]
    assert (a.kind, a.shares_before, a.shares_after, a.share_delta, a.value_delta) == (
        "added",
        22507,
        30000,
        7493,
        1577,
    )
    assert changes["00972D105"].kind == "reduced"
    assert changes["00972D105"].share_delta == -195
    assert changes["01609W102"].kind == "unchanged"
    new = changes["000000000"]
    assert (new.kind, new.shares_before, new.share_delta, new.value_delta) == ("new", 0, 2241, 5)
    gone = changes[hr.holdings[4].cusip or ""]
    assert (gone.kind, gone.shares_after, gone.filer_cik) == ("sold_out", 0, 123456789)
    assert gone.share_delta == -(hr.holdings[4].shares_or_principal or 0)
    # previous quarter in thousands, current in dollars
    scaled = quarter_changes([adobe], [adobe], previous_value_scale=1000)
    assert (scaled[0].value_before, scaled[0].value_after) == (7423000, 7423)
