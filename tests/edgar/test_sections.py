"""10-K / 10-Q item sections, read from the real primary documents of the mirror."""

import re
from pathlib import Path

import pytest

from edgar.errors import ParseError
from edgar.sections import Sections, parse_sections
from lake.items import form_items, item_name

ANNUAL = ["1", "1A", "1B", "1C", "2", "3", "4", "5", "6", "7", "7A", "8", "9", "9A", "9B", "9C",
          "10", "11", "12", "13", "14", "15", "16"]  # fmt: skip
QUARTERLY = [("I", "1"), ("I", "2"), ("I", "3"), ("I", "4"), ("II", "1"), ("II", "1A"), ("II", "2"),
             ("II", "3"), ("II", "4"), ("II", "5"), ("II", "6")]  # fmt: skip

#: every 10-K / 10-Q primary document of the mirror -> (form, the items it has as (part, item), ToC lines)
DOCUMENTS = {
    "ixbrl/apple-10k-2024-09-28.htm": ("10-K", [(p, n) for p, n in zip(["I"] * 7 + ["II"] * 9 + ["III"] * 5 + ["IV"] * 2, ANNUAL, strict=True)], 23),
    "ixbrl/netflix-10k-2024-12-31.htm": ("10-K", None, 23),
    "ixbrl/nvidia-10k-2025-01-26.htm": ("10-K", None, 23),
    "ixbrl/tesla-10k-2024-12-31.htm": ("10-K", None, 23),
    "ixbrl/unp-10k-2024-12-31.htm": ("10-K", None, 23),
    "ixbrl/nvidia-10k.htm": ("10-K", "no 1C", 22),
    "ixbrl/apple-10q-2024-06-29.htm": ("10-Q", QUARTERLY, 11),
    "ixbrl/apple-10q-2025-06-28.htm": ("10-Q", QUARTERLY, 11),
    "xbrl/aapl-10q-2025-03-29/aapl-20250329.htm": ("10-Q", QUARTERLY, 11),
    "ixbrl/tesla-10q-2025-06-30.htm": ("10-Q", QUARTERLY, 11),
    "ixbrl/unp-10q-2025-06-30.htm": ("10-Q", QUARTERLY, 11),
    "ixbrl/netflix-10q-2025-06-30.htm": ("10-Q", [q for q in QUARTERLY if q not in (("I", "1"), ("II", "3"), ("II", "4"))], 9),
    "ixbrl/nvidia-10q-2025-07-27.htm": ("10-Q", [q for q in QUARTERLY if q not in (("II", "3"), ("II", "4"))], 9),
    "ixbrl/oracle-10q.htm": ("10-Q", [q for q in QUARTERLY if q not in (("II", "3"), ("II", "4"), ("II", "5"))], 8),
}  # fmt: skip


def _words(title: str) -> set[str]:
    return {w for w in re.findall(r"[a-z]{5,}", title.lower()) if w != "which"}


def _read(mirror: Path, name: str, form: str) -> Sections:
    path = mirror / name
    return parse_sections(path.name, path.read_bytes(), form)


@pytest.mark.parametrize("name", sorted(DOCUMENTS))
def test_every_report_of_the_mirror(mirror: Path, name: str) -> None:
    form, expected, toc = DOCUMENTS[name]
    result = _read(mirror, name, form)
    assert result.reason is None and result.form == form
    got = [(s.part, s.item) for s in result.sections]
    if expected is None:  # a 10-K with every item of today's form
        expected = [
            (p, n) for p, n in zip(["I"] * 7 + ["II"] * 9 + ["III"] * 5 + ["IV"] * 2, ANNUAL, strict=True)
        ]
    elif expected == "no 1C":  # FY2023, before Item 1C (cybersecurity) existed
        expected = [(p, n) for p, n in zip(["I"] * 6 + ["II"] * 9 + ["III"] * 5 + ["IV"] * 2, [a for a in ANNUAL if a != "1C"], strict=True)]  # fmt: skip
    assert got == expected
    # the table of contents lists the items first: recognised and skipped, never a section
    assert result.toc_entries == toc
    # the parser's items are the project's canonical items (lake.items), named the same way
    canonical = {i.name: i for i in form_items(form)}
    for s in result.sections:
        item = canonical[item_name(form, s.part, s.item)]
        assert (item.part, item.number) == (s.part, s.item)
        assert s.title and _words(s.title) & _words(item.title), (s.title, item.title)
        assert "Table of Contents" not in s.text and "<" not in s.text[:2000]
        assert "  " not in s.text and "\n" not in s.text and "\xa0" not in s.text
    texts = {(s.part, s.item): s.text for s in result.sections}
    risk = texts[("II", "1A")] if form == "10-Q" else texts[("I", "1A")]
    mdna = texts[("I", "2")] if form == "10-Q" else texts[("II", "7")]
    if form == "10-K":
        assert 30_000 < len(risk) < 120_000 and 15_000 < len(mdna) < 60_000
    else:
        assert 150 < len(risk) < 35_000 and 15_000 < len(mdna) < 65_000


def test_apple_10k_fy2024(mirror: Path) -> None:
    result = _read(mirror, "ixbrl/apple-10k-2024-09-28.htm", "10-K")
    items = {s.item: s for s in result.sections}
    assert items["1A"].title == "Risk Factors"
    assert items["1A"].text.startswith(
        "The Company\u2019s business, reputation, results of operations, financial condition and stock price can be"
        " affected by a number of factors, whether currently known or unknown, including those described below."
    )
    assert items["1A"].text.endswith("estor confidence and employee retention.")
    assert 68_000 <= len(items["1A"].text) <= 69_000
    assert (
        items["7"].title
        == "Management\u2019s Discussion and Analysis of Financial Condition and Results of Operations"
    )
    assert items["7"].text.startswith(
        "The following discussion should be read in conjunction with the consolidated financial statements and"
        " accompanying notes included in Part II, Item 8 of this Form 10-K."
    )
    assert items["1C"].text.startswith(
        "The Company\u2019s management, led by its Head of Corporate Information Security"
    )
    assert items["2"].text.startswith("The Company\u2019s headquarters is located in Cupertino, California.")
    assert (items["1B"].text, items["4"].text, items["9"].text, items["16"].text) == (
        "None.",
        "Not applicable.",
        "None.",
        "None.",
    )
    assert (items["6"].title, items["6"].text) == ("[Reserved]", "")
    assert items["15"].title == "Exhibit and Financial Statement Schedules"
    # running page footers ("Apple Inc. | 2024 Form 10-K | 21") and page numbers are not text
    assert all("Form 10-K |" not in s.text for s in result.sections)
    # Item 16 is the last: its text ends before the signatures
    assert "SIGNATURES" not in items["16"].text.upper()


def test_apple_10q_q2_fy2025(mirror: Path) -> None:
    result = _read(mirror, "xbrl/aapl-10q-2025-03-29/aapl-20250329.htm", "10-Q")
    names = [item_name("10-Q", s.part, s.item) for s in result.sections]
    assert names == ["Part-1,Item-1", "Part-1,Item-2", "Part-1,Item-3", "Part-1,Item-4", "Part-2,Item-1",
                     "Part-2,Item-1A", "Part-2,Item-2", "Part-2,Item-3", "Part-2,Item-4", "Part-2,Item-5",
                     "Part-2,Item-6"]  # fmt: skip
    texts = {(s.part, s.item): s for s in result.sections}
    assert texts[("I", "1")].text.startswith("Apple Inc. CONDENSED CONSOLIDATED STATEMENTS OF OPERATIONS")
    assert texts[("I", "2")].text.startswith(
        "This Item and other sections of this Quarterly Report on Form 10-Q (“Form 10-Q”) contain forward-looking"
        " statements"
    )
    # Item 1 of Part II is not Item 1 of Part I
    assert texts[("II", "1")].title == "Legal Proceedings"
    assert texts[("II", "1")].text.startswith("Digital Markets Act Investigations On March 25, 2024")
    assert texts[("II", "1A")].text.startswith(
        "The Company\u2019s business, reputation, results of operations, financial condition and stock price can be"
        " affected by a number of factors, whether currently known or unknown, including those described in"
        " Part I, Item 1A of the 2024 Form 10-K"
    )
    assert 12_000 < len(texts[("II", "1A")].text) < 12_400
    assert texts[("II", "5")].text == "Insider Trading Arrangements None."


def test_headings_as_printed(mirror: Path) -> None:
    nvidia = _read(mirror, "ixbrl/nvidia-10k.htm", "10-K")  # ITEM 1A. RISK FACTORS, upper case
    first = nvidia.sections[1]
    assert (first.item, first.title) == ("1A", "RISK FACTORS")
    assert first.text.startswith("In evaluating NVIDIA, the following risk factors should be considered")
    netflix = _read(mirror, "ixbrl/netflix-10k-2024-12-31.htm", "10-K")  # Item 1A.Risk Factors, no space
    assert [(s.item, s.title) for s in netflix.sections[:2]] == [("1", "Business"), ("1A", "Risk Factors")]
    tesla = _read(mirror, "ixbrl/tesla-10q-2025-06-30.htm", "10-Q")
    assert [(s.part, s.item, s.title) for s in tesla.sections[4:6]] == [
        ("II", "1", "LEGAL PROCEEDINGS"),
        ("II", "1A", "RISK FACTORS"),
    ]


def test_a_report_without_a_heading_for_an_item(mirror: Path) -> None:
    # Netflix's 10-Q goes from its table of contents straight into the statements: no "Item 1" heading in the
    # body, so Part I starts at Item 2 (told from Part II's Item 1 by the order), nothing is invented
    result = _read(mirror, "ixbrl/netflix-10q-2025-06-30.htm", "10-Q")
    assert [(s.part, s.item) for s in result.sections][:4] == [
        ("I", "2"),
        ("I", "3"),
        ("I", "4"),
        ("II", "1"),
    ]
    assert result.sections[0].text.startswith("Forward-Looking Statements This Quarterly Report on Form 10-Q")


def test_a_document_without_items_says_why(mirror: Path) -> None:
    result = _read(mirror, "ixbrl/simple.htm", "10-K")
    assert result.sections == []
    assert result.reason == "no item headings (no block starting 'Item <number>' among 11 text blocks)"


def _doc(body: str) -> bytes:
    return f"<html><body>{body}</body></html>".encode()


def test_heading_forms_and_hidden_content() -> None:
    html = _doc(
        '<div style="display:none"><ix:header><ix:hidden>Item 9. Hidden fact</ix:hidden></ix:header></div>'
        "<p><a href='#i1'>Item 1. Business</a></p><p><a href='#i1a'>Item 1A. Risk Factors</a></p>"
        "<p><span>IT</span><span>EM&nbsp;1.</span>&nbsp;&nbsp;<b>Busi</b>ness</p><p>We make   things.</p>"
        "<p>ITEM 1A: RISK FACTORS</p><p>Risks.</p><p>See Item 7 of this report.</p>"
        "<p>Item&#160;7 &#8212; Management&#8217;s Discussion</p><p>Sales grew.</p><p>12</p>"
        "<p>Item 7A.</p><p>Market Risk</p><p>Rates.</p><p>SIGNATURES</p><p>/s/ Someone</p>"
    )
    result = parse_sections("x.htm", html, "10-K")
    assert [(s.item, s.title, s.text) for s in result.sections] == [
        ("1", "Business", "We make things."),
        ("1A", "RISK FACTORS", "Risks. See Item 7 of this report."),
        ("7", "Management\u2019s Discussion", "Sales grew."),
        ("7A", "Market Risk", "Rates."),
    ]


def test_quarterly_parts_without_part_lines() -> None:
    html = _doc(
        "<p>Item 1. Financial Statements</p><p>Balance sheet.</p><p>Item 2. MD&amp;A</p><p>Revenue.</p>"
        "<p>Item 1. Legal Proceedings</p><p>None.</p><p>Item 1A. Risk Factors</p><p>No change.</p>"
    )
    result = parse_sections("q.htm", html, "10-Q")
    assert [(s.part, s.item, s.text) for s in result.sections] == [
        ("I", "1", "Balance sheet."),
        ("I", "2", "Revenue."),
        ("II", "1", "None."),
        ("II", "1A", "No change."),
    ]


def test_only_a_table_of_contents() -> None:
    html = _doc(
        "<table><tr><td>Item 1.</td><td>Business</td></tr><tr><td>Item 2.</td><td>Properties</td></tr></table>"
    )
    result = parse_sections("t.htm", html, "10-K")
    assert (result.sections, result.toc_entries) == ([], 2)
    assert result.reason == "only table-of-contents item lines (2), no item heading in the body"


def test_bad_input_is_a_parse_error() -> None:
    with pytest.raises(ParseError, match="form '8-K' has no items to read"):
        parse_sections("e.htm", _doc("<p>Item 2.02 Results</p>"), "8-K")
    with pytest.raises(ParseError, match="empty document"):
        parse_sections("e.htm", b"  ", "10-K")
