"""parse_inline on the real inline XBRL documents of the offline mirror (values read from the files)."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from edgar.errors import ParseError
from edgar.parse.ixt import parse_duration, transform, words_to_number
from edgar.xbrl import FactSet, parse_facts, parse_inline
from edgar.xbrl.model import Fact
from lake.settings import Settings

MIRROR: Path = Settings.from_env().edgar_mirror
APPLE_2024 = "ixbrl/apple-10k-2024-09-28.htm"

# file -> (distinct facts, ix fact elements, contexts, units)
COUNTS: dict[str, tuple[int, int, int, int]] = {
    APPLE_2024: (1045, 1127, 193, 7),
    "ixbrl/apple-10q-2024-06-29.htm": (721, 781, 163, 6),
    "ixbrl/apple-10q-2025-06-28.htm": (707, 769, 165, 6),
    "ixbrl/netflix-10k-2024-12-31.htm": (1283, 1410, 312, 10),
    "ixbrl/netflix-10q-2025-06-30.htm": (1150, 1274, 342, 6),
    "ixbrl/nvidia-10k-2025-01-26.htm": (1302, 1417, 289, 6),
    "ixbrl/nvidia-10k.htm": (1282, 1396, 294, 6),
    "ixbrl/nvidia-10q-2025-07-27.htm": (960, 1043, 228, 6),
    "ixbrl/oracle-10q.htm": (519, 566, 129, 5),
    "ixbrl/simple.htm": (7, 7, 1, 1),
    "ixbrl/tesla-10k-2024-12-31.htm": (1591, 1697, 394, 10),
    "ixbrl/tesla-10q-2025-06-30.htm": (1104, 1204, 356, 7),
    "ixbrl/unp-10k-2024-12-31.htm": (1269, 1360, 284, 8),
    "ixbrl/unp-10q-2025-06-30.htm": (894, 986, 224, 6),
    "xbrl/aapl-10q-2025-03-29/aapl-20250329.htm": (700, 760, 163, 5),
    "xbrl/aeon-10q-2023-09-30/aeon-20230930x10q.htm": (970, 1132, 374, 10),
}


def load(rel: str) -> FactSet:
    path = MIRROR / rel
    return parse_facts(path.name, path.read_bytes())


def by_id(fs: FactSet, fact_id: str) -> Fact:
    (fact,) = [f for f in fs.facts if f.fact_id == fact_id]
    return fact


@pytest.fixture(scope="module")
def apple() -> FactSet:
    return load(APPLE_2024)


@pytest.mark.parametrize("rel", sorted(COUNTS))
def test_counts(rel: str) -> None:
    fs = load(rel)
    assert fs.kind == "inline-xbrl"
    assert (len(fs.facts), fs.n_elements, fs.n_contexts, fs.n_units) == COUNTS[rel]


def test_scale_format_sign(apple: FactSet) -> None:
    # <ix:nonFraction ... format="ixt:num-dot-decimal" scale="6" id="f-60">294,866</ix:nonFraction>
    products = by_id(apple, "f-60")
    assert (products.concept, products.value, products.decimals) == (
        "us-gaap:RevenueFromContractWithCustomerExcludingAssessedTax",
        "294866000000",
        -6,
    )
    assert products.dimensions == (("srt:ProductOrServiceAxis", "us-gaap:ProductMember"),)
    assert (products.start, products.end, products.unit) == (date(2023, 10, 1), date(2024, 9, 28), "USD")
    # <ix:nonFraction ... sign="-" name="us-gaap:NonoperatingIncomeExpense" scale="6" id="f-94">565</ix:nonFraction>
    other = by_id(apple, "f-94")
    assert (other.concept, other.value, other.start, other.end) == (
        "us-gaap:NonoperatingIncomeExpense",
        "-565000000",
        date(2022, 9, 25),
        date(2023, 9, 30),
    )
    eps = by_id(apple, "f-108")
    assert (eps.concept, eps.value, eps.unit) == ("us-gaap:EarningsPerShareDiluted", "6.08", "USD/shares")


def test_hidden_and_dei(apple: FactSet) -> None:
    assert by_id(apple, "f-56").value == "false"  # dei:AmendmentFlag in ix:hidden
    assert apple.dei("DocumentType") == "10-K"
    assert apple.dei("DocumentPeriodEndDate") == "2024-09-28"  # ixt:date-monthname-day-year-en
    assert apple.dei("CurrentFiscalYearEndDate") == "--09-28"
    assert apple.dei("EntityCentralIndexKey") == "0000320193"
    # this copy of the filing does not declare xmlns:dei / aapl / ...: the prefixes are kept as written
    assert "undeclared prefixes kept as written: ['aapl', 'country', 'dei', 'ecd', 'srt']" in apple.warnings


def test_continuation_chain(apple: FactSet) -> None:
    # f-361 "Revenue" continues at f-361-1, which continues at f-361-2
    text = by_id(apple, "f-361").value
    assert text is not None
    assert text.startswith(
        "Revenue The Company recognizes revenue at the amount to which it expects to be entitled"
    )
    assert (
        "The Company\u2019s proportion of net sales by disaggregated revenue source was generally consistent"
        in text
    )
    assert "  " not in text


def test_nested_facts_both_read() -> None:
    # simple.htm: ecd:PeoName and a text block sit inside the ecd:PvpTableTextBlock
    fs = load("ixbrl/simple.htm")
    values = {f.concept: f.value for f in fs.facts}
    assert values["ecd:PeoName"] == "Sean D. Keohane"
    assert values["dei:DocumentType"] == "DEF 14A"
    outer = values["ecd:PvpTableTextBlock"]
    assert (
        outer is not None
        and "Our Principal Executive Officer (PEO) for each of the years reported was Sean D. Keohane"
        in outer
    )
    assert fs.warnings[0].startswith(
        "not well-formed XML (line 5: malformed XML: Namespace prefix ix on header"
    )
    assert "undeclared prefixes ['ix', 'link', 'xbrli'] read as their standard namespaces" in fs.warnings


def test_nvidia_fallback() -> None:
    fs = load("ixbrl/nvidia-10k.htm")
    assert fs.warnings[0].startswith(
        "not well-formed XML (line 5: malformed XML: Opening and ending tag mismatch: div line 4 and ix:nonNumeric"
    )
    assert fs.n_elements == 1396  # 1,235 ix:nonFraction + 161 ix:nonNumeric, as `grep -c` counts them
    assert len(fs.facts) == 1282
    (revenue,) = [
        f
        for f in fs.facts
        if f.concept == "us-gaap:Revenues" and not f.dimensions and f.end == date(2023, 1, 29) and f.start
    ]
    assert (revenue.value, revenue.start) == ("26974000000", date(2022, 1, 31))


def test_no_ix_tags() -> None:
    path = MIRROR / "8k/buckle-8k-ex99-1.htm"
    fs = parse_facts(path.name, path.read_bytes())
    assert fs.facts == []
    assert fs.warnings[-1] == "no inline XBRL facts"


def test_truncated_inline() -> None:
    data = (MIRROR / APPLE_2024).read_bytes()
    half = data[: len(data) // 2]
    with pytest.raises(ParseError) as info:
        parse_inline(half, "apple-10k-2024-09-28.htm")
    assert info.value.source == "apple-10k-2024-09-28.htm"
    assert info.value.line == half.count(b"\n") + 1
    assert "truncated document" in info.value.message


def test_missing_unit() -> None:
    data = (MIRROR / APPLE_2024).read_bytes()
    start = data.index(b'<xbrli:unit id="usdPerShare">')
    end = data.index(b"</xbrli:unit>", start) + len(b"</xbrli:unit>")
    with pytest.raises(ParseError, match="undefined unit 'usdPerShare'"):
        parse_inline(data[:start] + data[end:], "apple-10k-2024-09-28.htm")


def test_aeon_instance_and_inline_agree() -> None:
    """The SEC's instance (generated from the inline document) and the inline document give the same facts."""
    instance = load("xbrl/aeon-10q-2023-09-30/aeon-20230930x10q_htm.xml")
    inline = load("xbrl/aeon-10q-2023-09-30/aeon-20230930x10q.htm")
    numeric_a = {f.key() for f in instance.facts if f.numeric}
    numeric_b = {f.key() for f in inline.facts if f.numeric}
    assert numeric_a == numeric_b
    assert len(numeric_a) == 844

    def text(fs: FactSet) -> dict[tuple[object, ...], str | None]:
        return {
            (f.concept, f.period_type, f.start, f.end, f.dimensions): f.value
            for f in fs.facts
            if not f.numeric
        }

    text_a, text_b = text(instance), text(inline)
    assert set(text_a) == set(text_b)
    assert len(text_a) == 126
    # every text value is equal too, text blocks included: the instance's escaped XHTML, tags removed and
    # character references resolved, is the text of the inline element. Durations (ixt-sec:duryear "1.2" ->
    # P1Y2M12D), ballot boxes, exchange and state names, numbers in words agree with the SEC's conversion.
    assert text_a == text_b
    assert sum(1 for k in text_a if str(k[0]).endswith("TextBlock")) == 47


@pytest.mark.parametrize(
    ("text", "fmt", "value"),
    [
        ("1.2", "ixt-sec:duryear", "P1Y2M12D"),
        ("2.5", "ixt-sec:duryear", "P2Y6M"),
        ("8.1", "ixt-sec:duryear", "P8Y1M6D"),
        ("30", "ixt-sec:durday", "P30D"),
        ("seven years", "ixt-sec:durwordsen", "P7Y"),
        ("one year and six months", "ixt-sec:durwordsen", "P1Y6M"),
        ("no", "ixt-sec:numwordsen", "0"),
        ("one hundred and five", "ixt-sec:numwordsen", "105"),
        ("NYSE American", "ixt-sec:exchnameen", "NYSEAMER"),
        ("The Nasdaq Stock Market LLC", "ixt-sec:exchnameen", "NASDAQ"),
        ("Delaware", "ixt-sec:stateprovnameen", "DE"),
        ("Non-accelerated filer", "ixt-sec:entityfilercategoryen", "Non-accelerated Filer"),
        ("\u2612", "ixt-sec:boolballotbox", "true"),
        ("\u2610", "ixt-sec:boolballotbox", "false"),
        ("September 30, 2023", "ixt:datemonthdayyearen", "2023-09-30"),
        ("September 2024", "ixt:date-monthname-year-en", "2024-09"),
        ("September 28", "ixt:date-monthname-day-en", "--09-28"),
        ("\u2014", "ixt:zerodash", "0"),
        ("anything", "ixt:fixed-zero", "0"),
        ("", "ixt:fixed-empty", ""),
        ("1.234,50", "ixt:num-comma-decimal", "1234.5"),
        ("1,234.50", "ixt:numdotdecimal", "1234.5"),
        ("5 dollars 5 cents", "ixt:num-unit-decimal", "5.05"),
        ("n/a", "ixt:num-dot-decimal", None),
        ("Narnia", "ixt-sec:stateprovnameen", None),
        ("Elbonia", "ixt-sec:countrynameen", None),
    ],
)
def test_transform(text: str, fmt: str, value: str | None) -> None:
    assert transform(text, fmt) == value


def test_words_and_durations() -> None:
    assert words_to_number("twenty-one thousand, three hundred") == 21300
    assert words_to_number("several") is None
    assert parse_duration("-0.5", "ixt-sec:durmonth") == "-P0M15D"
    assert parse_duration("abc", "ixt-sec:duryear") is None
