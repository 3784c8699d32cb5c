from __future__ import annotations

from datetime import date

import pytest

from edgar.statements import (
    duration_months,
    fiscal_calendar,
    is_financial,
    parse_fiscal_year_end,
    standardize,
)
from tests.edgar.statements.companyfacts import APPLE, NVIDIA, facts_from_companyfacts
from tests.edgar.statements.conftest import absent, filing, pick, raw, values_of

AAPL_10K_2023 = "0000320193-23-000106"
AAPL_10Q_Q3_2023 = "0000320193-23-000077"
NVDA_10K_2025 = "0001045810-25-000023"
NVDA_10Q_Q2_2026 = "0001045810-25-000209"


@pytest.fixture(scope="module")
def apple_fy2023():
    return values_of(APPLE, AAPL_10K_2023)


def test_apple_fy2023_income(apple_fy2023) -> None:
    v = apple_fy2023
    assert pick(v, "income", "revenue", "annual", "FY2023").value == 383285000000
    assert (
        raw(
            APPLE,
            "us-gaap:RevenueFromContractWithCustomerExcludingAssessedTax",
            AAPL_10K_2023,
            "2023-09-30",
            "2022-09-25",
        )
        == 383285000000
    )
    revenue = pick(v, "income", "revenue", "annual", "FY2023")
    assert revenue.source == "us-gaap:RevenueFromContractWithCustomerExcludingAssessedTax"
    assert (revenue.start, revenue.report_period, revenue.months, revenue.currency) == (
        date(2022, 9, 25),
        date(2023, 9, 30),
        12,
        "USD",
    )
    assert revenue.filing.accession_number == AAPL_10K_2023 and revenue.filing.form == "10-K"
    assert pick(v, "income", "cost_of_revenue", "annual", "FY2023").value == 214137000000
    assert pick(v, "income", "gross_profit", "annual", "FY2023").value == 169148000000
    assert pick(v, "income", "operating_expense", "annual", "FY2023").value == 54847000000
    assert pick(v, "income", "operating_income", "annual", "FY2023").value == 114301000000
    assert pick(v, "income", "net_income", "annual", "FY2023").value == 96995000000
    assert pick(v, "income", "income_tax_expense", "annual", "FY2023").value == 16741000000
    eps = pick(v, "income", "earnings_per_share_diluted", "annual", "FY2023")
    assert (eps.value, eps.unit, eps.currency) == (6.13, "USD/shares", "USD")
    assert pick(v, "income", "earnings_per_share", "annual", "FY2023").value == 6.16
    shares = pick(v, "income", "weighted_average_shares_diluted", "annual", "FY2023")
    assert (shares.value, shares.currency) == (15812547000, None)
    # ebit = pre-tax income 113,736 + interest expense 3,933 (both tagged in this filing)
    ebit = pick(v, "income", "ebit", "annual", "FY2023")
    assert ebit.value == 113736000000 + 3933000000 and ebit.method == "formula"
    # Apple has no noncontrolling interests nor discontinued operations: unknown, never 0
    assert absent(v, "income", "net_income_non_controlling_interests", "annual", "FY2023")
    assert absent(v, "income", "net_income_discontinued_operations", "annual", "FY2023")


def test_apple_fy2023_balance_sheet(apple_fy2023) -> None:
    v = apple_fy2023
    assets = pick(v, "balance_sheet", "total_assets", "annual", "FY2023")
    assert (assets.value, assets.report_period, assets.start, assets.months) == (
        352583000000,
        date(2023, 9, 30),
        None,
        0,
    )
    assert pick(v, "balance_sheet", "total_assets", "quarterly", "2023-Q4").value == 352583000000
    assert pick(v, "balance_sheet", "total_liabilities", "annual", "FY2023").value == 290437000000
    assert pick(v, "balance_sheet", "shareholders_equity", "annual", "FY2023").value == 62146000000
    assert pick(v, "balance_sheet", "cash_and_equivalents", "annual", "FY2023").value == 29965000000
    # commercial paper 5,985 + current term debt 9,822; non-current term debt 95,281
    assert pick(v, "balance_sheet", "current_debt", "annual", "FY2023").value == 5985000000 + 9822000000
    assert pick(v, "balance_sheet", "non_current_debt", "annual", "FY2023").value == 95281000000
    total_debt = pick(v, "balance_sheet", "total_debt", "annual", "FY2023")
    assert (total_debt.value, total_debt.source) == (111088000000, "=current_debt + non_current_debt")
    # accounts receivable 29,508 + vendor non-trade receivables 31,477
    assert (
        pick(v, "balance_sheet", "trade_and_non_trade_receivables", "annual", "FY2023").value == 60985000000
    )
    assert pick(v, "balance_sheet", "investments", "annual", "FY2023").value == 31590000000 + 100544000000
    assert pick(v, "balance_sheet", "outstanding_shares", "annual", "FY2023").value == 15550061000
    assert pick(v, "balance_sheet", "retained_earnings", "annual", "FY2023").value == -214000000
    # comparative balance sheet of the same filing: FY2022
    assert pick(v, "balance_sheet", "total_assets", "annual", "FY2022").value == 352755000000
    # Apple carries no goodwill line: unknown
    assert absent(v, "balance_sheet", "goodwill_and_intangible_assets", "annual", "FY2023")


def test_apple_fy2023_cash_flow_signs(apple_fy2023) -> None:
    v = apple_fy2023
    assert pick(v, "cash_flow", "net_cash_flow_from_operations", "annual", "FY2023").value == 110543000000
    capex = pick(v, "cash_flow", "capital_expenditure", "annual", "FY2023")
    assert (
        raw(
            APPLE,
            "us-gaap:PaymentsToAcquirePropertyPlantAndEquipment",
            AAPL_10K_2023,
            "2023-09-30",
            "2022-09-25",
        )
        == 10959000000
    )
    assert (capex.value, capex.source) == (-10959000000, "us-gaap:PaymentsToAcquirePropertyPlantAndEquipment")
    assert pick(v, "cash_flow", "free_cash_flow", "annual", "FY2023").value == 110543000000 - 10959000000
    assert (
        pick(v, "cash_flow", "dividends_and_other_cash_distributions", "annual", "FY2023").value
        == -15025000000
    )
    assert (
        pick(v, "cash_flow", "issuance_or_purchase_of_equity_shares", "annual", "FY2023").value
        == -77550000000
    )
    # term debt issued 5,228 - repaid 11,151 - commercial paper net (3,978)
    assert (
        pick(v, "cash_flow", "issuance_or_repayment_of_debt_securities", "annual", "FY2023").value
        == -9901000000
    )
    assert pick(v, "cash_flow", "net_cash_flow_from_investing", "annual", "FY2023").value == 3705000000
    assert pick(v, "cash_flow", "net_cash_flow_from_financing", "annual", "FY2023").value == -108488000000
    change = pick(v, "cash_flow", "change_in_cash_and_equivalents", "annual", "FY2023").value
    assert change == 110543000000 + 3705000000 - 108488000000 == 5760000000
    assert pick(v, "cash_flow", "ending_cash_balance", "annual", "FY2023").value == 30737000000
    assert pick(v, "cash_flow", "depreciation_and_amortization", "annual", "FY2023").value == 11519000000
    assert pick(v, "cash_flow", "share_based_compensation", "annual", "FY2023").value == 10833000000


def test_apple_10q_quarter_and_ytd_labels() -> None:
    v = values_of(APPLE, AAPL_10Q_Q3_2023)
    q3 = pick(v, "income", "revenue", "quarterly", "2023-Q3")
    assert (
        q3.value
        == raw(
            APPLE,
            "us-gaap:RevenueFromContractWithCustomerExcludingAssessedTax",
            AAPL_10Q_Q3_2023,
            "2023-07-01",
            "2023-04-02",
        )
        == 81797000000
    )
    assert (q3.fiscal_year, q3.fiscal_quarter, q3.report_period, q3.months) == (2023, 3, date(2023, 7, 1), 3)
    assert pick(v, "income", "net_income", "quarterly", "2023-Q3").value == 19881000000
    assert pick(v, "income", "earnings_per_share_diluted", "quarterly", "2023-Q3").value == 1.26
    ytd = pick(v, "income", "revenue", "ytd", "2023-9M")
    assert (ytd.value, ytd.start, ytd.months) == (293787000000, date(2022, 9, 25), 9)
    # comparative quarter of the prior year, labelled from the period end
    assert pick(v, "income", "revenue", "quarterly", "2022-Q3").value == 82959000000
    # prior fiscal year end balance sheet in a 10-Q: annual FY2022
    assert pick(v, "balance_sheet", "total_assets", "annual", "FY2022").value == 352755000000
    assert pick(v, "balance_sheet", "total_assets", "quarterly", "2023-Q3").value == 335038000000
    # 10-Q cash flows are year-to-date only
    assert pick(v, "cash_flow", "net_cash_flow_from_operations", "ytd", "2023-9M").value == 88945000000
    assert absent(v, "cash_flow", "net_cash_flow_from_operations", "quarterly", "2023-Q3")


def test_nvidia_fiscal_year_named_by_its_end_and_productive_assets_capex() -> None:
    v = values_of(NVIDIA, NVDA_10K_2025, NVDA_10Q_Q2_2026)
    revenue = pick(v, "income", "revenue", "annual", "FY2025")
    assert (revenue.value, revenue.source, revenue.report_period) == (
        130497000000,
        "us-gaap:Revenues",
        date(2025, 1, 26),
    )
    assert (
        pick(v, "income", "net_income", "annual", "FY2025", filing=filing(NVIDIA, NVDA_10K_2025)).value
        == 72880000000
    )
    assert pick(v, "income", "earnings_per_share_diluted", "annual", "FY2025").value == 2.94
    assert (
        pick(
            v, "balance_sheet", "total_assets", "annual", "FY2025", filing=filing(NVIDIA, NVDA_10K_2025)
        ).value
        == 111601000000
    )
    capex = pick(v, "cash_flow", "capital_expenditure", "annual", "FY2025")
    assert (capex.value, capex.source) == (-3236000000, "us-gaap:PaymentsToAcquireProductiveAssets")
    assert pick(v, "cash_flow", "free_cash_flow", "annual", "FY2025").value == 64089000000 - 3236000000
    q2 = pick(v, "income", "revenue", "quarterly", "2026-Q2")
    assert (q2.value, q2.start, q2.report_period) == (46743000000, date(2025, 4, 28), date(2025, 7, 27))
    assert pick(v, "income", "revenue", "quarterly", "2025-Q2").value == 30040000000
    assert pick(v, "balance_sheet", "total_assets", "quarterly", "2026-Q2").value == 140740000000


def test_fiscal_year_end_fallback_without_dei() -> None:
    facts = [f for f in facts_from_companyfacts(APPLE, AAPL_10Q_Q3_2023) if not f.concept.startswith("dei:")]
    assert standardize(facts, filing=filing(APPLE, AAPL_10Q_Q3_2023)) == []  # no calendar: nothing is guessed
    v = standardize(
        facts, filing=filing(APPLE, AAPL_10Q_Q3_2023), fiscal_year_end="0926"
    )  # submissions JSON form
    assert pick(v, "income", "revenue", "quarterly", "2023-Q3").value == 81797000000
    assert pick(v, "balance_sheet", "total_assets", "annual", "FY2022").value == 352755000000


def test_calendar_helpers() -> None:
    assert parse_fiscal_year_end("--09-30") == (9, 30)
    assert parse_fiscal_year_end("0131") == (1, 31)
    assert parse_fiscal_year_end("13-01") is None
    assert fiscal_calendar(date(2025, 7, 27), fiscal_year_end="0131").label(date(2025, 7, 27)) == (2026, 2)
    cal = fiscal_calendar(date(2023, 9, 30), fiscal_year=2023, fiscal_quarter=4)
    assert cal.label(date(2022, 12, 31)) == (2023, 1)
    assert cal.label(date(2018, 9, 29)) == (2018, 4)
    assert cal.label(date(2023, 8, 15)) is None
    assert duration_months(date(2022, 9, 25), date(2023, 9, 30)) == 12  # 53-week year
    assert duration_months(date(2022, 9, 25), date(2022, 12, 31)) == 3  # 14-week quarter
    assert duration_months(date(2023, 1, 1), date(2023, 2, 28)) is None


def test_bank_routing_does_not_take_revenue_from_asc606_tags() -> None:
    assert is_financial(6021) and not is_financial(3571)
    assert is_financial(None, ["us-gaap:Deposits"]) and not is_financial(None, ["us-gaap:Revenues"])
    v = values_of(APPLE, AAPL_10K_2023, sic=6021)
    # as a bank, RevenueFromContractWithCustomer* (fee income only for a bank) is not revenue; no Revenues tag: None
    assert absent(v, "income", "revenue", "annual", "FY2023")
    assert absent(v, "income", "cost_of_revenue", "annual", "FY2023")
    assert absent(v, "income", "gross_profit", "annual", "FY2023")
    assert pick(v, "income", "net_income", "annual", "FY2023").value == 96995000000
