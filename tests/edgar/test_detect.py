"""detect_kind: every file of the offline mirror gets its expected kind; odd bytes never crash."""

from __future__ import annotations

from pathlib import Path

import pytest

from edgar.parse.detect import HEAD_BYTES, detect_kind
from lake.settings import Settings

MIRROR: Path = Settings.from_env().edgar_mirror

# by folder/pattern; the exceptions are listed in SPECIAL
SPECIAL: dict[str, str] = {
    "13f/0001894188-23-000007.txt": "sgml-submission",
    "13f/0001951757-25-000093.nc": "sgml-submission",
    "13f/13f-hr-infotable.xml": "13f-infotable",  # leading blank line before <?xml
    "13f/form-13fhr.xml": "13f-infotable",  # despite .xml: the SEC's HTML rendering of the table
    "13f/privateportfolio-infotable.html": "13f-infotable",
    "13f/sec-samples/information_table.xml": "13f-infotable",
    "13f/abacus-13f-hr-primary_doc.xml": "13f-primary",
    "13f/metlife-13f-hr-primary_doc.xml": "13f-primary",
    "13f/sec-samples/Sample_13F-HR.xml": "13f-primary",
    "13f/sec-samples/Sample_13F-HRA.xml": "13f-primary",
    "13f/sec-samples/Sample_13F-NT.xml": "13f-primary",
    "8k/0001213900-25-032135.txt": "sgml-submission",
    "8k/0001493152-25-001317.nc": "sgml-submission",
    "8k/1800flowers-8k.htm": "inline-xbrl",
    "8k/buckle-8k.htm": "inline-xbrl",
    "8k/nordstrom-8k.htm": "inline-xbrl",
    "8k/oracle-8k.htm": "inline-xbrl",
    "8k/buckle-8k-ex99-1.htm": "html",  # <DOCUMENT><TYPE>EX-99.1 ... <TEXT><html>: no ix namespace
    "ownership/0001127602-25-001055.txt": "sgml-submission",
    "ownership/0001127602-25-004598.nc": "sgml-submission",
    "ownership/derivative-holding-fragment.xml": "unknown",  # a bare <derivativeHolding> fragment
    "ownership/form3-nosecurities.xml": "ownership-xml",
    "ownership/form3-snowflake-nonderiv.xml": "ownership-xml",
    "ownership/form3-snowflake.xml": "ownership-xml",
    "ownership/form4-374water.xml": "ownership-xml",
    "ownership/form4-snowflake.xml": "ownership-xml",
    "ownership/form5-snowflake.xml": "ownership-xml",
    "reference/carbo-ceramics-10k-2017-0001564590-18-004771-index.html": "html",
    "reference/sec-rate-exceeded.html": "html",
    "reference/tesla-10k-2019-header.txt": "sgml-submission",
    "xbrl/aapl-10q-2025-03-29/FilingSummary.xml": "unknown",  # SEC's R-file summary: not in the kind list
    "xbrl/aapl-10q-2025-03-29/aapl-20250329.htm": "inline-xbrl",
    "xbrl/aeon-10q-2023-09-30/aeon-20230930x10q.htm": "inline-xbrl",
    "xbrl/nflx-10q-2010-09-30/nflx-20100930.xml": "xbrl-instance",
    "xbrl/unp-10k-2012-12-31/unp-20121231.xml": "xbrl-instance",
    "xbrl/gahc-10q-2024-09-30/Form10q_htm.xml": "xbrl-instance",
}


def expected_kind(rel: str) -> str:
    if rel in SPECIAL:
        return SPECIAL[rel]
    if rel.startswith("index/") or rel == "README.md":
        return "text"
    if rel.startswith("ixbrl/"):
        return "inline-xbrl"
    if rel.startswith("13dg/"):  # structured Schedules 13D/G, and older SC 13G HTML (one an SGML <DOCUMENT>)
        return "schedule13-xml" if rel.endswith(".xml") else "html"
    if rel.endswith(".json"):
        return "json"
    if rel.startswith("xbrl/single/") or rel.endswith("_htm.xml"):
        return "xbrl-instance"
    if rel.endswith(("_cal.xml", "_def.xml", "_lab.xml", "_pre.xml")):
        return "xbrl-linkbase"
    if rel.endswith((".xsd", ".xsd.xml")):
        return "xbrl-schema"
    raise AssertionError(f"no expectation for {rel}")


FILES = sorted(str(p.relative_to(MIRROR)) for p in MIRROR.rglob("*") if p.is_file())


def test_mirror_is_there() -> None:
    assert len(FILES) > 100


@pytest.mark.parametrize("rel", FILES)
def test_every_mirror_file_has_its_kind(rel: str) -> None:
    path = MIRROR / rel
    with path.open("rb") as fh:
        head = fh.read(HEAD_BYTES)
    assert detect_kind(path.name, head) == expected_kind(rel)


@pytest.mark.parametrize(
    ("name", "head", "kind"),
    [
        ("x.xml", b"", "unknown"),
        ("x.xml", b"   \n\t", "unknown"),
        ("x.bin", bytes(range(256)) * 4, "unknown"),
        ("logo.jpg", b"\xff\xd8\xff\xe0\x00\x10JFIF\x00\x01", "unknown"),
        ("x.jpg", b"\xff\xd8\xff\xe0JFIF", "unknown"),
        ("x.xml", b"<", "unknown"),
        ("x.xml", b"<!-- never closed", "unknown"),
        ("x_lab.xml", b"<!-- never closed", "xbrl-linkbase"),
        ("x.xml", b"\xef\xbb\xbf<?xml version='1.0'?><xbrli:xbrl xmlns:xbrli='x'>", "xbrl-instance"),
        ("x.htm", b"<html><body>hi</body></html>", "html"),
        ("x.htm", b"<DOCUMENT>\n<TYPE>SC 13G\n<TEXT>\n<head><title>SCHEDULE 13G</title></head>", "html"),
        ("x.txt", b"<body><p>no html element</p></body>", "html"),
        ("x.xml", b"<edgarSubmission xmlns='http://www.sec.gov/edgar/schedule13D'>", "schedule13-xml"),
        (
            "x.xml",
            b"<edgarSubmission><headerData><submissionType>SCHEDULE 13G/A</submissionType>",
            "schedule13-xml",
        ),
        ("x.txt", b"just some words", "text"),
        ("x.json", b'  {"a": 1', "json"),
        ("x.json", b"not json", "unknown"),
        ("x.nc", b"<SUBMISSION>\n<ACCESSION-NUMBER>0000000000-00-000000", "sgml-submission"),
        ("x.xml", b"<edgarSubmission><headerData><submissionType>D</submissionType>", "unknown"),
    ],
)
def test_odd_bytes(name: str, head: bytes, kind: str) -> None:
    assert detect_kind(name, head) == kind


def test_any_prefix_of_real_files_never_crashes() -> None:
    data = (MIRROR / "xbrl/aeon-10q-2023-09-30/aeon-20230930x10q.htm").read_bytes()[:HEAD_BYTES]
    for cut in range(0, len(data), 97):
        detect_kind("x", data[:cut])
