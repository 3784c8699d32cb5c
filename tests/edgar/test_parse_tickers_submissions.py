from datetime import date
from pathlib import Path

import pytest

from edgar.parse import ParseError, parse_company_tickers, parse_submissions


def test_company_tickers(mirror: Path) -> None:
    entries = parse_company_tickers((mirror / "reference/company_tickers.json").read_bytes())
    assert len(entries) == 9610
    by_ticker = {e.ticker: e for e in entries}
    assert by_ticker["AAPL"].cik == 320193
    assert by_ticker["AAPL"].title == "Apple Inc."
    assert by_ticker["TSLA"].cik == 1318605
    assert by_ticker["GOOG"].cik == by_ticker["GOOGL"].cik == 1652044
    assert entries[0].ticker == "MSFT"


def _load(mirror: Path, name: str):  # type: ignore[no-untyped-def]
    return parse_submissions((mirror / "reference" / name).read_bytes(), name)


def test_apple_main_document(mirror: Path) -> None:
    s = _load(mirror, "submissions-CIK0000320193-apple.json")
    assert not s.is_overflow_page
    assert (s.cik, s.name, s.tickers, s.exchanges) == (320193, "Apple Inc.", ["AAPL"], ["Nasdaq"])
    assert (s.sic, s.sic_description) == ("3571", "Electronic Computers")
    assert s.category == "Large accelerated filer"
    assert (s.fiscal_year_end, s.state_of_incorporation, s.entity_type) == ("0926", "CA", "operating")
    assert [f.name for f in s.files] == ["CIK0000320193-submissions-001.json"]
    assert s.files[0].filing_count == 1206
    assert s.files[0].filing_to == date(2015, 3, 11)
    assert len(s.filings) == 1005
    row = next(r for r in s.filings if r.accession == "0000320193-23-000106")
    assert row.form == "10-K"
    assert row.filing_date == date(2023, 11, 3)
    assert row.report_date == date(2023, 9, 30)
    assert row.acceptance_raw == "2023-11-02T18:08:27.000Z"
    assert row.primary_document == "aapl-20230930.htm"
    assert row.is_xbrl
    assert row.is_inline_xbrl
    assert s.filings[0].accession == "0001059235-26-000004"
    assert s.filings[-1].filing_date == date(2015, 3, 12)


def test_tesla_2022_and_2026(mirror: Path) -> None:
    old = _load(mirror, "submissions-CIK0001318605-tesla.json")
    new = _load(mirror, "submissions-CIK0001318605-tesla-2026.json")
    assert old.cik == new.cik == 1318605  # 2022 writes "1318605", 2026 "0001318605"
    assert (len(old.filings), len(new.filings)) == (1001, 1002)
    assert old.state_of_incorporation == "DE"
    assert new.state_of_incorporation == "TX"
    a = next(r for r in old.filings if r.accession == "0001564590-20-004475")
    b = next(r for r in new.filings if r.accession == "0001564590-20-004475")
    assert (a.form, a.filing_date, a.primary_document) == ("10-K", date(2020, 2, 13), "tsla-10k_20191231.htm")
    assert a.acceptance_raw == "2020-02-13T07:12:18.000Z"
    assert b.acceptance_raw == "2020-02-13T12:12:18.000Z"
    assert new.files[0].name == "CIK0001318605-submissions-001.json"
    assert new.files[0].filing_count == 720


def test_tesla_overflow_page(mirror: Path) -> None:
    page = _load(mirror, "submissions-CIK0001318605-tesla-2026-001.json")
    assert page.is_overflow_page
    assert page.cik is None
    assert len(page.filings) == 720
    first = page.filings[0]
    assert (first.accession, first.form, first.filing_date, first.report_date) == (
        "0000950103-18-001851",
        "SC 13G/A",
        date(2018, 2, 12),
        None,
    )
    assert page.filings[1].items == "7.01"
    assert page.filings[5].items == "2.02,9.01"
    assert page.filings[-1].filing_date == date(2005, 2, 17)


def test_carbo(mirror: Path) -> None:
    s = _load(mirror, "submissions-CIK0001009672-carbo-ceramics.json")
    assert s.cik == 1009672
    assert s.tickers == []
    assert len(s.filings) == 1000
    assert s.category == "Non-accelerated filer<br>Smaller reporting company"
    row = next(r for r in s.filings if r.accession == "0001564590-18-004771")
    assert (row.form, row.filing_date, row.acceptance_raw) == (
        "10-K",
        date(2018, 3, 8),
        "2018-03-07T18:03:42.000Z",
    )
    assert s.filings[0].report_date is None  # 15-12B: empty reportDate
    assert s.filings[0].file_number == "001-15903"
    assert s.filings[0].film_number == "201424908"
    page = _load(mirror, "submissions-CIK0001009672-carbo-ceramics-001.json")
    assert len(page.filings) == 205
    assert page.filings[-1].filing_date == date(1996, 6, 3)


def test_bad_submissions() -> None:
    with pytest.raises(ParseError, match=r"^x\.json: not JSON"):
        parse_submissions(b"{nope", "x.json")
    with pytest.raises(ParseError, match="column 'form' has 1 values"):
        parse_submissions(
            b'{"accessionNumber":["a","b"],"filingDate":["2020-01-01","2020-01-02"],"acceptanceDateTime":["",""],"form":["4"]}',
            "y.json",
        )
    with pytest.raises(ParseError, match="filingDate '2020-13-01' is not a date"):
        parse_submissions(
            b'{"accessionNumber":["a"],"filingDate":["2020-13-01"],"acceptanceDateTime":[""],"form":["4"]}',
            "z.json",
        )
