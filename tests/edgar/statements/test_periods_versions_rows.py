from __future__ import annotations

from datetime import date, datetime, timedelta

import pytest

from edgar.statements import (
    FIELDS,
    as_of,
    derive,
    prepare,
    restatements,
    select_versions,
    statement_rows,
)
from tests.edgar.statements.companyfacts import APPLE, NVIDIA
from tests.edgar.statements.conftest import ACCEPTED, absent, pick, raw, values_of

APPLE_FY2023 = (
    "0000320193-22-000108",  # 10-K FY2022
    "0000320193-23-000006",  # 10-Q Q1 FY2023
    "0000320193-23-000064",  # 10-Q Q2 FY2023
    "0000320193-23-000077",  # 10-Q Q3 FY2023
    "0000320193-23-000106",  # 10-K FY2023
)
REVENUE = "us-gaap:RevenueFromContractWithCustomerExcludingAssessedTax"
OCF = "us-gaap:NetCashProvidedByUsedInOperatingActivities"


@pytest.fixture(scope="module")
def apple_reported():
    return values_of(APPLE, *APPLE_FY2023)


@pytest.fixture(scope="module")
def apple_latest(apple_reported):
    return [v for v in prepare(apple_reported) if v.version == "latest"]


def test_q4_is_fy_minus_nine_months(apple_latest) -> None:
    fy = raw(APPLE, REVENUE, "0000320193-23-000106", "2023-09-30", "2022-09-25")
    nine_months = raw(APPLE, REVENUE, "0000320193-23-000077", "2023-07-01", "2022-09-25")
    assert (fy, nine_months) == (383285000000, 293787000000)
    q4 = pick(apple_latest, "income", "revenue", "quarterly", "2023-Q4")
    assert q4.value == fy - nine_months == 89498000000
    assert (q4.start, q4.report_period, q4.method) == (date(2023, 7, 2), date(2023, 9, 30), "derived")
    assert q4.derivation == "FY2023 - 9M to 2023-07-01"
    assert q4.filing.accession_number == "0000320193-23-000106"  # known once the 10-K is out
    assert q4.inputs == ("0000320193-23-000077", "0000320193-23-000106")
    assert (
        pick(apple_latest, "income", "net_income", "quarterly", "2023-Q4").value == 96995000000 - 74039000000
    )


def test_per_share_and_share_counts_are_not_derived(apple_latest) -> None:
    assert absent(apple_latest, "income", "earnings_per_share_diluted", "quarterly", "2023-Q4")
    assert absent(apple_latest, "income", "weighted_average_shares", "quarterly", "2023-Q4")
    assert absent(apple_latest, "income", "earnings_per_share_diluted", "ttm", "2023-Q3")
    # at a fiscal year end the TTM is the fiscal year, EPS included
    assert pick(apple_latest, "income", "earnings_per_share_diluted", "ttm", "2023-Q4").value == 6.13


def test_quarterly_cash_flow_from_ytd_differences(apple_latest) -> None:
    ocf = {
        (acc, end): raw(APPLE, OCF, acc, end, "2022-09-25")
        for acc, end in (
            ("0000320193-23-000006", "2022-12-31"),
            ("0000320193-23-000064", "2023-04-01"),
            ("0000320193-23-000077", "2023-07-01"),
            ("0000320193-23-000106", "2023-09-30"),
        )
    }
    q1, h1, m9, fy = ocf.values()
    assert (q1, h1, m9, fy) == (34005000000, 62565000000, 88945000000, 110543000000)
    assert (
        pick(apple_latest, "cash_flow", "net_cash_flow_from_operations", "quarterly", "2023-Q1").method
        == "concept"
    )
    q2 = pick(apple_latest, "cash_flow", "net_cash_flow_from_operations", "quarterly", "2023-Q2")
    assert (q2.value, q2.derivation) == (h1 - q1, "6M to 2023-04-01 - 2023-Q1")
    q3 = pick(apple_latest, "cash_flow", "net_cash_flow_from_operations", "quarterly", "2023-Q3")
    assert (q3.value, q3.derivation) == (m9 - h1, "9M to 2023-07-01 - 6M to 2023-04-01")
    assert q3.value == 26380000000
    q4 = pick(apple_latest, "cash_flow", "net_cash_flow_from_operations", "quarterly", "2023-Q4")
    assert q4.value == fy - m9
    capex_q3 = pick(apple_latest, "cash_flow", "capital_expenditure", "quarterly", "2023-Q3")
    assert capex_q3.value == -(8796000000 - 6703000000)  # 9M payments 8,796 - 6M payments 6,703
    # free cash flow is derived from the derived quarters, not from a formula over YTD values only
    fcf_q3 = pick(apple_latest, "cash_flow", "free_cash_flow", "quarterly", "2023-Q3")
    assert fcf_q3.value == 26380000000 - 2093000000


def test_ttm_sums_four_consecutive_quarters(apple_latest) -> None:
    ttm = pick(apple_latest, "income", "revenue", "ttm", "2023-Q3")
    fy2022 = raw(APPLE, REVENUE, "0000320193-22-000108", "2022-09-24", "2021-09-26")
    nine_2022 = raw(APPLE, REVENUE, "0000320193-23-000077", "2022-06-25", "2021-09-26")
    q4_2022 = fy2022 - nine_2022
    assert q4_2022 == 90146000000
    assert ttm.value == 81797000000 + 94836000000 + 117154000000 + q4_2022 == 383933000000
    assert ttm.derivation == "2023-Q3 + 2023-Q2 + 2023-Q1 + 2022-Q4"
    assert (ttm.start, ttm.report_period, ttm.months) == (date(2022, 6, 26), date(2023, 7, 1), 12)
    assert pick(apple_latest, "income", "revenue", "ttm", "2023-Q4").value == 383285000000
    stock = pick(apple_latest, "balance_sheet", "total_assets", "ttm", "2023-Q3")
    assert (stock.value, stock.derivation) == (335038000000, "value at 2023-07-01")


def test_as_of_excludes_a_filing_accepted_the_next_day(apple_reported) -> None:
    accepted = ACCEPTED["0000320193-23-000106"]
    day_before = accepted - timedelta(days=1)
    before = as_of(apple_reported, day_before)
    assert {v.filing.accession_number for v in before} == set(APPLE_FY2023) - {"0000320193-23-000106"}
    assert absent(before, "income", "revenue", "annual", "FY2023")
    assert len(as_of(apple_reported, accepted)) == len(apple_reported)
    # filing date used when the acceptance time is unknown: the Q2 10-Q was filed 2023-05-05
    assert {v.filing.accession_number for v in as_of(apple_reported, datetime(2023, 5, 4, 23, 0))} == {
        "0000320193-22-000108",
        "0000320193-23-000006",
    }
    point_in_time = [v for v in prepare(apple_reported, when=day_before) if v.version == "latest"]
    assert absent(point_in_time, "income", "revenue", "quarterly", "2023-Q4")
    assert (
        pick(point_in_time, "income", "revenue", "ttm", "2023-Q3").filing.accession_number
        == "0000320193-23-000077"
    )


def test_apple_fy2022_not_restated_by_fy2023_10k() -> None:
    values = values_of(APPLE, "0000320193-22-000108", "0000320193-23-000106")
    fy2022 = [v for v in values if v.fiscal_period == "FY2022"]
    by_filing = {v.filing.accession_number for v in fy2022}
    assert by_filing == {"0000320193-22-000108", "0000320193-23-000106"}  # both report FY2022
    assert restatements(values) == []  # checked in the SEC data: every shared value is unchanged


def test_real_restatement_apple_fy2015_assets() -> None:
    values = values_of(APPLE, "0001193125-15-356351", "0001628280-16-020309")
    found = {(r.field, r.fiscal_period): r for r in restatements(values)}
    assets = found["total_assets", "FY2015"]
    assert (assets.old_value, assets.new_value) == (290479000000, 290345000000)
    assert (assets.old_filing.accession_number, assets.new_filing.accession_number) == (
        "0001193125-15-356351",
        "0001628280-16-020309",
    )
    assert assets.old_source == assets.new_source == "us-gaap:Assets"
    assert found["non_current_debt", "FY2015"].new_value == 53329000000
    versions = select_versions(values)
    first = pick(versions, "balance_sheet", "total_assets", "annual", "FY2015", version="first")
    latest = pick(versions, "balance_sheet", "total_assets", "annual", "FY2015", version="latest")
    assert (first.value, latest.value) == (290479000000, 290345000000)


def test_real_restatement_nvidia_stock_split() -> None:
    values = values_of(NVIDIA, "0001045810-24-000029", "0001045810-25-000023")
    found = {(r.field, r.fiscal_period): r for r in restatements(values)}
    eps = found["earnings_per_share_diluted", "FY2024"]
    assert (eps.old_value, eps.new_value) == (11.93, 1.19)  # 10-for-1 split of June 2024
    assert found["weighted_average_shares", "FY2024"].new_value == 24690000000
    assert ("revenue", "FY2024") not in found
    rows = statement_rows(prepare(values), "income", "annual")
    fy2024 = {r["version"]: r for r in rows if r["fiscal_period"] == "FY2024"}
    assert fy2024["first"]["earnings_per_share_diluted"] == 11.93
    assert fy2024["latest"]["earnings_per_share_diluted"] == 1.19
    assert fy2024["first"]["accession_number"] == "0001045810-24-000029"
    assert fy2024["latest"]["accession_number"] == "0001045810-25-000023"
    assert fy2024["first"]["revenue"] == fy2024["latest"]["revenue"] == 60922000000


def test_statement_rows_shape_and_provenance(apple_reported) -> None:
    rows = statement_rows(prepare(apple_reported), "income", "annual")
    row = next(r for r in rows if r["fiscal_period"] == "FY2023" and r["version"] == "latest")
    assert list(row)[:7] == [
        "cik",
        "statement",
        "report_period",
        "fiscal_period",
        "period",
        "currency",
        "version",
    ]
    assert set(FIELDS["income"]) <= set(row)
    assert (row["cik"], row["report_period"], row["currency"]) == (320193, date(2023, 9, 30), "USD")
    assert row["revenue"] == 383285000000 and row["earnings_per_share_diluted"] == 6.13
    assert row["net_income_non_controlling_interests"] is None
    assert row["accession_number"] == "0000320193-23-000106" and row["form"] == "10-K"
    assert row["filing_date"] == date(2023, 11, 3) and row["accepted_at"] == ACCEPTED["0000320193-23-000106"]
    assert row["sources"]["revenue"] == REVENUE
    assert "net_income_non_controlling_interests" not in row["sources"]
    cash = statement_rows(prepare(apple_reported), "cash_flow", "quarterly")
    q3 = next(r for r in cash if r["fiscal_period"] == "2023-Q3" and r["version"] == "latest")
    assert q3["net_cash_flow_from_operations"] == 26380000000
    assert q3["ending_cash_balance"] == 29898000000  # the instant at 2023-07-01
    assert q3["sources"]["net_cash_flow_from_operations"] == "9M to 2023-07-01 - 6M to 2023-04-01"


def test_balance_sheet_identity_on_every_row() -> None:
    mirrored = {
        APPLE: (
            "0000320193-22-000108",
            "0000320193-23-000077",
            "0000320193-23-000106",
            "0000320193-24-000081",
            "0000320193-24-000123",
            "0000320193-25-000057",
            "0000320193-25-000073",
        ),
        NVIDIA: ("0001045810-23-000017", "0001045810-25-000023", "0001045810-25-000209"),
    }
    checked = 0
    for path, accessions in mirrored.items():
        for row in statement_rows(values_of(path, *accessions), "balance_sheet", "quarterly"):
            parts = (row["total_assets"], row["total_liabilities"], row["shareholders_equity"])
            if None in parts:
                continue
            assert parts[0] == parts[1] + parts[2], row["fiscal_period"]
            checked += 1
    assert checked >= 20  # rows (reported, per filing) with all three items
    fy2023 = values_of(APPLE, "0000320193-23-000106")
    assert (
        raw(APPLE, "us-gaap:LiabilitiesAndStockholdersEquity", "0000320193-23-000106", "2023-09-30")
        == 352583000000
    )
    row = next(r for r in statement_rows(fy2023, "balance_sheet", "annual") if r["fiscal_period"] == "FY2023")
    assert row["total_liabilities"] + row["shareholders_equity"] == row["total_assets"] == 352583000000


def test_nvidia_q2_capex_from_ytd_difference() -> None:
    values = values_of(NVIDIA, "0001045810-25-000116", "0001045810-25-000209")
    derived = derive(select_versions(values))
    latest = [v for v in derived if v.version == "latest"]
    q1 = raw(
        NVIDIA,
        "us-gaap:PaymentsToAcquireProductiveAssets",
        "0001045810-25-000116",
        "2025-04-27",
        "2025-01-27",
    )
    h1 = raw(
        NVIDIA,
        "us-gaap:PaymentsToAcquireProductiveAssets",
        "0001045810-25-000209",
        "2025-07-27",
        "2025-01-27",
    )
    q2 = pick(latest, "cash_flow", "capital_expenditure", "quarterly", "2026-Q2")
    assert q2.value == -(h1 - q1) and h1 == 3122000000
