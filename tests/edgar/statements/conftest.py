from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pytest

from edgar.statements import FilingRef, StatementValue, standardize
from tests.edgar.statements.companyfacts import APPLE, NVIDIA, facts_from_companyfacts, filing_ref

EASTERN_DAYLIGHT = timezone(timedelta(hours=-4))

# acceptance times from /work/shared/edgar/README.md (Apple's JSON times read as Eastern wall-clock there)
ACCEPTED = {
    "0000320193-23-000077": datetime(2023, 8, 3, 18, 4, 43, tzinfo=EASTERN_DAYLIGHT),
    "0000320193-23-000106": datetime(2023, 11, 2, 18, 8, 27, tzinfo=EASTERN_DAYLIGHT),
}


@pytest.fixture(scope="session", autouse=True)
def _reference_files() -> None:
    for path in (APPLE, NVIDIA):
        if not path.is_file():
            pytest.skip(f"SEC companyfacts file not found: {path}")


def filing(path, accession: str) -> FilingRef:
    ref = filing_ref(path, accession)
    if accession in ACCEPTED:
        ref = FilingRef(
            cik=ref.cik,
            accession_number=ref.accession_number,
            form=ref.form,
            filing_date=ref.filing_date,
            accepted_at=ACCEPTED[accession],
        )
    return ref


def values_of(path, *accessions: str, **kwargs) -> list[StatementValue]:
    out: list[StatementValue] = []
    for accession in accessions:
        out += standardize(facts_from_companyfacts(path, accession), filing=filing(path, accession), **kwargs)
    return out


def pick(values, statement: str, field: str, period: str, fiscal_period: str, **where) -> StatementValue:
    hits = [
        v
        for v in values
        if v.statement == statement
        and v.field == field
        and v.period == period
        and v.fiscal_period == fiscal_period
        and all(getattr(v, k) == w for k, w in where.items())
    ]
    assert len(hits) == 1, f"{statement}.{field} {period} {fiscal_period}: {len(hits)} values"
    return hits[0]


def absent(values, statement: str, field: str, period: str, fiscal_period: str) -> bool:
    return not any(
        v.statement == statement
        and v.field == field
        and v.period == period
        and v.fiscal_period == fiscal_period
        for v in values
    )


def raw(path, concept: str, accession: str, end: str, start: str | None = None, unit: str = "USD") -> float:
    """The value straight from the SEC JSON, independent of the code under test."""
    from tests.edgar.statements.companyfacts import load

    taxonomy, name = concept.split(":")
    for entry in load(path)["facts"][taxonomy][name]["units"][unit]:
        if entry["accn"] == accession and entry["end"] == end and entry.get("start") == start:
            return entry["val"]
    raise LookupError((concept, accession, start, end))
