"""CUSIP mapping rules on real names from the mirror's 13F tables and the SEC's ticker list."""

from __future__ import annotations

import pytest

from edgar.parse.tickers import parse_company_tickers
from edgar.thirteenf.cusips import map_cusips, normalize_name, parse_overrides
from lake.settings import Settings

MIRROR = Settings.from_env().edgar_mirror


def _companies() -> list[tuple[int, str, list[str]]]:
    entries = parse_company_tickers((MIRROR / "reference/company_tickers.json").read_bytes())
    by_cik: dict[int, tuple[str, list[str]]] = {}
    for e in entries:
        by_cik.setdefault(e.cik, (e.title, []))[1].append(e.ticker)
    return [(cik, name, tickers) for cik, (name, tickers) in by_cik.items()]


def test_names_are_compared_without_case_punctuation_and_suffixes() -> None:
    assert normalize_name("Apple Inc.") == normalize_name("APPLE INC") == "APPLE"
    assert normalize_name("INTERNATIONAL FLAVORS & FRAGRANCES INC") == "INTERNATIONAL FLAVORS AND FRAGRANCES"
    assert normalize_name("CHEVRON CORP NEW") == "CHEVRON"


def test_issuer_names_map_to_one_company_or_say_why_not() -> None:
    mapped = {
        m.cusip: m
        for m in map_cusips(
            [
                (
                    "459506101",
                    "INTERNATIONAL FLAVORS&FRAGRA",
                ),  # LTS One's Q3 2023 table, cut at 28 characters
                ("02079K305", "ALPHABET INC"),  # two share classes under one CIK
                ("053015103", "AUTOMATIC DATA PROCESSING IN"),  # truncated by the filer
            ],
            _companies(),
        )
    }
    iff = mapped["459506101"]
    assert (iff.cik, iff.ticker, iff.source, iff.confidence) == (51253, "IFF", "issuer-name", 0.7)
    assert iff.note == "truncated issuer name matched as the start of one company's name"
    alphabet = mapped["02079K305"]
    assert (alphabet.cik, alphabet.ticker, alphabet.confidence) == (1652044, None, 0.6)
    assert alphabet.note is not None and "GOOGL" in alphabet.note
    adp = mapped["053015103"]  # "...PROCESSING IN" is the start of "...PROCESSING INC"
    assert (adp.source, adp.cik, adp.ticker, adp.confidence) == ("issuer-name", 8670, "ADP", 0.7)
    (nothing,) = map_cusips([("999999999", "NO SUCH ISSUER")], _companies())
    assert (nothing.source, nothing.cik, nothing.note) == ("unmapped", None, "no company of that name")


def test_overrides_win_and_bad_rows_name_their_line() -> None:
    overrides = parse_overrides("cusip,ticker,cik,note\n02079K305,GOOGL,1652044,class A\n")
    (googl,) = map_cusips([("02079K305", "ALPHABET INC")], _companies(), overrides)
    assert (googl.ticker, googl.cik, googl.source, googl.confidence) == ("GOOGL", 1652044, "override", 1.0)
    with pytest.raises(ValueError, match=r"overrides\.csv line 3: CUSIP must be 9"):
        parse_overrides(
            "cusip,ticker,cik,note\n037833100,AAPL,320193,\n03783310,AAPL,320193,\n", "overrides.csv"
        )


def test_a_cusip_named_differently_by_two_tables_maps_the_same_whatever_the_row_order() -> None:
    # 02079K107 is "AT&T INC" in the SEC's sample information table (sec-samples/information_table.xml, twice)
    # and "ALPHABET INC" in Acorn Creek's Q4 2024 table (0001951757-25-000093.nc, once)
    rows = [("02079K107", "AT&T INC"), ("02079K107", "AT&T INC"), ("02079K107", "ALPHABET INC")]
    companies = _companies()
    results = {repr(map_cusips(order, companies)) for order in (rows, rows[::-1], rows[1:] + rows[:1])}
    assert len(results) == 1
    (mapping,) = map_cusips(rows[::-1], companies)
    assert mapping.issuer_name == "AT&T INC"
    assert mapping.note is not None
    assert "issuer names differ between tables: AT&T INC; ALPHABET INC" in mapping.note
