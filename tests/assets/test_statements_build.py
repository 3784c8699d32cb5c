"""Facts and statements in the built lake: values read from the filings, derivations, point in time, checks."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from edgar.statements.mapping import FIELDS
from lake.delta import read_table
from lake.duck import connect
from lake.settings import Settings
from lake.storage import Lake
from lake.tables import (
    BALANCE_SHEET_FIELDS,
    BALANCE_SHEETS,
    CASH_FLOW_FIELDS,
    CASH_FLOW_STATEMENTS,
    INCOME_FIELDS,
    INCOME_STATEMENTS,
    XBRL_FILINGS,
)
from tests.support.build import build_lake


def _one(lake: Lake, spec: Any, **where: Any) -> dict[str, Any]:
    rows = [r for r in read_table(lake, spec).to_pylist() if all(r[k] == v for k, v in where.items())]
    assert len(rows) == 1, (where, len(rows))
    return rows[0]


def test_the_lake_schemas_carry_exactly_the_mapped_fd_fields() -> None:
    assert FIELDS["income"] == INCOME_FIELDS
    assert FIELDS["balance_sheet"] == BALANCE_SHEET_FIELDS
    assert FIELDS["cash_flow"] == CASH_FLOW_FIELDS
    assert (len(INCOME_FIELDS), len(BALANCE_SHEET_FIELDS), len(CASH_FLOW_FIELDS)) == (21, 26, 16)


def test_every_periodic_filing_was_extracted_and_agrees_with_the_sec(built_lake: Lake) -> None:
    status = {r["filing_id"]: r for r in read_table(built_lake, XBRL_FILINGS).to_pylist()}
    periodic = [s for s in status.values() if s["form"] in ("10-K", "10-Q")]
    assert len(periodic) == 28
    assert all(s["status"] == "ok" for s in periodic)
    assert status["0000320193-23-000106"]["facts"] == 1075
    assert status["0000320193-23-000106"]["document"] == "aapl-20230930_htm.xml"
    assert status["0001045810-23-000017"]["document"] == "nvidia-10k.htm"  # not well-formed: recovered
    assert any("not well-formed" in w or "recover" in w for w in status["0001045810-23-000017"]["warnings"])
    compared = sum(s["sec_compared"] or 0 for s in status.values())
    equal = sum(s["sec_equal"] or 0 for s in status.values())
    assert (compared, equal) == (3916, 3916)


def test_annual_statements_equal_the_printed_figures(built_lake: Lake) -> None:
    apple = dict(cik=320193, period="annual", fiscal_period="FY2023", version="latest")
    income = _one(built_lake, INCOME_STATEMENTS, **apple)
    assert (income["revenue"], income["net_income"], income["earnings_per_share_diluted"]) == (
        383285000000.0,
        96995000000.0,
        6.13,
    )
    assert (income["gross_profit"], income["cost_of_revenue"]) == (169148000000.0, 214137000000.0)
    assert income["ticker"] == "AAPL" and income["currency"] == "USD"
    balance = _one(built_lake, BALANCE_SHEETS, **apple)
    assert balance["total_assets"] == 352583000000.0
    assert balance["total_liabilities"] + balance["shareholders_equity"] == balance["total_assets"]
    cash = _one(built_lake, CASH_FLOW_STATEMENTS, **apple)
    assert (cash["capital_expenditure"], cash["free_cash_flow"]) == (-10959000000.0, 99584000000.0)
    # inline XBRL filings: Apple FY2024, Tesla FY2024, NVIDIA FY2025
    fy2024 = _one(
        built_lake, INCOME_STATEMENTS, cik=320193, period="annual", fiscal_period="FY2024", version="latest"
    )
    assert fy2024["revenue"] == 391035000000.0
    assert fy2024["accession_number"] == "0000320193-24-000123"
    tesla = _one(
        built_lake, INCOME_STATEMENTS, cik=1318605, period="annual", fiscal_period="FY2024", version="latest"
    )
    assert tesla["revenue"] == 97690000000.0
    nvidia = _one(
        built_lake, INCOME_STATEMENTS, cik=1045810, period="annual", fiscal_period="FY2025", version="latest"
    )
    assert nvidia["revenue"] == 130497000000.0


def test_quarters_q4_and_ttm_are_derived_from_filings_in_the_mirror(built_lake: Lake) -> None:
    q3 = _one(
        built_lake,
        INCOME_STATEMENTS,
        cik=320193,
        period="quarterly",
        fiscal_period="2023-Q3",
        version="latest",
    )
    assert q3["revenue"] == 81797000000.0
    q4 = _one(
        built_lake,
        INCOME_STATEMENTS,
        cik=320193,
        period="quarterly",
        fiscal_period="2023-Q4",
        version="first",
    )
    assert q4["revenue"] == 383285000000.0 - 293787000000.0  # FY2023 10-K minus the 9M of the Q3 10-Q
    assert json.loads(q4["sources"])["revenue"] == "FY2023 - 9M to 2023-07-01"
    assert q4["earnings_per_share_diluted"] is None  # never derived by subtraction
    # Netflix TTM at 2024-Q3: its four quarters, Q4 2023 derived from the FY2023 10-K and the Q3 2023 9M
    nflx = {
        r["fiscal_period"]: r
        for r in read_table(built_lake, INCOME_STATEMENTS).to_pylist()
        if r["cik"] == 1065280 and r["version"] == "latest" and r["period"] == "quarterly"
    }
    ttm = [r for r in read_table(built_lake, INCOME_STATEMENTS).to_pylist()
           if r["cik"] == 1065280 and r["period"] == "ttm" and r["fiscal_period"] == "2024-Q3" and r["version"] == "latest"]  # fmt: skip
    assert len(ttm) == 1
    quarters = ["2023-Q4", "2024-Q1", "2024-Q2", "2024-Q3"]
    assert ttm[0]["revenue"] == sum(nflx[q]["revenue"] for q in quarters) == 37587278000.0
    assert json.loads(ttm[0]["sources"])["revenue"] == "2024-Q3 + 2024-Q2 + 2024-Q1 + 2023-Q4"


def test_point_in_time_a_filing_is_invisible_before_its_acceptance(built_lake: Lake) -> None:
    accepted = datetime(2023, 11, 2, 22, 8, 27, tzinfo=UTC)  # Apple's FY2023 10-K
    sql = """
        select value from statement_values
        where cik = 320193 and statement = 'income' and field = 'revenue' and period = 'annual'
          and fiscal_period = 'FY2023' and accepted_at <= ?
        order by accepted_at desc limit 1
    """
    con = connect(built_lake)
    try:
        assert con.execute(sql, [accepted - timedelta(seconds=1)]).fetchall() == []
        assert con.execute(sql, [accepted]).fetchall() == [(383285000000.0,)]
    finally:
        con.close()


def test_restatements_keep_both_values_and_both_filings(built_lake: Lake) -> None:
    rows = read_table(built_lake, "restatements").to_pylist()
    split = [r for r in rows if r["cik"] == 1045810 and r["field"] == "earnings_per_share_diluted"]
    assert len(split) == 1  # NVIDIA's 10-for-1 split of 2024: FY2023 EPS as first reported and as restated
    (eps,) = split
    assert (eps["fiscal_period"], eps["old_value"], eps["new_value"]) == ("FY2023", 1.74, 0.17)
    assert (eps["old_accession"], eps["new_accession"]) == ("0001045810-23-000017", "0001045810-25-000023")
    first = _one(
        built_lake, INCOME_STATEMENTS, cik=1045810, period="annual", fiscal_period="FY2023", version="first"
    )
    latest = _one(
        built_lake, INCOME_STATEMENTS, cik=1045810, period="annual", fiscal_period="FY2023", version="latest"
    )
    assert (first["earnings_per_share_diluted"], latest["earnings_per_share_diluted"]) == (1.74, 0.17)
    assert first["revenue"] == latest["revenue"] == 26974000000.0


@pytest.mark.parametrize("spec", [INCOME_STATEMENTS, BALANCE_SHEETS, CASH_FLOW_STATEMENTS])
def test_one_row_per_company_period_and_version(built_lake: Lake, spec: Any) -> None:
    rows = read_table(built_lake, spec).to_pylist()
    keys = [tuple(r[k] for k in spec.primary_key) for r in rows]
    assert len(keys) == len(set(keys)) > 100


def _mirror_with(tmp: Path, changes: dict[str, bytes]) -> Path:
    """The real mirror as symlinks, with some files replaced by the given bytes (derived from real files)."""
    mirror = Settings.from_env().edgar_mirror
    target = tmp / "shared" / "edgar"
    for path in mirror.rglob("*"):
        if path.is_file():
            link = target / path.relative_to(mirror)
            link.parent.mkdir(parents=True, exist_ok=True)
            rel = path.relative_to(mirror).as_posix()
            if rel in changes:
                link.write_bytes(changes.pop(rel))
            else:
                link.symlink_to(path)
    for rel, data in changes.items():  # new files
        (target / rel).parent.mkdir(parents=True, exist_ok=True)
        (target / rel).write_bytes(data)
    return tmp / "shared"


def test_a_broken_xbrl_document_is_an_error_of_its_filing_only(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    mirror = Settings.from_env().edgar_mirror
    tesla = (mirror / "xbrl/tsla-10q-2024-06-30/tsla-20240630_htm.xml").read_bytes()
    # the context of one (non-cover) fact removed: the document names a context it does not define
    start = tesla.index(b'<context id="c-100">')
    no_context = tesla[:start] + tesla[tesla.index(b"</context>", start) + len(b"</context>") :]
    apple = (mirror / "xbrl/aapl-10q-2023-07-01/aapl-20230701_htm.xml").read_bytes()
    shared = _mirror_with(
        tmp_path,
        {
            "xbrl/tsla-10q-2024-06-30/tsla-20240630_htm.xml": no_context,
            # a truncated second instance beside a good one: the good one is read, the bad one reported
            "xbrl/aapl-10q-2023-07-01/aapl-20230701-copy_htm.xml": apple[: len(apple) // 2],
        },
    )
    monkeypatch.setenv("AIHF_SHARED_DIR", str(shared))
    uri = str(tmp_path / "lakehouse")
    assert build_lake(uri).success
    lake = Lake(uri)
    status = {r["filing_id"]: r for r in read_table(lake, XBRL_FILINGS).to_pylist()}
    broken = status["0001628280-24-032662"]
    assert (broken["status"], broken["facts"]) == ("error", 0)
    assert broken["error"].startswith("tsla-20240630_htm.xml")
    assert "c-100" in broken["error"]
    fallback = status["0000320193-23-000077"]
    assert (fallback["status"], fallback["document"], fallback["facts"]) == (
        "ok",
        "aapl-20230701_htm.xml",
        765,
    )
    assert any("aapl-20230701-copy_htm.xml line" in w for w in fallback["warnings"])
    assert sum(1 for s in status.values() if s["status"] == "ok") == len(status) - 1
    # Tesla's other filings still have statements; nothing of this quarter's 10-Q is invented
    rows = read_table(lake, INCOME_STATEMENTS).to_pylist()
    tesla_rows = {(r["fiscal_period"], r["accession_number"]) for r in rows if r["cik"] == 1318605}
    assert ("FY2024", "0001628280-25-003063") in tesla_rows
    assert not any(acc == "0001628280-24-032662" for _, acc in tesla_rows)


def test_fact_footnotes_join_to_their_facts(built_lake: Lake) -> None:
    con = connect(built_lake)
    rows = con.execute(
        """
        select f.concept, f.value, n.footnote
        from fact_footnotes n join facts f using (filing_id, fact_key)
        where f.cik = 100885 and f.concept = 'unp:DepreciationRate' and f.value = '0.033'
        """
    ).fetchall()
    assert len(rows) == 1
    assert rows[0][2].startswith("Includes a weighted-average composite rate for rail in high-density")
    per_filing = dict(
        con.execute(
            "select document, count(*) from fact_footnotes join xbrl_filings using (filing_id) group by 1"
        ).fetchall()
    )
    assert per_filing["unp-20121231.xml"] == 20
    assert per_filing["nflx-20100930.xml"] == 16
