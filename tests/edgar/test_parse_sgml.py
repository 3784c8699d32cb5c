import hashlib
import io
import zipfile
from datetime import UTC, date, datetime
from pathlib import Path

import pytest
from lxml import etree

from edgar.parse import ParseError, SgmlSubmission, parse_sgml_submission


def _parse(mirror: Path, rel: str) -> SgmlSubmission:
    path = mirror / rel
    return parse_sgml_submission(path.read_bytes(), path.name)


def _roles(sub: SgmlSubmission) -> list[tuple[str, int]]:
    return [(p.role, p.cik) for p in sub.parties]


def _docs(sub: SgmlSubmission) -> list[tuple[str, int | None, str | None]]:
    return [(d.type, d.sequence, d.filename) for d in sub.documents]


def test_13f_txt(mirror: Path) -> None:
    sub = _parse(mirror, "13f/0001894188-23-000007.txt")
    assert sub.format == "sgml-txt"
    assert (sub.accession, sub.form, sub.public_document_count) == ("0001894188-23-000007", "13F-HR", 2)
    assert (sub.period_of_report, sub.filed_as_of, sub.date_of_change) == (
        date(2023, 9, 30),
        date(2023, 11, 14),
        date(2023, 11, 14),
    )
    assert sub.effectiveness_date == date(2023, 11, 14)
    assert sub.acceptance_utc == datetime(2023, 11, 14, 14, 38, 54, tzinfo=UTC)  # 09:38:54 EST
    assert _roles(sub) == [("filer", 1894188)]
    filer = sub.parties[0]
    assert (filer.name, filer.irs_number, filer.state_of_incorporation, filer.fiscal_year_end) == (
        "LTS One Management LP",
        "871396377",
        "DE",
        "1231",
    )
    assert (filer.form_type, filer.file_number, filer.film_number, filer.act) == (
        "13F-HR",
        "028-22111",
        "231402140",
        "1934 Act",
    )
    assert filer.business_address is not None
    assert filer.business_address.phone == "646-860-0181"
    assert _docs(sub) == [("13F-HR", 1, "primary_doc.xml"), ("INFORMATION TABLE", 2, "index.xml")]
    assert [d.wrapper for d in sub.documents] == ["XML", "XML"]
    primary = etree.fromstring(sub.documents[0].body)
    ns = {"n": "http://www.sec.gov/edgar/thirteenffiler"}
    assert primary.findtext(".//n:periodOfReport", namespaces=ns) == "09-30-2023"
    table = etree.fromstring(sub.documents[1].body)
    assert table.tag.endswith("informationTable")
    assert sub.warnings == []


def test_13f_nc(mirror: Path) -> None:
    sub = _parse(mirror, "13f/0001951757-25-000093.nc")
    assert sub.format == "nc"
    assert (sub.accession, sub.form, sub.public_document_count) == ("0001951757-25-000093", "13F-HR", 2)
    assert (sub.period_of_report, sub.filed_as_of, sub.effectiveness_date) == (
        date(2024, 12, 31),
        date(2025, 1, 22),
        date(2025, 1, 22),
    )
    assert sub.acceptance_utc is None  # .nc files carry no acceptance time
    assert _roles(sub) == [("filer", 1994827)]
    assert sub.parties[0].name == "ACORN CREEK CAPITAL LLC"
    assert sub.parties[0].act == "34"
    assert sub.parties[0].business_address is not None
    assert sub.parties[0].business_address.street2 == "10TH FLOOR, STE 1000"
    assert _docs(sub) == [
        ("13F-HR", 1, "primary_doc.xml"),
        ("INFORMATION TABLE", 2, "F_13F_AcornCreek_Q42024.xml"),
    ]
    table = etree.fromstring(sub.documents[1].body)
    infos = table.findall("{http://www.sec.gov/edgar/document/thirteenf/informationtable}infoTable")
    assert len(infos) == 77  # the cover page's tableEntryTotal
    assert sub.documents[0].body.startswith(b'<?xml version="1.0" encoding="UTF-8"?>\r<edgarSubmission')


def test_8k_txt(mirror: Path) -> None:
    sub = _parse(mirror, "8k/0001213900-25-032135.txt")
    assert (sub.accession, sub.form, sub.period_of_report, sub.filed_as_of) == (
        "0001213900-25-032135",
        "8-K",
        date(2025, 4, 15),
        date(2025, 4, 15),
    )
    assert sub.acceptance_utc == datetime(2025, 4, 15, 20, 30, 25, tzinfo=UTC)  # 16:30:25 EDT
    assert sub.items == [
        "Results of Operations and Financial Condition",
        "Non-Reliance on Previously Issued Financial Statements or a Related Audit Report or Completed Interim Review",
        "Regulation FD Disclosure",
        "Financial Statements and Exhibits",
    ]
    assert _roles(sub) == [("filer", 1173313)]
    filer = sub.parties[0]
    assert (filer.sic, filer.sic_description, filer.organization_name, filer.irs_number) == (
        "2834",
        "PHARMACEUTICAL PREPARATIONS",
        "03 Life Sciences",
        "260014658",
    )
    assert [f.name for f in filer.former_names] == [
        "American BriVision (Holding) Corp",
        "METU BRANDS, INC.",
        "ECOLOGY COATINGS, INC.",
    ]
    assert filer.former_names[0].changed == date(2016, 1, 11)
    # PUBLIC DOCUMENT COUNT says 15, the file embeds 14 (sequences 7, 12, 14 are absent)
    assert sub.public_document_count == 15
    assert [d.sequence for d in sub.documents] == [1, 2, 3, 4, 5, 6, 8, 9, 10, 11, 13, 15, 16, 17]
    assert _docs(sub)[:4] == [
        ("8-K", 1, "ea0238372-8k_abvcbio.htm"),
        ("EX-99.1", 2, "ea023837201ex99-1_abvcbio.htm"),
        ("GRAPHIC", 3, "ex99-1_001.jpg"),
        ("EX-101.SCH", 4, "abvc-20250415.xsd"),
    ]
    assert _docs(sub)[-1] == ("XML", 17, "ea0238372-8k_abvcbio_htm.xml")
    by_name = {d.filename: d for d in sub.documents}
    assert by_name["ea0238372-8k_abvcbio.htm"].wrapper == "XBRL"
    assert by_name["ea023837201ex99-1_abvcbio.htm"].description == "PRESS RELEASE"
    jpg = by_name["ex99-1_001.jpg"]
    assert jpg.uuencoded
    assert jpg.decoded is not None
    assert jpg.decoded.startswith(b"\xff\xd8\xff")  # JPEG magic
    assert len(jpg.decoded) == 2336
    archive = by_name["0001213900-25-032135-xbrl.zip"].decoded
    assert archive is not None
    with zipfile.ZipFile(io.BytesIO(archive)) as zf:
        assert "abvc-20250415.xsd" in zf.namelist()
        # the zip keeps the filer's CRLF; the SGML text has LF only
        assert (
            zf.read("abvc-20250415.xsd").replace(b"\r\n", b"\n").strip()
            == by_name["abvc-20250415.xsd"].body.strip()
        )
    instance = etree.fromstring(by_name["ea0238372-8k_abvcbio_htm.xml"].body)
    assert instance.findtext("{http://xbrl.sec.gov/dei/2024}EntityCentralIndexKey") == "0001173313"
    etree.fromstring(by_name["abvc-20250415.xsd"].body)


def test_8k_nc(mirror: Path) -> None:
    sub = _parse(mirror, "8k/0001493152-25-001317.nc")
    assert (sub.accession, sub.form, sub.period_of_report, sub.filed_as_of, sub.date_of_change) == (
        "0001493152-25-001317",
        "8-K",
        date(2025, 1, 6),
        date(2025, 1, 8),
        date(2025, 1, 8),
    )
    assert sub.items == ["5.02", "9.01"]  # .nc gives item numbers, .txt gives titles
    assert sub.acceptance_utc is None
    assert _roles(sub) == [("filer", 880984)]
    filer = sub.parties[0]
    assert (filer.name, filer.sic, filer.organization_name, filer.file_number) == (
        "ACORN ENERGY, INC.",
        "8711",
        "07 Trade & Services",
        "001-33886",
    )
    assert len(filer.former_names) == 3
    assert sub.public_document_count == 14
    assert len(sub.documents) == 13
    assert _docs(sub)[:2] == [("8-K", 1, "form8-k.htm"), ("EX-10.1", 2, "ex10-1.htm")]
    by_name = {d.filename: d for d in sub.documents}
    instance = etree.fromstring(by_name["form8-k_htm.xml"].body)
    assert instance.findtext("{http://xbrl.sec.gov/dei/2024}DocumentType") == "8-K"
    xlsx = by_name["Financial_Report.xlsx"].decoded
    assert xlsx is not None
    assert zipfile.is_zipfile(io.BytesIO(xlsx))


def test_form4_txt(mirror: Path) -> None:
    sub = _parse(mirror, "ownership/0001127602-25-001055.txt")
    assert (sub.accession, sub.form, sub.period_of_report, sub.filed_as_of) == (
        "0001127602-25-001055",
        "4",
        date(2025, 1, 10),
        date(2025, 1, 10),
    )
    assert sub.acceptance_utc == datetime(2025, 1, 10, 21, 7, 30, tzinfo=UTC)
    assert _roles(sub) == [("reporting-owner", 1806647), ("issuer", 1750)]
    assert sub.parties[0].name == "Garascia Jessica A."
    assert sub.parties[0].file_number == "001-06263"
    assert sub.parties[1].name == "AAR CORP"
    assert sub.parties[1].fiscal_year_end == "0531"
    assert _docs(sub) == [("4", 1, "form4.xml"), ("EX-24", 2, "doc1.htm")]
    doc = etree.fromstring(sub.documents[0].body)
    assert doc.findtext("issuer/issuerCik") == "0000001750"
    assert doc.findtext("reportingOwner/reportingOwnerId/rptOwnerCik") == "0001806647"


def test_form4_nc(mirror: Path) -> None:
    sub = _parse(mirror, "ownership/0001127602-25-004598.nc")
    assert (sub.accession, sub.form, sub.period_of_report, sub.filed_as_of) == (
        "0001127602-25-004598",
        "4",
        date(2025, 2, 12),
        date(2025, 2, 13),
    )
    assert _roles(sub) == [("reporting-owner", 1870985), ("issuer", 7536)]
    assert sub.parties[1].name == "ARROW ELECTRONICS, INC."
    assert [f.changed for f in sub.parties[1].former_names] == [date(2022, 11, 17), date(1992, 7, 3)]
    assert _docs(sub) == [("4", 1, "form4.xml")]
    assert sub.documents[0].description == "PRIMARY DOCUMENT"
    doc = etree.fromstring(sub.documents[0].body)
    assert doc.findtext("issuer/issuerTradingSymbol") == "ARW"


def test_tesla_header_file(mirror: Path) -> None:
    sub = _parse(mirror, "reference/tesla-10k-2019-header.txt")
    assert (sub.accession, sub.form, sub.public_document_count) == ("0001564590-20-004475", "10-K", 160)
    assert (sub.period_of_report, sub.filed_as_of) == (date(2019, 12, 31), date(2020, 2, 13))
    assert sub.acceptance_utc == datetime(2020, 2, 13, 12, 12, 18, tzinfo=UTC)
    assert _roles(sub) == [("filer", 1318605)]
    assert (sub.parties[0].sic, sub.parties[0].file_number) == ("3711", "001-34756")
    # despite its name the file embeds two shortened documents; the first never closes its <XBRL>
    assert _docs(sub) == [("10-K", 1, "tsla-10k_20191231.htm"), ("EX-21.1", 2, "tsla-ex211_20191231.htm")]
    assert sub.documents[0].note == "<XBRL> wrapper is not closed"


def test_header_only() -> None:
    data = b"<SEC-HEADER>0000000001-20-000001.hdr.sgml : 20200102\n<ACCEPTANCE-DATETIME>20200102170000\nACCESSION NUMBER:\t\t0000000001-20-000001\nCONFORMED SUBMISSION TYPE:\t8-K\nFILED AS OF DATE:\t\t20200102\n\nFILER:\n\n\tCOMPANY DATA:\t\n\t\tCENTRAL INDEX KEY:\t\t\t0000000001\n</SEC-HEADER>\n"
    sub = parse_sgml_submission(data, "h.hdr.sgml")
    assert sub.documents == []
    assert sub.acceptance_utc == datetime(2020, 1, 2, 22, 0, tzinfo=UTC)
    assert _roles(sub) == [("filer", 1)]


@pytest.mark.parametrize(
    "rel",
    [
        "13f/0001894188-23-000007.txt",
        "13f/0001951757-25-000093.nc",
        "8k/0001213900-25-032135.txt",
        "8k/0001493152-25-001317.nc",
        "ownership/0001127602-25-001055.txt",
        "ownership/0001127602-25-004598.nc",
        "reference/tesla-10k-2019-header.txt",
    ],
)
def test_truncated_file_raises(mirror: Path, rel: str) -> None:
    path = mirror / rel
    data = path.read_bytes()
    with pytest.raises(ParseError) as err:
        parse_sgml_submission(data[: len(data) // 2], path.name)
    assert err.value.source == path.name
    assert str(err.value).startswith(path.name)
    assert "truncated" in err.value.message


def test_truncated_header_raises(mirror: Path) -> None:
    data = (mirror / "13f/0001894188-23-000007.txt").read_bytes()[:400]
    with pytest.raises(ParseError, match=r"^x\.txt line \d+: <SEC-HEADER> is never closed"):
        parse_sgml_submission(data, "x.txt")


def test_not_a_submission() -> None:
    with pytest.raises(ParseError, match=r"^junk line 1: not an EDGAR submission"):
        parse_sgml_submission(b"<html></html>", "junk")


def test_bodies_are_exact_bytes(mirror: Path) -> None:
    data = (mirror / "ownership/0001127602-25-001055.txt").read_bytes()
    sub = parse_sgml_submission(data, "f")
    ex24 = sub.documents[1].body
    assert data.count(ex24) == 1
    assert (
        hashlib.sha256(ex24).hexdigest()
        == hashlib.sha256(data[data.index(ex24) : data.index(ex24) + len(ex24)]).hexdigest()
    )
    assert data[data.index(ex24) - len(b"<TEXT>\n") : data.index(ex24)] == b"<TEXT>\n"
    assert data[data.index(ex24) + len(ex24) :].startswith(b"\n</TEXT>")
