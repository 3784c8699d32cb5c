"""extract_cover on the real EDGAR files of the offline mirror (values checked by reading the files)."""

from __future__ import annotations

import time
from datetime import date
from pathlib import Path

import msgspec
import pytest

from edgar.errors import EdgarError, ParseError
from edgar.parse.cover import Cover, ShareCount, extract_cover
from edgar.parse.ixt import parse_bool, parse_date, parse_month_day, parse_number
from lake.settings import Settings

MIRROR: Path = Settings.from_env().edgar_mirror


def cover(rel: str) -> Cover:
    path = MIRROR / rel
    return extract_cover(path.name, path.read_bytes())


# file -> (cik, form, period of report, fiscal year, fiscal period, fiscal year end)
XBRL: dict[str, tuple[int, str, date, int | None, str | None, str | None]] = {
    # XBRL instances
    "xbrl/aapl-10k-2022-09-24/aapl-20220924_htm.xml": (
        320193,
        "10-K",
        date(2022, 9, 24),
        2022,
        "FY",
        "--09-24",
    ),
    "xbrl/aapl-10k-2023-09-30/aapl-20230930_htm.xml": (
        320193,
        "10-K",
        date(2023, 9, 30),
        2023,
        "FY",
        "--09-30",
    ),
    "xbrl/aapl-10q-2023-07-01/aapl-20230701_htm.xml": (
        320193,
        "10-Q",
        date(2023, 7, 1),
        2023,
        "Q3",
        "--09-30",
    ),
    "xbrl/aapl-10q-2025-03-29/aapl-20250329_htm.xml": (
        320193,
        "10-Q",
        date(2025, 3, 29),
        2025,
        "Q2",
        "--09-27",
    ),
    "xbrl/aeon-10q-2023-09-30/aeon-20230930x10q_htm.xml": (
        1837607,
        "10-Q",
        date(2023, 9, 30),
        2023,
        "Q3",
        "--12-31",
    ),
    "xbrl/gahc-10q-2024-09-30/Form10q_htm.xml": (1138724, "10-Q", date(2024, 9, 30), 2024, "Q3", "--12-31"),
    "xbrl/nflx-10k-2023-12-31/nflx-20231231_htm.xml": (
        1065280,
        "10-K",
        date(2023, 12, 31),
        2023,
        "FY",
        "--12-31",
    ),
    "xbrl/nflx-10q-2010-09-30/nflx-20100930.xml": (1065280, "10-Q", date(2010, 9, 30), 2010, "Q3", "--12-31"),
    "xbrl/nflx-10q-2024-03-31/nflx-20240331_htm.xml": (
        1065280,
        "10-Q",
        date(2024, 3, 31),
        2024,
        "Q1",
        "--12-31",
    ),
    "xbrl/nflx-10q-2024-09-30/nflx-20240930_htm.xml": (
        1065280,
        "10-Q",
        date(2024, 9, 30),
        2024,
        "Q3",
        "--12-31",
    ),
    "xbrl/tsla-10q-2024-06-30/tsla-20240630_htm.xml": (
        1318605,
        "10-Q",
        date(2024, 6, 30),
        2024,
        "Q2",
        "--12-31",
    ),
    "xbrl/unp-10k-2012-12-31/unp-20121231.xml": (100885, "10-K", date(2012, 12, 31), 2012, "FY", "--12-31"),
    "xbrl/single/aapl-10q-2013-06-29-instance.xml": (
        320193,
        "10-Q",
        date(2013, 6, 29),
        2013,
        "Q3",
        "--09-28",
    ),
    "xbrl/single/apple-10k-instance.xml": (320193, "10-K", date(2022, 9, 24), 2022, "FY", "--09-24"),
    "xbrl/single/carbo-ceramics-10k-2017-12-31-instance.xml": (
        1009672,
        "10-K",
        date(2017, 12, 31),
        2017,
        "FY",
        "--12-31",
    ),
    "xbrl/single/netflix-10k-instance.xml": (1065280, "10-K", date(2022, 12, 31), 2022, "FY", "--12-31"),
    "xbrl/single/waters-8k-instance.xml": (1000697, "8-K", date(2024, 1, 8), None, None, None),
    # inline XBRL
    "xbrl/aapl-10q-2025-03-29/aapl-20250329.htm": (320193, "10-Q", date(2025, 3, 29), 2025, "Q2", "--09-27"),
    "xbrl/aeon-10q-2023-09-30/aeon-20230930x10q.htm": (
        1837607,
        "10-Q",
        date(2023, 9, 30),
        2023,
        "Q3",
        "--12-31",
    ),
    "ixbrl/apple-10k-2024-09-28.htm": (320193, "10-K", date(2024, 9, 28), 2024, "FY", "--09-28"),
    "ixbrl/apple-10q-2024-06-29.htm": (320193, "10-Q", date(2024, 6, 29), 2024, "Q3", "--09-28"),
    "ixbrl/apple-10q-2025-06-28.htm": (320193, "10-Q", date(2025, 6, 28), 2025, "Q3", "--09-27"),
    "ixbrl/netflix-10k-2024-12-31.htm": (1065280, "10-K", date(2024, 12, 31), 2024, "FY", "--12-31"),
    "ixbrl/netflix-10q-2025-06-30.htm": (1065280, "10-Q", date(2025, 6, 30), 2025, "Q2", "--12-31"),
    "ixbrl/nvidia-10k.htm": (1045810, "10-K", date(2023, 1, 29), 2023, "FY", "--01-29"),
    "ixbrl/nvidia-10k-2025-01-26.htm": (1045810, "10-K", date(2025, 1, 26), 2025, "FY", "--01-26"),
    "ixbrl/nvidia-10q-2025-07-27.htm": (1045810, "10-Q", date(2025, 7, 27), 2026, "Q2", "--01-25"),
    "ixbrl/oracle-10q.htm": (1341439, "10-Q", date(2024, 8, 31), 2025, "Q1", "--05-31"),
    "ixbrl/tesla-10k-2024-12-31.htm": (1318605, "10-K", date(2024, 12, 31), 2024, "FY", "--12-31"),
    "ixbrl/tesla-10q-2025-06-30.htm": (1318605, "10-Q", date(2025, 6, 30), 2025, "Q2", "--12-31"),
    "ixbrl/unp-10k-2024-12-31.htm": (100885, "10-K", date(2024, 12, 31), 2024, "FY", "--12-31"),
    "ixbrl/unp-10q-2025-06-30.htm": (100885, "10-Q", date(2025, 6, 30), 2025, "Q2", "--12-31"),
}

# file -> (entity name, tickers, shares outstanding (value, as of), filer category)
DETAILS: dict[str, tuple[str, tuple[str, ...], tuple[int, date] | None, str | None]] = {
    "xbrl/aapl-10k-2023-09-30/aapl-20230930_htm.xml": (
        "Apple Inc.",
        ("AAPL",),
        (15552752000, date(2023, 10, 20)),
        "Large Accelerated Filer",
    ),
    "xbrl/nflx-10q-2010-09-30/nflx-20100930.xml": (
        "NETFLIX INC",
        ("NFLX",),
        (52257495, date(2010, 9, 30)),
        "Large Accelerated Filer",
    ),
    "xbrl/unp-10k-2012-12-31/unp-20121231.xml": (
        "UNION PACIFIC CORPORATION",
        (),
        (469298732, date(2013, 2, 1)),
        "Large Accelerated Filer",
    ),
    "xbrl/single/carbo-ceramics-10k-2017-12-31-instance.xml": (
        "CARBO CERAMICS INC",
        ("CRR",),
        (27414445, date(2018, 2, 28)),
        "Accelerated Filer",
    ),
    "xbrl/single/waters-8k-instance.xml": ("WATERS CORP /DE/", ("WAT",), None, None),
    # the GAHC 10-Q for 2024-09-30 states its shares as of 2025-03-31 (filed late)
    "xbrl/gahc-10q-2024-09-30/Form10q_htm.xml": (
        "GLOBAL ARENA HOLDING, INC.",
        (),
        (1695351226, date(2025, 3, 31)),
        "Non-accelerated Filer",
    ),
    # displayed "Large accelerated filer" (ixt-sec:entityfilercategoryen) -> canonical spelling
    "ixbrl/apple-10k-2024-09-28.htm": (
        "Apple Inc.",
        ("AAPL",),
        (15115823000, date(2024, 10, 18)),
        "Large Accelerated Filer",
    ),
    # "24.4" with scale 9
    "ixbrl/nvidia-10k-2025-01-26.htm": (
        "NVIDIA CORP",
        ("NVDA",),
        (24400000000, date(2025, 2, 21)),
        "Large Accelerated Filer",
    ),
    "ixbrl/nvidia-10k.htm": (
        "NVIDIA CORP",
        ("NVDA",),
        (2470000000, date(2023, 2, 17)),
        "Large Accelerated Filer",
    ),
    "ixbrl/oracle-10q.htm": (
        "Oracle Corporation",
        ("ORCL",),
        (2770968000, date(2024, 9, 6)),
        "Large Accelerated Filer",
    ),
    "ixbrl/tesla-10k-2024-12-31.htm": (
        "Tesla, Inc.",
        ("TSLA",),
        (3216517037, date(2025, 1, 22)),
        "Large Accelerated Filer",
    ),
    "xbrl/aeon-10q-2023-09-30/aeon-20230930x10q.htm": (
        "AEON Biopharma, Inc.",
        ("AEON", "AEON WS"),
        (37159600, date(2023, 11, 8)),
        "Non-accelerated Filer",
    ),
}


@pytest.mark.parametrize("rel", sorted(XBRL))
def test_xbrl_identity(rel: str) -> None:
    c = cover(rel)
    cik, form, period, fy, fp, fye = XBRL[rel]
    assert (c.cik, c.form, c.period_of_report, c.fiscal_year, c.fiscal_period, c.fiscal_year_end) == (
        cik,
        form,
        period,
        fy,
        fp,
        fye,
    )
    assert c.kind == ("xbrl-instance" if rel.endswith(".xml") else "inline-xbrl")
    assert c.amendment is False
    assert c.accession is None  # an XBRL document never states its accession
    assert c.n_facts is not None
    assert c.n_facts > 0
    if c.kind == "inline-xbrl":
        assert c.n_ix_nonfraction is not None
        assert c.n_ix_nonfraction > 400
    else:
        assert c.n_ix_nonfraction is None
    assert "no dei facts found" not in c.warnings


def test_every_instance_and_inline_document_is_in_the_table() -> None:
    docs = {str(p.relative_to(MIRROR)) for p in (MIRROR / "ixbrl").glob("*.htm")}
    docs |= {str(p.relative_to(MIRROR)) for p in (MIRROR / "xbrl").rglob("*.htm")}
    docs |= {str(p.relative_to(MIRROR)) for p in (MIRROR / "xbrl").rglob("*_htm.xml")}
    docs |= {str(p.relative_to(MIRROR)) for p in (MIRROR / "xbrl/single").glob("*.xml")}
    docs |= {"xbrl/nflx-10q-2010-09-30/nflx-20100930.xml", "xbrl/unp-10k-2012-12-31/unp-20121231.xml"}
    assert docs - set(XBRL) == {"ixbrl/simple.htm"}  # a DEF 14A, tested on its own


@pytest.mark.parametrize("rel", sorted(DETAILS))
def test_details(rel: str) -> None:
    c = cover(rel)
    name, tickers, shares, category = DETAILS[rel]
    assert c.entity_name == name
    assert c.tickers == tickers
    if shares is None:
        assert c.shares_outstanding == ()
    else:
        assert c.shares_outstanding == (ShareCount(value=shares[0], member=None, as_of=shares[1]),)
    assert c.filer_category == category


def test_aeon_instance_and_inline_agree() -> None:
    instance = cover("xbrl/aeon-10q-2023-09-30/aeon-20230930x10q_htm.xml")
    inline = cover("xbrl/aeon-10q-2023-09-30/aeon-20230930x10q.htm")
    identity = (
        "cik", "entity_name", "form", "period_of_report", "fiscal_year", "fiscal_period", "fiscal_year_end",
        "tickers", "amendment", "shares_outstanding", "filer_category", "accession", "n_facts",
    )  # fmt: skip
    assert {f: getattr(instance, f) for f in identity} == {f: getattr(inline, f) for f in identity}
    assert instance.n_facts == 1132


def test_apple_q2_2025_instance_and_inline_agree() -> None:
    instance = cover("xbrl/aapl-10q-2025-03-29/aapl-20250329_htm.xml")
    inline = cover("xbrl/aapl-10q-2025-03-29/aapl-20250329.htm")
    drop = {"kind", "warnings", "n_ix_nonfraction"}
    assert {k: v for k, v in msgspec.structs.asdict(instance).items() if k not in drop} == {
        k: v for k, v in msgspec.structs.asdict(inline).items() if k not in drop
    }


def test_nvidia_fy2023_is_not_wellformed_but_fully_read() -> None:
    c = cover("ixbrl/nvidia-10k.htm")
    # mismatched tags at line 5 (an ix:nonNumeric closes a div): the HTML parser takes over
    assert any("not well-formed XHTML" in w and "line 5" in w for w in c.warnings)
    assert c.n_ix_nonfraction == 1235
    assert c.n_facts == 1396
    assert not any("almost no inline XBRL" in w for w in c.warnings)


def test_apple_2024_inline_without_dei_namespace_declaration() -> None:
    c = cover("ixbrl/apple-10q-2024-06-29.htm")
    assert "prefix dei: is not declared; read as the dei namespace by convention" in c.warnings
    assert c.shares_outstanding == (ShareCount(value=15204137000, as_of=date(2024, 7, 19)),)


def test_simple_def14a_without_ix_namespace() -> None:
    c = cover("ixbrl/simple.htm")
    assert (c.kind, c.cik, c.form, c.amendment, c.period_of_report) == (
        "inline-xbrl",
        16040,
        "DEF 14A",
        False,
        None,
    )
    assert c.n_ix_nonfraction == 0
    assert "missing dei:DocumentPeriodEndDate" in c.warnings


def test_instance_cik_from_context_when_dei_cik_is_absent() -> None:
    data = (MIRROR / "xbrl/single/waters-8k-instance.xml").read_bytes()
    start = data.index(b"<dei:EntityCentralIndexKey")
    end = data.index(b"</dei:EntityCentralIndexKey>") + len(b"</dei:EntityCentralIndexKey>")
    c = extract_cover("waters.xml", data[:start] + data[end:])
    assert c.cik == 1000697
    assert "no dei:EntityCentralIndexKey; CIK taken from the context identifier" in c.warnings


# 8-K primary documents: (cik, form, period, tickers, name)
EIGHT_K: dict[str, tuple[int, str, date, tuple[str, ...], str]] = {
    "8k/1800flowers-8k.htm": (1084869, "8-K", date(2023, 12, 14), ("FLWS",), "1 800 FLOWERS COM INC"),
    "8k/buckle-8k.htm": (885245, "8-K", date(2024, 11, 22), ("BKE",), "BUCKLE, INC"),
    "8k/nordstrom-8k.htm": (72333, "8-K", date(2023, 3, 1), ("JWN",), "Nordstrom, Inc."),
    "8k/oracle-8k.htm": (1341439, "8-K", date(2024, 11, 14), ("ORCL",), "ORACLE CORP"),
}


@pytest.mark.parametrize("rel", sorted(EIGHT_K))
def test_8k_inline_cover_pages(rel: str) -> None:
    c = cover(rel)
    assert (c.cik, c.form, c.period_of_report, c.tickers, c.entity_name) == EIGHT_K[rel]
    assert c.kind == "inline-xbrl"
    assert c.n_ix_nonfraction == 0  # a cover page only: no numbers, and no warning for an 8-K
    assert (c.fiscal_year, c.fiscal_period) == (None, None)
    assert c.warnings == ()


def test_8k_exhibit_without_xbrl() -> None:
    c = cover("8k/buckle-8k-ex99-1.htm")
    assert c.kind == "html"
    assert c.cik is None
    assert c.form is None
    assert c.warnings == ("HTML without inline XBRL: no dei facts found",)


# ownership XML: (issuer cik, form, period, ticker, reporting owners)
OWNERSHIP: dict[str, tuple[int, str, date, tuple[str, ...], tuple[int, ...]]] = {
    "ownership/form3-nosecurities.xml": (867773, "3", date(2021, 12, 31), ("SPWR",), (1698764,)),
    "ownership/form3-snowflake-nonderiv.xml": (1640147, "3", date(2020, 9, 18), ("SNOW",), (1067983, 315090)),
    "ownership/form3-snowflake.xml": (1640147, "3", date(2020, 9, 15), ("SNOW",), (1246215,)),
    "ownership/form4-374water.xml": (933972, "4", date(2025, 4, 30), ("SCWO",), (2064133,)),
    "ownership/form4-snowflake.xml": (1640147, "4", date(2022, 12, 13), ("SNOW",), (1402349,)),
    "ownership/form5-snowflake.xml": (1640147, "5", date(2022, 1, 31), ("SNOW",), (1397798,)),
}


@pytest.mark.parametrize("rel", sorted(OWNERSHIP))
def test_ownership(rel: str) -> None:
    c = cover(rel)
    assert c.kind == "ownership-xml"
    assert (c.cik, c.form, c.period_of_report, c.tickers, c.reporting_owner_ciks) == OWNERSHIP[rel]
    assert c.amendment is False
    assert c.warnings == ()


# 13F cover pages: (filer cik, form, period (written MM-DD-YYYY), amendment, manager)
THIRTEEN_F: dict[str, tuple[int, str, date, bool, str]] = {
    "13f/abacus-13f-hr-primary_doc.xml": (
        1978011,
        "13F-HR",
        date(2020, 12, 31),
        False,
        "Abacus Wealth Partners, LLC",
    ),
    "13f/metlife-13f-hr-primary_doc.xml": (1099219, "13F-HR", date(2021, 12, 31), False, "METLIFE INC"),
    "13f/sec-samples/Sample_13F-HR.xml": (
        123456789,
        "13F-HR",
        date(2021, 12, 31),
        False,
        "BIG FUND TRUST inc",
    ),
    "13f/sec-samples/Sample_13F-HRA.xml": (
        123456789,
        "13F-HR/A",
        date(2021, 12, 31),
        True,
        "BIG FUND TRUST inc",
    ),
    "13f/sec-samples/Sample_13F-NT.xml": (
        123456789,
        "13F-NT",
        date(2021, 12, 31),
        False,
        "BIG FUND TRUST inc",
    ),
}


@pytest.mark.parametrize("rel", sorted(THIRTEEN_F))
def test_13f_cover_pages(rel: str) -> None:
    c = cover(rel)
    assert c.kind == "13f-primary"
    assert (c.cik, c.form, c.period_of_report, c.amendment, c.entity_name) == THIRTEEN_F[rel]
    assert c.warnings == ()


@pytest.mark.parametrize(
    "rel",
    [
        "13f/13f-hr-infotable.xml",
        "13f/form-13fhr.xml",
        "13f/privateportfolio-infotable.html",
        "13f/sec-samples/information_table.xml",
    ],
)
def test_13f_information_tables_carry_no_identity(rel: str) -> None:
    c = cover(rel)
    assert (c.kind, c.cik, c.form, c.period_of_report) == ("13f-infotable", None, None, None)
    assert c.warnings


# full SGML submissions: the only documents here that state their accession
SGML: dict[str, tuple[str, int, str, date, str]] = {
    "13f/0001894188-23-000007.txt": (
        "0001894188-23-000007",
        1894188,
        "13F-HR",
        date(2023, 9, 30),
        "LTS One Management LP",
    ),
    "13f/0001951757-25-000093.nc": (
        "0001951757-25-000093",
        1994827,
        "13F-HR",
        date(2024, 12, 31),
        "ACORN CREEK CAPITAL LLC",
    ),
    "8k/0001213900-25-032135.txt": (
        "0001213900-25-032135",
        1173313,
        "8-K",
        date(2025, 4, 15),
        "ABVC BIOPHARMA, INC.",
    ),
    "8k/0001493152-25-001317.nc": (
        "0001493152-25-001317",
        880984,
        "8-K",
        date(2025, 1, 6),
        "ACORN ENERGY, INC.",
    ),
    # Form 4 submissions: the CIK is the issuer's, the owner is listed apart
    "ownership/0001127602-25-001055.txt": ("0001127602-25-001055", 1750, "4", date(2025, 1, 10), "AAR CORP"),
    "ownership/0001127602-25-004598.nc": (
        "0001127602-25-004598",
        7536,
        "4",
        date(2025, 2, 12),
        "ARROW ELECTRONICS, INC.",
    ),
    "reference/tesla-10k-2019-header.txt": (
        "0001564590-20-004475",
        1318605,
        "10-K",
        date(2019, 12, 31),
        "Tesla, Inc.",
    ),
}


@pytest.mark.parametrize("rel", sorted(SGML))
def test_sgml_headers(rel: str) -> None:
    c = cover(rel)
    assert c.kind == "sgml-submission"
    assert (c.accession, c.cik, c.form, c.period_of_report, c.entity_name) == SGML[rel]
    assert c.warnings == ()


def test_sgml_reporting_owner() -> None:
    assert cover("ownership/0001127602-25-001055.txt").reporting_owner_ciks == (1806647,)
    assert cover("ownership/0001127602-25-004598.nc").reporting_owner_ciks == (1870985,)


def test_half_an_instance_raises_parse_error_naming_the_source() -> None:
    data = (MIRROR / "xbrl/aapl-10k-2023-09-30/aapl-20230930_htm.xml").read_bytes()
    with pytest.raises(ParseError) as info:
        extract_cover("aapl-20230930_htm.xml", data[: len(data) // 2])
    err = info.value
    assert isinstance(err, EdgarError)
    assert err.source == "aapl-20230930_htm.xml"
    assert err.line is not None
    assert err.line > 1
    assert str(err).startswith(f"aapl-20230930_htm.xml line {err.line}: ")
    assert "truncated" in str(err)


def test_malformed_xml_raises_parse_error_with_line() -> None:
    data = (
        (MIRROR / "ownership/form4-snowflake.xml").read_bytes().replace(b"</issuerName>", b"</issuerNam>", 1)
    )
    with pytest.raises(ParseError) as info:
        extract_cover("form4.xml", data)
    assert info.value.source == "form4.xml"
    assert info.value.line == 8  # <issuerName> is on line 8 of the file
    with pytest.raises(ParseError) as info:
        extract_cover("form4.xml", b"\n\n" + data)  # leading blank lines are skipped but still counted
    assert info.value.line == 10


def test_truncated_inline_document_raises() -> None:
    data = (MIRROR / "ixbrl/oracle-10q.htm").read_bytes()
    with pytest.raises(ParseError, match=r"^oracle-10q\.htm line \d+: truncated document"):
        extract_cover("oracle-10q.htm", data[: len(data) // 3])


def test_almost_no_tags_warning() -> None:
    data = b"""<?xml version="1.0"?>
<html xmlns="http://www.w3.org/1999/xhtml" xmlns:ix="http://www.xbrl.org/2013/inlineXBRL"
 xmlns:dei="http://xbrl.sec.gov/dei/2024" xmlns:xbrli="http://www.xbrl.org/2003/instance"><body>
<ix:header><ix:resources><xbrli:context id="c"><xbrli:entity>
<xbrli:identifier scheme="http://www.sec.gov/CIK">0000000042</xbrli:identifier></xbrli:entity>
<xbrli:period><xbrli:instant>2024-12-31</xbrli:instant></xbrli:period></xbrli:context></ix:resources></ix:header>
<p><ix:nonNumeric name="dei:DocumentType" contextRef="c">10-<b>K</b></ix:nonNumeric> for
<ix:nonNumeric name="dei:DocumentPeriodEndDate" contextRef="c" format="ixt:date-day-monthname-year-en">31st
 December 2024</ix:nonNumeric></p></body></html>"""
    c = extract_cover("tiny.htm", data)
    assert (c.cik, c.form, c.period_of_report) == (42, "10-K", date(2024, 12, 31))
    assert "document has almost no inline XBRL tags: 0 ix:nonFraction" in c.warnings


def test_cover_is_frozen_and_serialisable() -> None:
    c = cover("xbrl/single/waters-8k-instance.xml")
    with pytest.raises(AttributeError):
        c.cik = 1  # type: ignore[misc]
    assert msgspec.json.decode(msgspec.json.encode(c), type=Cover) == c


@pytest.mark.parametrize(
    ("text", "fmt", "expected"),
    [
        ("September\xa028, 2024", "ixt:date-monthname-day-year-en", date(2024, 9, 28)),
        ("December 14, 2023", "ixt:datemonthdayyearen", date(2023, 12, 14)),
        ("14 Dec. 2023", "ixt:date-day-monthname-year-en", date(2023, 12, 14)),
        ("12/14/2023", "ixt:date-month-day-year", date(2023, 12, 14)),
        ("14.12.23", "ixt:datedoteu", date(2023, 12, 14)),
        ("2023-12-14", None, date(2023, 12, 14)),
        ("2023-02-30", None, None),
        ("December 2023", "ixt:date-monthname-year-en", None),
        ("soon", "ixt:date-monthname-day-year-en", None),
    ],
)
def test_parse_date(text: str, fmt: str | None, expected: date | None) -> None:
    assert parse_date(text, fmt) == expected


def test_other_transformations() -> None:
    assert parse_month_day("September\xa028", "ixt:date-monthname-day-en") == "--09-28"
    assert parse_month_day("1/25", "ixt:date-month-day") == "--01-25"
    assert parse_month_day("--12-31") == "--12-31"
    assert parse_month_day("13-45", "ixt:date-month-day") is None
    assert parse_number("15,115,823,000", "ixt:num-dot-decimal", "0") == 15115823000
    assert parse_number("24.4", None, "9") == 24400000000
    assert parse_number("1.234,5", "ixt:num-comma-decimal", "3", "-") == -1234500
    assert parse_number("—", "ixt:fixed-zero") == 0
    assert parse_number("n/a", "ixt:num-dot-decimal") is None
    assert parse_bool("FALSE", "ixt:fixed-false") is False
    assert parse_bool("True") is True
    assert parse_bool("\u2612", "ixt-sec:boolballotbox") is True
    assert parse_bool("maybe") is None


def test_timing_of_largest_inline_document() -> None:
    largest = max((MIRROR / "ixbrl").glob("*.htm"), key=lambda p: p.stat().st_size)
    data = largest.read_bytes()
    start = time.perf_counter()
    c = extract_cover(largest.name, data)
    elapsed = time.perf_counter() - start
    print(f"\nextract_cover({largest.name}, {len(data):,} bytes): {elapsed * 1000:.1f} ms, {c.n_facts} facts")
    assert c.cik is not None
