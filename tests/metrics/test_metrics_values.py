"""Metrics of the built lake recomputed by hand from the filings' own numbers and the price files.

The numbers below are Apple's FY2023 10-K (accession 0000320193-23-000106, accepted 2023-11-02 18:08:27 New York
time = 22:08:27 UTC, so the first close at or after acceptance is 2023-11-03's) and its FY2022 10-K, as printed
in the filings; closes come from ../shared/prices/AAPL.csv, read here.
"""

from __future__ import annotations

import csv
import math
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

import pytest

from lake.delta import read_table
from lake.settings import Settings
from lake.storage import Lake
from lake.tables import (
    FACTORS,
    FINANCIAL_METRIC_FIELDS,
    FINANCIAL_METRICS,
    FINANCIAL_METRICS_SNAPSHOT,
    VALUATION_DAILY,
)

M = 1e6  # the filing prints millions
# FY2023 10-K (fiscal year ended 2023-09-30)
REVENUE, COST, GROSS, OPERATING, NET = 383_285 * M, 214_137 * M, 169_148 * M, 114_301 * M, 96_995 * M
EBIT, INTEREST, TAX = 117_669 * M, 3_933 * M, 16_741 * M  # EBIT = pre-tax income 113,736 + interest 3,933
ASSETS, CURRENT_ASSETS, CURRENT_LIABILITIES, EQUITY = 352_583 * M, 143_566 * M, 145_308 * M, 62_146 * M
CASH, CURRENT_INVESTMENTS, RECEIVABLES, INVENTORY = 29_965 * M, 31_590 * M, 60_985 * M, 6_331 * M
DEBT = 111_088 * M  # commercial paper 5,985 + term debt current 9,822 + non-current 95,281
OPERATING_CASH_FLOW, FREE_CASH_FLOW, DA, DIVIDENDS = 110_543 * M, 99_584 * M, 11_519 * M, 15_025 * M
WEIGHTED_SHARES, OUTSTANDING_BALANCE = 15_744_231_000, 15_550_061_000
COVER_SHARES = 15_552_752_000  # cover page: shares outstanding as of 2023-10-20
# FY2022 10-K (fiscal year ended 2022-09-24)
REVENUE_22, NET_22, OPERATING_22, EQUITY_22, FCF_22 = (
    394_328 * M,
    99_803 * M,
    119_437 * M,
    50_672 * M,
    111_443 * M,
)
ASSETS_22, RECEIVABLES_22, INVENTORY_22 = 352_755 * M, 60_932 * M, 4_946 * M
WORKING_CAPITAL_22 = (135_405 - 153_982) * M
EBITDA_22 = (119_103 + 2_931 + 11_104) * M  # pre-tax income + interest expense + D&A


def _close(ticker: str, day: str, column: str = "close") -> float:
    path = Path(Settings.from_env().prices_dir) / f"{ticker}.csv"
    with path.open(newline="") as handle:
        for row in csv.DictReader(handle):
            if row["date"] == day:
                return float(row[column])
    raise AssertionError(f"no {ticker} price on {day}")


def _metrics(lake: Lake, **key: Any) -> dict[str, Any]:
    rows = [
        r for r in read_table(lake, FINANCIAL_METRICS).to_pylist() if all(r[k] == v for k, v in key.items())
    ]
    assert len(rows) == 1, (key, len(rows))
    return rows[0]


@pytest.fixture(scope="module")
def fy2023(built_lake: Lake) -> dict[str, Any]:
    return _metrics(built_lake, ticker="AAPL", period="annual", fiscal_period="FY2023", version="first")


def test_every_fd_field_is_a_column(built_lake: Lake) -> None:
    assert len(FINANCIAL_METRIC_FIELDS) == 39
    names = read_table(built_lake, FINANCIAL_METRICS).column_names
    assert names[:6] == ["ticker", "report_period", "period", "currency", "filing_date", "filing_datetime"]
    assert names[6:45] == list(FINANCIAL_METRIC_FIELDS)


def test_aapl_fy2023_stamp_and_valuation_at_filing(fy2023: dict[str, Any]) -> None:
    close = _close("AAPL", "2023-11-03")
    assert close == pytest.approx(176.649994)
    assert fy2023["report_period"] == date(2023, 9, 30)
    assert fy2023["currency"] == "USD"
    assert fy2023["accession_number"] == "0000320193-23-000106"
    assert fy2023["filing_date"] == date(2023, 11, 3)
    assert fy2023["filing_datetime"] == datetime(2023, 11, 2, 22, 8, 27, tzinfo=UTC)
    assert fy2023["price_date"] == date(2023, 11, 3)  # accepted after the 2023-11-02 close
    assert fy2023["shares_outstanding"] == COVER_SHARES and fy2023["shares_source"] == "cover"
    market_cap = COVER_SHARES * close
    assert fy2023["market_cap"] == pytest.approx(market_cap)  # 2.747 trillion
    assert fy2023["market_cap"] == pytest.approx(2.7474e12, rel=1e-4)
    ev = market_cap + DEBT - CASH
    assert fy2023["enterprise_value"] == pytest.approx(ev)
    assert fy2023["price_to_earnings_ratio"] == pytest.approx(market_cap / NET)
    assert fy2023["price_to_book_ratio"] == pytest.approx(market_cap / EQUITY)
    assert fy2023["price_to_sales_ratio"] == pytest.approx(market_cap / REVENUE)
    assert fy2023["enterprise_value_to_ebitda_ratio"] == pytest.approx(ev / (EBIT + DA))
    assert fy2023["enterprise_value_to_revenue_ratio"] == pytest.approx(ev / REVENUE)
    assert fy2023["free_cash_flow_yield"] == pytest.approx(FREE_CASH_FLOW / market_cap)
    eps_growth = 6.16 / 6.15 - 1
    assert fy2023["peg_ratio"] == pytest.approx(market_cap / NET / (eps_growth * 100))


def test_aapl_fy2023_profitability_liquidity_leverage(fy2023: dict[str, Any]) -> None:
    assert fy2023["gross_margin"] == pytest.approx(GROSS / REVENUE)  # 0.4413
    assert fy2023["gross_margin"] == pytest.approx(0.4413, abs=1e-4)
    assert fy2023["operating_margin"] == pytest.approx(OPERATING / REVENUE)
    assert fy2023["net_margin"] == pytest.approx(NET / REVENUE)
    assert fy2023["return_on_equity"] == pytest.approx(NET / EQUITY)  # 1.56
    assert fy2023["return_on_assets"] == pytest.approx(NET / ASSETS)
    tax_rate = TAX / (NET + TAX)
    assert fy2023["return_on_invested_capital"] == pytest.approx(
        OPERATING * (1 - tax_rate) / (DEBT + EQUITY - CASH)
    )
    assert fy2023["current_ratio"] == pytest.approx(CURRENT_ASSETS / CURRENT_LIABILITIES)
    assert fy2023["quick_ratio"] == pytest.approx(
        (CASH + CURRENT_INVESTMENTS + RECEIVABLES) / CURRENT_LIABILITIES
    )
    assert fy2023["cash_ratio"] == pytest.approx((CASH + CURRENT_INVESTMENTS) / CURRENT_LIABILITIES)
    assert fy2023["operating_cash_flow_ratio"] == pytest.approx(OPERATING_CASH_FLOW / CURRENT_LIABILITIES)
    assert fy2023["debt_to_equity"] == pytest.approx(DEBT / EQUITY)
    assert fy2023["debt_to_assets"] == pytest.approx(DEBT / ASSETS)
    assert fy2023["interest_coverage"] == pytest.approx(EBIT / INTEREST)


def test_aapl_fy2023_efficiency_growth_per_share(fy2023: dict[str, Any]) -> None:
    average_receivables = (RECEIVABLES + RECEIVABLES_22) / 2
    average_inventory = (INVENTORY + INVENTORY_22) / 2
    assert fy2023["asset_turnover"] == pytest.approx(REVENUE / ((ASSETS + ASSETS_22) / 2))
    assert fy2023["inventory_turnover"] == pytest.approx(COST / average_inventory)
    assert fy2023["receivables_turnover"] == pytest.approx(REVENUE / average_receivables)
    assert fy2023["days_sales_outstanding"] == pytest.approx(average_receivables / REVENUE * 365)
    assert fy2023["operating_cycle"] == pytest.approx(
        (average_inventory / COST + average_receivables / REVENUE) * 365
    )
    working_capital = (WORKING_CAPITAL_22 + CURRENT_ASSETS - CURRENT_LIABILITIES) / 2
    assert fy2023["working_capital_turnover"] == pytest.approx(REVENUE / working_capital)
    assert fy2023["revenue_growth"] == pytest.approx(REVENUE / REVENUE_22 - 1)  # -2.8 %
    assert fy2023["earnings_growth"] == pytest.approx(NET / NET_22 - 1)
    assert fy2023["book_value_growth"] == pytest.approx(EQUITY / EQUITY_22 - 1)
    assert fy2023["earnings_per_share_growth"] == pytest.approx(6.16 / 6.15 - 1)
    assert fy2023["free_cash_flow_growth"] == pytest.approx(FREE_CASH_FLOW / FCF_22 - 1)
    assert fy2023["operating_income_growth"] == pytest.approx(OPERATING / OPERATING_22 - 1)
    assert fy2023["ebitda_growth"] == pytest.approx((EBIT + DA) / EBITDA_22 - 1)
    assert fy2023["payout_ratio"] == pytest.approx(DIVIDENDS / NET)
    assert fy2023["earnings_per_share"] == 6.16
    assert fy2023["book_value_per_share"] == pytest.approx(EQUITY / OUTSTANDING_BALANCE)
    assert fy2023["free_cash_flow_per_share"] == pytest.approx(FREE_CASH_FLOW / WEIGHTED_SHARES)


def test_point_in_time_valuation_changes_at_acceptance(built_lake: Lake) -> None:
    rows = {
        r["date"]: r
        for r in read_table(built_lake, VALUATION_DAILY, filters=[("ticker", "=", "AAPL")]).to_pylist()
    }
    before, after = rows[date(2023, 11, 2)], rows[date(2023, 11, 3)]
    # the day before: the FY2023 Q3 10-Q's cover (15,634,232,000 shares) and the FY2022 TTM figures
    assert before["shares_accession"] == "0000320193-23-000077"
    assert before["shares_outstanding"] == 15_634_232_000
    assert before["market_cap"] == pytest.approx(15_634_232_000 * _close("AAPL", "2023-11-02"))
    assert before["fundamentals_report_period"] < date(2023, 9, 30)
    # the first close after the 10-K's acceptance: its cover and its figures
    assert after["shares_accession"] == "0000320193-23-000106"
    assert after["market_cap"] == pytest.approx(COVER_SHARES * _close("AAPL", "2023-11-03"))
    assert after["fundamentals_report_period"] == date(2023, 9, 30)
    assert after["price_to_earnings_ratio"] == pytest.approx(after["market_cap"] / NET)
    assert after["price_to_book_ratio"] == pytest.approx(after["market_cap"] / EQUITY)
    assert after["price_to_sales_ratio"] == pytest.approx(after["market_cap"] / REVENUE)
    assert before["price_to_earnings_ratio"] != pytest.approx(after["price_to_earnings_ratio"], rel=1e-3)
    # the daily view on the first close after acceptance equals the valuation at filing
    fy2023 = _metrics(built_lake, ticker="AAPL", period="annual", fiscal_period="FY2023", version="first")
    assert after["market_cap"] == pytest.approx(fy2023["market_cap"])
    # a metrics query "as of" the day before sees no FY2023 row
    known = [
        r
        for r in read_table(built_lake, FINANCIAL_METRICS).to_pylist()
        if r["ticker"] == "AAPL"
        and r["filing_datetime"] is not None
        and r["filing_datetime"] < datetime(2023, 11, 2, 22, 0, tzinfo=UTC)
    ]
    assert known and max(r["report_period"] for r in known) < date(2023, 9, 30)


def test_no_price_after_the_data_ends_and_nulls_not_zeros(built_lake: Lake) -> None:
    # FY2024 was filed 2024-11-01, after the price files end (2024-03-08): no valuation, margins still computed
    fy2024 = _metrics(built_lake, ticker="AAPL", period="annual", fiscal_period="FY2024", version="first")
    assert fy2024["filing_date"] == date(2024, 11, 1)
    assert fy2024["price_date"] is None and fy2024["market_cap"] is None
    assert fy2024["price_to_earnings_ratio"] is None and fy2024["enterprise_value"] is None
    assert fy2024["gross_margin"] == pytest.approx(0.4621, abs=1e-4)
    valuation = read_table(built_lake, VALUATION_DAILY, filters=[("ticker", "=", "AAPL")])
    assert max(valuation.column("date").to_pylist()) == date(2024, 3, 8)
    # Netflix pays no dividend: payout ratio NULL (never 0); its filings in the mirror carry no acceptance time
    nflx = _metrics(built_lake, ticker="NFLX", period="annual", fiscal_period="FY2023", version="first")
    assert nflx["payout_ratio"] is None
    assert nflx["market_cap"] is None and nflx["filing_date"] is None
    assert nflx["gross_margin"] == pytest.approx(0.4154, abs=1e-4)
    # no metric is 0 for want of an input (a payout ratio is 0 only where a filing reports 0 dividends)
    table = read_table(built_lake, FINANCIAL_METRICS)
    for name in (
        "market_cap",
        "price_to_earnings_ratio",
        "current_ratio",
        "interest_coverage",
        "return_on_equity",
    ):
        assert 0.0 not in table.column(name).to_pylist(), name


def test_split_units_of_a_pre_split_share_count(built_lake: Lake) -> None:
    # Apple's 2013 10-Q cover reports 908,497,000 shares (before the 7:1 of 2014 and the 4:1 of 2020);
    # the price files are split-adjusted, so the count is multiplied by prices.split_factor (28) on its date.
    row = _metrics(built_lake, ticker="AAPL", period="quarterly", fiscal_period="2013-Q3", version="first")
    assert row["shares_source"] == "cover"
    assert row["shares_outstanding"] == 908_497_000 * 28
    # that filing has no acceptance time or filing date in the mirror: not placed in time, so no valuation
    assert row["filing_date"] is None and row["market_cap"] is None


def test_snapshot_is_the_latest_ttm(built_lake: Lake) -> None:
    rows = {r["ticker"]: r for r in read_table(built_lake, FINANCIAL_METRICS_SNAPSHOT).to_pylist()}
    assert {"AAPL", "NVDA", "NFLX", "TSLA", "UNP"} <= set(rows)
    aapl = rows["AAPL"]
    assert (aapl["period"], aapl["report_period"], aapl["version"]) == ("ttm", date(2024, 9, 28), "latest")
    assert aapl["gross_margin"] == pytest.approx(0.4621, abs=1e-4)
    # the latest close (2024-03-08) predates the filing of that period: valuation NULL, not stale
    assert aapl["market_cap"] is None and aapl["price_date"] is None


def test_factor_panel(built_lake: Lake) -> None:
    panel = read_table(built_lake, FACTORS).to_pylist()
    at = [r for r in panel if r["date"] == date(2023, 12, 29)]
    assert len(at) > 200  # the price universe
    aapl = next(r for r in at if r["ticker"] == "AAPL")
    # 12-1 momentum from total-return closes: end of November 2023 over end of December 2022
    momentum = _close("AAPL", "2023-11-30", "adj_close") / _close("AAPL", "2022-12-30", "adj_close") - 1
    assert aapl["momentum_raw"] == pytest.approx(momentum)
    assert aapl["market_cap"] == pytest.approx(COVER_SHARES * _close("AAPL", "2023-12-29"))
    assert aapl["size_raw"] == pytest.approx(math.log(aapl["market_cap"]))
    assert aapl["value_raw"] == pytest.approx(NET / aapl["market_cap"])
    assert aapl["quality_raw"] == pytest.approx(GROSS / ASSETS)
    for name in ("momentum", "low_vol"):
        values = [r[name] for r in at if r[name] is not None]
        assert len(values) > 200
        assert abs(sum(values) / len(values)) < 0.05, name  # z-scores: mean ~0 (clipping at +-3 aside)
        assert all(-3 <= v <= 3 for v in values)
    # calmer stock, higher low_vol score
    calm = sorted((r for r in at if r["low_vol"] is not None), key=lambda r: r["low_vol_raw"])
    assert calm[0]["low_vol"] > calm[-1]["low_vol"]
