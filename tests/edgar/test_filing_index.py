"""The per-filing document list (``-index-headers.html``) and the selection of the documents the pipeline reads.

Over real SEC files of the mirror: Carbo Ceramics' 10-K filing index page (the SEC's own document table), and
the ``-index-headers.html`` pages the mirror derives from its full submissions (8-K, Form 4, 13F).
"""

from __future__ import annotations

from pathlib import Path

import pytest

from edgar import mirror, urls
from edgar.errors import ParseError
from edgar.identity import identity_from_sgml
from edgar.mirror import NotInMirror
from edgar.parse.filing_index import parse_index_headers, select_documents, skipped
from edgar.parse.index_page import parse_filing_index_page
from edgar.parse.sgml import parse_sgml_submission
from lake.settings import Settings

MIRROR = Settings.from_env().edgar_mirror
SUBMISSIONS = {  # accession -> (CIK, the mirror file)
    "0001213900-25-032135": (1173313, "8k/0001213900-25-032135.txt"),
    "0001493152-25-001317": (880984, "8k/0001493152-25-001317.nc"),
    "0001127602-25-001055": (1750, "ownership/0001127602-25-001055.txt"),
    "0001127602-25-004598": (7536, "ownership/0001127602-25-004598.nc"),
    "0001894188-23-000007": (1894188, "13f/0001894188-23-000007.txt"),
    "0001951757-25-000093": (1951757, "13f/0001951757-25-000093.nc"),
}


def _page(accession: str) -> bytes:
    cik = SUBMISSIONS[accession][0]
    return mirror.read(MIRROR, urls.index_headers_path(cik, accession))


def test_a_10k_keeps_its_primary_document_instance_and_three_linkbases() -> None:
    page = parse_filing_index_page(
        (MIRROR / "reference" / "carbo-ceramics-10k-2017-0001564590-18-004771-index.html").read_bytes(),
        "carbo",
    )
    assert len(page.documents) == 18  # 11 documents, the complete submission, 6 XBRL files
    assert select_documents("10-K", page.documents) == [
        "crr-10k_20171231.htm",
        "crr-20171231.xml",
        "crr-20171231_cal.xml",
        "crr-20171231_lab.xml",
        "crr-20171231_pre.xml",
    ]
    assert skipped("10-K", page.documents) == [
        "crr-ex1016_258.htm",
        "crr-ex1017_257.htm",
        "crr-ex1018_256.htm",
        "crr-ex21_12.htm",
        "crr-ex23_6.htm",
        "crr-ex311_7.htm",
        "crr-ex312_10.htm",
        "crr-ex32_9.htm",
        "crr-ex95_11.htm",
        "g2018030722515813044057.jpg",
        "0001564590-18-004771.txt",
        "crr-20171231.xsd",
        "crr-20171231_def.xml",
    ]
    chosen = set(select_documents("10-K", page.documents))
    assert (
        sum(d.size or 0 for d in page.documents if d.document in chosen) == 6_485_833
    )  # 58% of the 11.1 MB submission
    assert next(d.size for d in page.documents if d.document.endswith(".txt")) == 11_123_673


def test_a_real_10k_header_picks_the_inline_primary_document_not_the_exhibit() -> None:
    sub = parse_sgml_submission((MIRROR / "reference" / "tesla-10k-2019-header.txt").read_bytes(), "tesla")
    assert select_documents(sub.form, sub.documents) == ["tsla-10k_20191231.htm"]


@pytest.mark.parametrize(
    ("accession", "form", "chosen"),
    [
        (  # 8-K: the report, its press release, the inline cover page's instance and linkbases; not the
            # graphic, the schema, R1.htm, the Excel report, Show.js, report.css, FilingSummary, MetaLinks, the zip
            "0001213900-25-032135",
            "8-K",
            [
                "ea0238372-8k_abvcbio.htm",
                "ea023837201ex99-1_abvcbio.htm",
                "abvc-20250415_pre.xml",
                "abvc-20250415_lab.xml",
                "ea0238372-8k_abvcbio_htm.xml",
            ],
        ),
        (  # 8-K without a press release: EX-10.1 is not read
            "0001493152-25-001317",
            "8-K",
            ["form8-k.htm", "acfn-20250106_lab.xml", "acfn-20250106_pre.xml", "form8-k_htm.xml"],
        ),
        (
            "0001127602-25-001055",
            "4",
            ["form4.xml"],
        ),  # Form 4: the ownership XML, not the EX-24 power of attorney
        ("0001127602-25-004598", "4", ["form4.xml"]),
        ("0001894188-23-000007", "13F-HR", ["primary_doc.xml", "index.xml"]),  # cover + information table
        ("0001951757-25-000093", "13F-HR", ["primary_doc.xml", "F_13F_AcornCreek_Q42024.xml"]),
    ],
)
def test_selection_of_the_mirror_filings(accession: str, form: str, chosen: list[str]) -> None:
    sub = parse_index_headers(_page(accession), accession)
    assert (sub.accession, sub.form) == (accession, form)
    assert select_documents(sub.form, sub.documents) == chosen


@pytest.mark.parametrize("accession", sorted(SUBMISSIONS))
def test_the_index_headers_page_gives_the_identity_of_the_full_submission(accession: str) -> None:
    full = parse_sgml_submission((MIRROR / SUBMISSIONS[accession][1]).read_bytes(), accession)
    page = parse_index_headers(_page(accession), accession)
    assert identity_from_sgml(page) == identity_from_sgml(full)
    assert [(d.type, d.sequence, d.filename, d.description) for d in page.documents] == [
        (d.type, d.sequence, d.filename, d.description) for d in full.documents
    ]
    assert all(d.body == b"" for d in page.documents)
    assert len(_page(accession)) < 6_000


def test_the_mirror_serves_each_document_of_a_full_submission_as_the_sec_does() -> None:
    cik, accession = 1173313, "0001213900-25-032135"
    full = parse_sgml_submission((MIRROR / SUBMISSIONS[accession][1]).read_bytes(), accession)
    by_name = {d.filename: d for d in full.documents}
    body = mirror.read(MIRROR, urls.document_path(cik, accession, "ea023837201ex99-1_abvcbio.htm"))
    assert body == by_name["ea023837201ex99-1_abvcbio.htm"].body and len(body) == 20_846
    image = mirror.read(MIRROR, urls.document_path(cik, accession, "ex99-1_001.jpg"))
    assert image[:3] == b"\xff\xd8\xff" and image == by_name["ex99-1_001.jpg"].decoded  # uudecoded
    listing = mirror.read(MIRROR, urls.folder_index_json_path(cik, accession))
    assert b'"name": "ea0238372-8k_abvcbio.htm"' in listing
    with pytest.raises(NotInMirror):
        mirror.read(MIRROR, urls.document_path(cik, accession, "R2.htm"))
    with pytest.raises(NotInMirror):  # an accession the mirror has no submission of
        mirror.read(MIRROR, urls.index_headers_path(1, "0000000001-25-000001"))
    # the paths the mirror resolved before are unchanged
    path = urls.full_submission_path(cik, accession)
    assert mirror.read(MIRROR, path) == mirror.resolve(MIRROR, path).read_bytes()


def test_a_page_without_a_header_is_a_parse_error() -> None:
    with pytest.raises(ParseError, match="no SGML header"):
        parse_index_headers(b"<html><body>Not Found</body></html>", "x-index-headers.html")


def test_an_sec_rendered_page_parses(tmp_path: Path) -> None:
    # entities and links as the SEC writes them: &lt;TYPE&gt;, <a href=...>name</a>
    page = _page("0001127602-25-001055")
    assert b"&lt;ACCEPTANCE-DATETIME&gt;20250110160730" in page
    assert (
        b'&lt;FILENAME&gt;<a href="/Archives/edgar/data/1750/000112760225001055/form4.xml">form4.xml</a>'
        in page
    )
