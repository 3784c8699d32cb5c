"""13F cover pages, information tables and whole filings, on the real files in the mirror's ``13f/`` folder."""

import time
from datetime import UTC, date, datetime
from pathlib import Path

import pytest

from edgar.errors import ParseError
from edgar.thirteenf import (
    OtherManager,
    parse_13f,
    parse_cover,
    parse_information_table,
    parse_information_table_html,
    value_usd,
)


@pytest.fixture(scope="module")
def d13f(mirror: Path) -> Path:
    return mirror / "13f"


def test_lts_one_full_submission(d13f: Path) -> None:
    f = parse_13f("0001894188-23-000007.txt", (d13f / "0001894188-23-000007.txt").read_bytes())
    assert f.accession == "0001894188-23-000007"
    assert f.filing_date == date(2023, 11, 14)
    assert f.acceptance_utc == datetime(2023, 11, 14, 14, 38, 54, tzinfo=UTC)
    assert (f.form, f.filer_cik, f.period) == ("13F-HR", 1894188, date(2023, 9, 30))
    assert f.cover is not None
    assert f.cover.filer_name == "LTS One Management LP"
    assert f.cover.report_type == "13F HOLDINGS REPORT"
    assert f.cover.form13f_file_number == "028-22111"
    assert f.cover.signature_date == date(2023, 11, 14)
    assert f.cover.is_confidential_omitted is False
    assert (f.cover.table_entry_total, f.cover.table_value_total) == (14, 454926000)
    assert len(f.holdings) == 14
    iff = next(h for h in f.holdings if h.cusip == "459506101")
    assert iff.issuer_name == "INTERNATIONAL FLAVORS&FRAGRA"
    assert (iff.value, iff.shares_or_principal, iff.sh_prn) == (154405000, 2265000, "SH")
    assert (iff.investment_discretion, iff.voting_sole, iff.voting_shared, iff.voting_none) == (
        "SOLE",
        2265000,
        0,
        0,
    )
    assert f.holdings[0].cusip == "023135106"
    assert f.holdings[0].row == 1
    v = f.validation
    assert (v.rows, v.rows_match, v.value_sum, v.value_match, v.mismatches) == (14, True, 454926000, True, ())
    assert f.warnings == ()


def test_nc_submission_totals(d13f: Path) -> None:
    f = parse_13f("0001951757-25-000093.nc", (d13f / "0001951757-25-000093.nc").read_bytes())
    assert f.accession == "0001951757-25-000093"
    assert f.filing_date == date(2025, 1, 22)
    assert f.acceptance_utc is None  # .nc files carry no acceptance time
    assert (f.filer_cik, f.period) == (1994827, date(2024, 12, 31))
    assert f.cover is not None
    assert f.cover.filer_name == "ACORN CREEK CAPITAL LLC"
    assert (f.cover.table_entry_total, f.cover.table_value_total) == (77, 194611845)
    assert (f.validation.rows, f.validation.value_sum) == (77, 194611845)
    assert f.validation.rows_match is True
    assert f.validation.value_match is True
    gold = next(h for h in f.holdings if h.cusip == "78463V107")
    assert (gold.issuer_name, gold.title_of_class) == ("SPDR GOLD TR", "GOLD SHS")
    assert (gold.value, gold.shares_or_principal, gold.voting_none) == (12592259, 52006, 52006)


def test_metlife_cover(d13f: Path) -> None:
    c = parse_cover((d13f / "metlife-13f-hr-primary_doc.xml").read_bytes(), "metlife")
    assert (c.filer_cik, c.filer_name) == (1099219, "METLIFE INC")
    assert c.period_of_report == c.report_calendar_or_quarter == date(2021, 12, 31)
    assert (c.submission_type, c.is_amendment, c.amendment_type) == ("13F-HR", False, None)
    assert c.report_type == "13F COMBINATION REPORT"
    assert c.form13f_file_number == "028-18621"
    assert (c.table_entry_total, c.table_value_total, c.other_included_managers_count) == (6, 11019796, 0)
    assert c.is_confidential_omitted is None  # not in this file
    assert c.signature_date == date(2023, 3, 22)
    assert c.other_managers == ()
    assert c.other_managers_reporting[0] == OtherManager(
        sequence=None, cik=931588, file_number="028-16107", name="PROVIDA PENSION FUND ADMINISTRATOR"
    )
    assert c.other_managers_reporting[2].crd_number == "000142463"
    assert len(c.other_managers_reporting) == 3
    assert c.warnings == ()


def test_abacus_cover_and_primary_doc_alone(d13f: Path) -> None:
    data = (d13f / "abacus-13f-hr-primary_doc.xml").read_bytes()
    c = parse_cover(data, "abacus")
    assert (c.filer_cik, c.filer_name) == (1978011, "Abacus Wealth Partners, LLC")
    assert c.period_of_report == date(2020, 12, 31)
    assert (c.table_entry_total, c.table_value_total) == (92, 114663960)
    assert c.is_confidential_omitted is False
    assert c.signature_date == date(2023, 5, 31)
    f = parse_13f("abacus", data)
    assert f.cover == c
    assert f.holdings == ()
    assert f.has_information_table is False
    assert (f.validation.rows_match, f.validation.value_match, f.validation.mismatches) == (None, None, ())


def test_summary_page_other_managers_with_sequence(d13f: Path) -> None:
    # the real MetLife cover with an otherManagers2Info block (schema X0202) spliced into its summary page
    data = (d13f / "metlife-13f-hr-primary_doc.xml").read_bytes()
    block = (
        b"<otherManagers2Info><otherManager2><sequenceNumber>2</sequenceNumber><otherManager>"
        b"<cik>0000728618</cik><form13FFileNumber>028-00491</form13FFileNumber>"
        b"<name>METROPOLITAN LIFE INSURANCE CO/NY</name></otherManager></otherManager2></otherManagers2Info>"
    )
    c = parse_cover(data.replace(b"</summaryPage>", block + b"</summaryPage>"), "metlife+")
    assert c.other_managers == (
        OtherManager(
            sequence=2, cik=728618, file_number="028-00491", name="METROPOLITAN LIFE INSURANCE CO/NY"
        ),
    )
    assert len(c.other_managers_reporting) == 3


def test_xml_information_table_and_its_html_rendering(d13f: Path) -> None:
    xml = parse_information_table((d13f / "13f-hr-infotable.xml").read_bytes(), "13f-hr-infotable.xml")
    html = parse_information_table_html(
        (d13f / "privateportfolio-infotable.html").read_bytes(), "privateportfolio-infotable.html"
    )
    assert len(xml) == len(html) == 255
    assert sum(h.value or 0 for h in xml) == sum(h.value or 0 for h in html) == 350153407
    assert xml == html  # the HTML page is the SEC's rendering of the same table
    mmm = html[0]
    assert (mmm.issuer_name, mmm.title_of_class, mmm.cusip) == ("3M CO", "COM", "88579Y101")
    assert (mmm.value, mmm.shares_or_principal, mmm.sh_prn, mmm.put_call) == (409469, 2334, "SH", None)
    assert (mmm.voting_sole, mmm.voting_shared, mmm.voting_none, mmm.other_managers) == (0, 0, 2334, ())
    assert html[-1].issuer_name == "ZOOM VIDEO COMMUNICATIONS IN"
    assert html[-1].row == 255


def test_form_13fhr_xml_is_an_html_rendering(d13f: Path) -> None:
    data = (d13f / "form-13fhr.xml").read_bytes()
    assert data.startswith(b"<!DOCTYPE html")
    rows = parse_information_table_html(data, "form-13fhr.xml")
    assert len(rows) == 375
    assert rows[0].issuer_name == "AFLAC INC COM USD0.10"
    assert (rows[0].cusip, rows[0].value, rows[0].shares_or_principal) == ("001055102", 6248, 81)
    assert rows[1].issuer_name == "AT&T INC COM USD1"  # &amp; decoded
    assert (rows[-1].cusip, rows[-1].value) == ("N6596X109", 18721)
    assert sum(h.value or 0 for h in rows) == 141011326
    f = parse_13f("form-13fhr.xml", data)  # sniffed as HTML by parse_13f too
    assert len(f.holdings) == 375
    assert f.cover is None


def test_sec_sample_figi_and_embedded_table(d13f: Path) -> None:
    rows = parse_information_table((d13f / "sec-samples/information_table.xml").read_bytes(), "it")
    assert len(rows) == 169
    assert (rows[0].issuer_name, rows[0].cusip, rows[0].figi) == ("AT&T INC", "02079K107", "02079K107743")
    assert rows[2].figi is None
    f = parse_13f("Sample_13F-HR.xml", (d13f / "sec-samples/Sample_13F-HR.xml").read_bytes())
    assert len(f.holdings) == 169  # read from the base64 attachment in documents/document/contents
    assert f.validation.value_sum == 7454702899
    assert f.validation.mismatches == (
        "information table has 169 rows, tableEntryTotal says 111",
        "information table values sum to 7454702899, tableValueTotal says 111",
    )


def test_value_unit() -> None:
    # LTS One, filed 2023-11-14: AMAZON 137,500 shares reported as 17,479,000 = dollars (~$127/share)
    assert value_usd(17479000, filing_date=date(2023, 11, 14)) == 17479000
    # Abacus: a Q4 2020 report signed 2023-05-31 is filed after 2023-01-03, so its total is in dollars
    assert value_usd(114663960, filing_date=date(2023, 5, 31)) == 114663960
    # ... while the period-only guess would read it as thousands (documented limitation)
    assert value_usd(114663960, period=date(2020, 12, 31)) == 114663960000
    # the SEC sample (period 2021-12-31, signed 2021-11-02): older filings report thousands
    assert value_usd(7423, filing_date=date(2021, 11, 2)) == 7423000
    assert value_usd(7423, filing_date=date(2023, 1, 2)) == 7423000
    assert value_usd(7423, filing_date=date(2023, 1, 3)) == 7423
    assert value_usd(7423, period=date(2022, 12, 31)) == 7423
    assert value_usd(7423, period=date(2022, 9, 30)) == 7423000
    with pytest.raises(ValueError, match="filing_date or a period"):
        value_usd(1)


def test_truncated_information_table_names_the_file(d13f: Path) -> None:
    data = (d13f / "13f-hr-infotable.xml").read_bytes()
    with pytest.raises(ParseError, match=r"13f-hr-infotable\.xml.*truncated") as exc:
        parse_information_table(data[: len(data) // 2], "13f-hr-infotable.xml")
    assert exc.value.source == "13f-hr-infotable.xml"
    assert exc.value.line is not None
    with pytest.raises(ParseError, match=r"13f-hr-infotable\.xml"):
        parse_13f("13f-hr-infotable.xml", data[: len(data) // 2])
    html = (d13f / "privateportfolio-infotable.html").read_bytes()
    with pytest.raises(ParseError, match=r"privateportfolio.*truncated"):
        parse_information_table_html(html[: len(html) // 2], "privateportfolio-infotable.html")


def test_truncated_submission_names_the_file(d13f: Path) -> None:
    data = (d13f / "0001894188-23-000007.txt").read_bytes()
    with pytest.raises(ParseError, match=r"0001894188-23-000007\.txt"):
        parse_13f("0001894188-23-000007.txt", data[: len(data) // 2])


def test_unknown_namespace_still_parses(d13f: Path) -> None:
    table = (d13f / "13f-hr-infotable.xml").read_bytes()
    other = table.replace(
        b"http://www.sec.gov/edgar/document/thirteenf/informationtable", b"urn:example:other"
    )
    assert b"thirteenf" not in other
    assert parse_information_table(other, "other-ns") == parse_information_table(table, "sec-ns")
    cover = (d13f / "abacus-13f-hr-primary_doc.xml").read_bytes()
    other_cover = cover.replace(b"http://www.sec.gov/edgar/thirteenffiler", b"urn:example:filer").replace(
        b"http://www.sec.gov/edgar/common", b"urn:example:common"
    )
    assert b"sec.gov" not in other_cover
    c = parse_cover(other_cover, "abacus-other-ns")
    assert (c.filer_cik, c.table_entry_total, c.table_value_total) == (1978011, 92, 114663960)
    # no namespace at all
    plain = table.replace(b' xmlns="http://www.sec.gov/edgar/document/thirteenf/informationtable"', b"")
    assert len(parse_information_table(plain, "no-ns")) == 255


def test_unreadable_values_become_none_with_warnings(d13f: Path) -> None:
    data = (d13f / "13f-hr-infotable.xml").read_bytes()
    bad = data.replace(b"<value>409469</value>", b"<value>n/a</value>", 1).replace(
        b"<cusip>002824100</cusip>", b"<cusip>2824100</cusip>", 1
    )
    rows = parse_information_table(bad, "bad")
    assert rows[0].value is None
    assert rows[0].warnings == ("row 1: VALUE 'n/a' is not a number",)
    assert rows[1].cusip == "002824100"
    assert rows[1].warnings == ("row 2: CUSIP '2824100' has 7 characters; padded with leading zeros",)
    f = parse_13f("bad", bad)
    assert f.validation.value_sum is None


def test_parse_rate(d13f: Path) -> None:
    files = {
        "13f-hr-infotable.xml": parse_information_table,
        "sec-samples/information_table.xml": parse_information_table,
        "privateportfolio-infotable.html": parse_information_table_html,
        "form-13fhr.xml": parse_information_table_html,
    }
    blobs = {name: (d13f / name).read_bytes() for name in files}
    rows = 0
    started = time.perf_counter()
    for _ in range(5):
        for name, parse in files.items():
            rows += len(parse(blobs[name], name))
    elapsed = time.perf_counter() - started
    print(f"13F information tables: {rows} rows in {elapsed:.3f} s = {rows / elapsed:,.0f} rows/s")
    assert rows == 5 * (255 + 169 + 255 + 375)
