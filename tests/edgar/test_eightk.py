from datetime import date
from pathlib import Path

import pytest

from edgar.errors import ParseError
from edgar.events import EightK, is_earnings_release, item_number, parse_8k, parse_press_release


def _8k(mirror: Path, name: str) -> EightK:
    path = mirror / "8k" / name
    return parse_8k(path.name, path.read_bytes())


def test_abvc_full_submission(mirror: Path) -> None:
    e = _8k(mirror, "0001213900-25-032135.txt")
    assert (e.accession, e.form, e.cik, e.company_name) == (
        "0001213900-25-032135",
        "8-K",
        1173313,
        "ABVC BIOPHARMA, INC.",
    )
    assert (e.period_of_report, e.filing_date) == (date(2025, 4, 15), date(2025, 4, 15))
    assert [(i.number, i.in_header, i.in_text) for i in e.items] == [
        ("2.02", True, True),
        ("4.02", True, True),
        ("7.01", True, True),
        ("9.01", True, True),
    ]
    items = {i.number: i for i in e.items}
    assert items["4.02"].title == (
        "Non-Reliance on Previously Issued Financial Statements or a Related Audit Report or Completed Interim Review"
    )
    text_202 = items["2.02"].text
    assert text_202 is not None
    assert text_202.startswith(
        "On April 15, 2025, ABVC BioPharma, Inc. (the “Company”) issued a press release announcing its financial"
        " results for fiscal year ended December 31, 2024"
    )
    text_402 = items["4.02"].text
    assert text_402 is not None and text_402.startswith("On April 10, 2025, the Board of Directors")
    text_701 = items["7.01"].text
    assert text_701 is not None
    assert text_701.startswith(
        "Item 2.02 of this Current Report on Form 8-K is incorporated herein by reference."
    )
    text_901 = items["9.01"].text
    assert text_901 is not None and "99.1 Press Release" in text_901
    x = e.exhibits[0]
    assert (x.type, x.sequence, x.filename, x.description) == (
        "EX-99.1",
        2,
        "ea023837201ex99-1_abvcbio.htm",
        "PRESS RELEASE",
    )
    (pr,) = e.press_releases
    assert (pr.type, pr.filename, pr.title, pr.date) == (
        "EX-99.1",
        "ea023837201ex99-1_abvcbio.htm",
        "ABVC BioPharma Announces 2024 Financial Results",
        date(2025, 4, 16),
    )
    assert "ABVC reported total revenues of $509,589 in 2024" in pr.text
    assert is_earnings_release(e)


def test_acorn_nc_items_by_number(mirror: Path) -> None:
    e = _8k(mirror, "0001493152-25-001317.nc")
    assert (e.accession, e.company_name, e.period_of_report, e.filing_date) == (
        "0001493152-25-001317",
        "ACORN ENERGY, INC.",
        date(2025, 1, 6),
        date(2025, 1, 8),
    )
    assert [(i.number, i.title, i.in_header, i.in_text) for i in e.items] == [
        (
            "5.02",
            "Departure of Directors or Certain Officers; Election of Directors; Appointment of Certain Officers;"
            " Compensatory Arrangements of Certain Officers",
            True,
            True,
        ),
        ("9.01", "Financial Statements and Exhibits", True, True),
    ]
    text_502 = e.items[0].text
    assert text_502 is not None
    assert text_502.startswith("On January 6, 2025, the Registrant entered into a new consulting agreement")
    assert (e.exhibits[0].type, e.exhibits[0].filename) == ("EX-10.1", "ex10-1.htm")
    assert e.press_releases == []
    assert not is_earnings_release(e)


def test_buckle_primary_document_and_press_release(mirror: Path) -> None:
    e = _8k(mirror, "buckle-8k.htm")
    assert (e.accession, e.filing_date) == (None, None)
    assert [(i.number, i.in_header, i.in_text) for i in e.items] == [
        ("2.02", False, True),
        ("9.01", False, True),
    ]
    text_202 = e.items[0].text
    assert text_202 is not None
    assert text_202.startswith(
        "On November 22, 2024, The Buckle, Inc. announced financial results for the fiscal quarter ended"
        " November 2, 2024."
    )
    assert [(x.type, x.description) for x in e.exhibits] == [
        ("EX-99.1", "Press Release Dated November 22, 2024"),
        ("EX-104", "Cover Page Interactive Data File (embedded within the Inline XBRL document)"),
    ]
    assert is_earnings_release(e)
    path = mirror / "8k" / "buckle-8k-ex99-1.htm"
    pr = parse_press_release(path.name, path.read_bytes())
    assert (pr.type, pr.filename, pr.title, pr.date) == (
        "EX-99.1",
        "bke20241122-8kexhibit.htm",
        "THE BUCKLE, INC. REPORTS THIRD QUARTER NET INCOME",
        date(2024, 11, 22),
    )
    assert "net income for the fiscal quarter ended November 2, 2024 was $44.2 million" in pr.text


@pytest.mark.parametrize(
    ("name", "numbers"),
    [("1800flowers-8k.htm", ["5.07"]), ("nordstrom-8k.htm", ["5.02", "9.01"]), ("oracle-8k.htm", ["5.07"])],
)
def test_primary_documents(mirror: Path, name: str, numbers: list[str]) -> None:
    e = _8k(mirror, name)
    assert [i.number for i in e.items] == numbers
    assert all(i.text for i in e.items)
    assert not is_earnings_release(e)


def test_oracle_vote_text(mirror: Path) -> None:
    (item,) = _8k(mirror, "oracle-8k.htm").items
    assert item.text is not None
    assert item.text.startswith(
        "On November 14, 2024, Oracle Corporation (“Oracle”) held its 2024 Annual Meeting"
    )


def test_item_number() -> None:
    assert item_number("Results of Operations and Financial Condition") == "2.02"
    assert item_number("Regulation FD Disclosure") == "7.01"
    assert item_number("5.02") == "5.02"
    assert item_number("Item 9.01") == "9.01"
    assert item_number("Something Else") is None


def test_errors() -> None:
    with pytest.raises(ParseError, match="empty"):
        parse_8k("empty.htm", b"  ")
    with pytest.raises(ParseError, match="no 8-K item headings") as err:
        parse_8k("none.htm", b"<html><body><p>Hello</p></body></html>")
    assert err.value.source == "none.htm"
