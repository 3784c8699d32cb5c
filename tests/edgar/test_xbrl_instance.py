"""parse_instance / parse_facts on the real XBRL instances of the offline mirror (values read from the files)."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from edgar.errors import ParseError
from edgar.xbrl import FactSet, parse_facts, parse_instance
from edgar.xbrl.model import Fact
from lake.settings import Settings

MIRROR: Path = Settings.from_env().edgar_mirror
AAPL_2023 = "xbrl/aapl-10k-2023-09-30/aapl-20230930_htm.xml"

# file -> (distinct facts, fact elements, contexts, units); elements = `grep -c contextRef` for these files
COUNTS: dict[str, tuple[int, int, int, int]] = {
    "xbrl/aapl-10k-2022-09-24/aapl-20220924_htm.xml": (1088, 1174, 226, 9),
    AAPL_2023: (1075, 1164, 205, 9),
    "xbrl/aapl-10q-2023-07-01/aapl-20230701_htm.xml": (765, 835, 174, 7),
    "xbrl/aapl-10q-2025-03-29/aapl-20250329_htm.xml": (700, 760, 163, 5),
    "xbrl/aeon-10q-2023-09-30/aeon-20230930x10q_htm.xml": (970, 1132, 374, 10),
    "xbrl/gahc-10q-2024-09-30/Form10q_htm.xml": (868, 899, 373, 6),
    "xbrl/nflx-10k-2023-12-31/nflx-20231231_htm.xml": (1007, 1086, 230, 10),
    "xbrl/nflx-10q-2010-09-30/nflx-20100930.xml": (303, 303, 11, 3),
    "xbrl/nflx-10q-2024-03-31/nflx-20240331_htm.xml": (690, 747, 242, 7),
    "xbrl/nflx-10q-2024-09-30/nflx-20240930_htm.xml": (1048, 1162, 332, 7),
    "xbrl/single/aapl-10q-2013-06-29-instance.xml": (831, 831, 151, 7),
    "xbrl/single/apple-10k-instance.xml": (1088, 1174, 226, 9),
    "xbrl/single/carbo-ceramics-10k-2017-12-31-instance.xml": (918, 918, 272, 14),
    "xbrl/single/netflix-10k-instance.xml": (893, 964, 190, 10),
    "xbrl/single/waters-8k-instance.xml": (22, 22, 1, 0),
    "xbrl/tsla-10q-2024-06-30/tsla-20240630_htm.xml": (1059, 1149, 338, 8),
    "xbrl/unp-10k-2012-12-31/unp-20121231.xml": (1526, 1526, 344, 4),
}


def load(rel: str) -> FactSet:
    path = MIRROR / rel
    return parse_facts(path.name, path.read_bytes())


@pytest.fixture(scope="module")
def aapl() -> FactSet:
    return load(AAPL_2023)


def find(fs: FactSet, concept: str, **aspects: object) -> list[Fact]:
    return [
        f for f in fs.facts if f.concept == concept and all(getattr(f, k) == v for k, v in aspects.items())
    ]


@pytest.mark.parametrize("rel", sorted(COUNTS))
def test_counts(rel: str) -> None:
    fs = load(rel)
    assert fs.kind == "xbrl-instance"
    assert (len(fs.facts), fs.n_elements, fs.n_contexts, fs.n_units) == COUNTS[rel]
    assert len({f.key() for f in fs.facts}) == len(fs.facts)


def test_revenue_and_eps(aapl: FactSet) -> None:
    (revenue,) = find(
        aapl,
        "us-gaap:RevenueFromContractWithCustomerExcludingAssessedTax",
        start=date(2022, 9, 25),
        end=date(2023, 9, 30),
        dimensions=(),
    )
    assert revenue.value == "383285000000"
    assert (revenue.unit, revenue.decimals, revenue.numeric, revenue.period_type) == (
        "USD",
        -6,
        True,
        "duration",
    )
    assert (revenue.entity, revenue.context_id, revenue.fact_id) == ("0000320193", "c-1", "f-69")
    (eps,) = find(aapl, "us-gaap:EarningsPerShareDiluted", end=date(2023, 9, 30), dimensions=())
    assert (eps.value, eps.unit, eps.decimals) == ("6.13", "USD/shares", 2)


def test_dimensional_fact(aapl: FactSet) -> None:
    (iphone,) = find(
        aapl,
        "us-gaap:RevenueFromContractWithCustomerExcludingAssessedTax",
        end=date(2023, 9, 30),
        dimensions=(("srt:ProductOrServiceAxis", "aapl:IPhoneMember"),),
    )
    assert iphone.value == "200583000000"
    (china,) = find(
        aapl,
        "us-gaap:RevenueFromContractWithCustomerExcludingAssessedTax",
        end=date(2023, 9, 30),
        dimensions=(("srt:StatementGeographicalAxis", "country:CN"),),
    )
    assert china.value == "72559000000"


def test_typed_dimension_and_nil(aapl: FactSet) -> None:
    axis = "us-gaap:RevenueRemainingPerformanceObligationExpectedTimingOfSatisfactionStartDateAxis"
    (pct,) = find(
        aapl, "us-gaap:RevenueRemainingPerformanceObligationPercentage", dimensions=((axis, "2023-10-01"),)
    )
    assert (pct.value, pct.unit, pct.period_type, pct.end) == ("0.67", "pure", "instant", date(2023, 9, 30))
    (nil_period,) = find(
        aapl,
        "us-gaap:RevenueRemainingPerformanceObligationExpectedTimingOfSatisfactionPeriod1",
        dimensions=((axis, "2026-09-27"),),
    )
    assert nil_period.is_nil and nil_period.value is None and not nil_period.numeric
    nil_commitments = find(aapl, "us-gaap:CommitmentsAndContingencies")
    assert [(f.end, f.is_nil, f.value, f.unit) for f in nil_commitments] == [
        (date(2023, 9, 30), True, None, "USD"),
        (date(2022, 9, 24), True, None, "USD"),
    ]


def test_dei_and_rounding_duplicates(aapl: FactSet) -> None:
    assert aapl.dei("DocumentType") == "10-K"
    assert aapl.dei("EntityCentralIndexKey") == "0000320193"
    assert aapl.dei("DocumentPeriodEndDate") == "2023-09-30"
    # the same tax figure is reported in billions (-8) and in millions (-6): both kept, reported as rounding
    values = {
        f.value: f.decimals for f in find(aapl, "us-gaap:UnrecognizedTaxBenefits", end=date(2023, 9, 30))
    }
    assert values == {"19454000000": -6, "19500000000": -8}
    assert aapl.warnings == [
        "2 duplicate fact(s) differ only by rounding (all kept), e.g. us-gaap:UnrecognizedTaxBenefits "
        "'19500000000' vs '19454000000'"
    ]


def test_text_block_markup_becomes_text(aapl: FactSet) -> None:
    (policy,) = find(aapl, "us-gaap:RevenueFromContractWithCustomerTextBlock")
    assert policy.value is not None
    assert policy.value.startswith("RevenueThe Company recognizes revenue at the amount to which it expects")
    assert "<" not in policy.value


def test_2010_instance_prefixes() -> None:
    fs = load("xbrl/nflx-10q-2010-09-30/nflx-20100930.xml")
    (cik,) = find(fs, "dei:EntityCentralIndexKey")
    assert cik.value == "0001065280"
    assert {f.concept.split(":")[0] for f in fs.facts} == {"dei", "us-gaap", "nflx"}


def test_truncated_instance() -> None:
    data = (MIRROR / AAPL_2023).read_bytes()
    with pytest.raises(ParseError) as info:
        parse_instance(data[: len(data) // 2], "aapl-20230930_htm.xml")
    assert info.value.source == "aapl-20230930_htm.xml"
    assert info.value.line == data[: len(data) // 2].count(b"\n") + 1
    assert "malformed XML" in info.value.message


def test_missing_context() -> None:
    data = (MIRROR / AAPL_2023).read_bytes()
    start = data.index(b'<context id="c-1">')
    end = data.index(b"</context>", start) + len(b"</context>")
    with pytest.raises(ParseError) as info:
        parse_instance(data[:start] + data[end:], "aapl-20230930_htm.xml")
    assert info.value.source == "aapl-20230930_htm.xml"
    assert "undefined context 'c-1'" in info.value.message
    assert info.value.line == 2470 - data[start:end].count(b"\n")  # dei:AmendmentFlag, the first fact in c-1


def test_not_xbrl() -> None:
    path = MIRROR / "xbrl/aapl-10k-2023-09-30/aapl-20230930_cal.xml"
    with pytest.raises(ParseError, match="detected xbrl-linkbase"):
        parse_facts(path.name, path.read_bytes())
