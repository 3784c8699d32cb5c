"""Our facts against the SEC's own extraction (companyfacts JSON) for every filing of the mirror it covers."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

import msgspec
import pytest

from edgar.xbrl import parse_facts
from edgar.xbrl.crosscheck import compare_companyfacts
from lake.settings import Settings

MIRROR: Path = Settings.from_env().edgar_mirror
APPLE = "reference/companyfacts-CIK0000320193-apple.json"
NVIDIA = "reference/companyfacts-CIK0001045810-nvidia.json"
SNOWFLAKE = "reference/companyfacts-CIK0001640147-snowflake.json"

# (companyfacts, accession, document) -> (compared, equal); accessions from shared/edgar/README.md
CASES: dict[tuple[str, str, str], tuple[int, int]] = {
    (APPLE, "0000320193-22-000108", "xbrl/aapl-10k-2022-09-24/aapl-20220924_htm.xml"): (457, 457),
    (APPLE, "0000320193-22-000108", "xbrl/single/apple-10k-instance.xml"): (457, 457),
    (APPLE, "0000320193-23-000077", "xbrl/aapl-10q-2023-07-01/aapl-20230701_htm.xml"): (281, 281),
    (APPLE, "0000320193-23-000106", "xbrl/aapl-10k-2023-09-30/aapl-20230930_htm.xml"): (457, 457),
    (APPLE, "0000320193-24-000081", "ixbrl/apple-10q-2024-06-29.htm"): (251, 251),
    (APPLE, "0000320193-24-000123", "ixbrl/apple-10k-2024-09-28.htm"): (431, 431),
    (APPLE, "0000320193-25-000057", "xbrl/aapl-10q-2025-03-29/aapl-20250329_htm.xml"): (247, 247),
    (APPLE, "0000320193-25-000057", "xbrl/aapl-10q-2025-03-29/aapl-20250329.htm"): (247, 247),
    (APPLE, "0000320193-25-000073", "ixbrl/apple-10q-2025-06-28.htm"): (253, 253),
    (NVIDIA, "0001045810-23-000017", "ixbrl/nvidia-10k.htm"): (558, 558),
    (NVIDIA, "0001045810-25-000023", "ixbrl/nvidia-10k-2025-01-26.htm"): (580, 580),
    (NVIDIA, "0001045810-25-000209", "ixbrl/nvidia-10q-2025-07-27.htm"): (401, 401),
}


@pytest.mark.parametrize(("companyfacts", "accession", "rel"), sorted(CASES))
def test_agreement(companyfacts: str, accession: str, rel: str) -> None:
    path = MIRROR / rel
    facts = parse_facts(path.name, path.read_bytes()).facts
    agreement = compare_companyfacts((MIRROR / companyfacts).read_bytes(), accession, facts)
    assert agreement.missing == []
    assert agreement.different == []
    assert (agreement.compared, agreement.equal) == CASES[(companyfacts, accession, rel)]


def test_totals(capsys: pytest.CaptureFixture[str]) -> None:
    compared = sum(c for c, _ in CASES.values())
    equal = sum(e for _, e in CASES.values())
    assert (compared, equal) == (4620, 4620)
    with capsys.disabled():
        print(
            f"\ncompanyfacts cross-check: {len(CASES)} documents, {compared} SEC facts compared, {equal} equal"
        )


def test_snowflake_has_no_filing_in_the_mirror() -> None:
    doc = json.loads((MIRROR / SNOWFLAKE).read_bytes())
    accessions = {
        e["accn"] for t in doc["facts"].values() for c in t.values() for u in c["units"].values() for e in u
    }
    assert len(accessions) == 19
    assert all(
        a.startswith("0001640147-") for a in accessions
    )  # Snowflake's own filings; none is in xbrl/, ixbrl/


def test_differences_are_reported() -> None:
    path = MIRROR / "ixbrl/apple-10q-2025-06-28.htm"
    facts = parse_facts(path.name, path.read_bytes()).facts
    revenue = "us-gaap:RevenueFromContractWithCustomerExcludingAssessedTax"
    tampered = [
        msgspec.structs.replace(f, value="1")
        if f.concept == revenue and not f.dimensions and f.start == date(2025, 3, 30)
        else f
        for f in facts
        if not (f.concept == "dei:EntityCommonStockSharesOutstanding" and not f.dimensions)
    ]
    agreement = compare_companyfacts((MIRROR / APPLE).read_bytes(), "0000320193-25-000073", tampered)
    assert (agreement.compared, agreement.equal) == (253, 251)
    assert agreement.missing == ["dei:EntityCommonStockSharesOutstanding shares 2025-07-18"]
    assert agreement.different == [f"{revenue} USD 2025-03-30..2025-06-28: sec=94036000000 ours=['1']"]
