"""The screener over the built lake: FD's operators on the latest metrics and factors, and its errors."""

from __future__ import annotations

from datetime import date

import pytest

from lake.delta import read_table
from lake.screener import OPERATORS, Filter, ScreenerError, compile_filters, filter_fields, screen
from lake.storage import Lake
from lake.tables import FACTORS, FINANCIAL_METRIC_FIELDS


def test_filter_fields_cover_metrics_and_factors() -> None:
    fields = {f.field: f for f in filter_fields()}
    assert set(FINANCIAL_METRIC_FIELDS) <= set(fields)
    assert {"value", "quality", "momentum", "size", "low_vol", "growth", "momentum_raw"} <= set(fields)
    assert fields["ticker"].type == "string" and fields["report_period"].type == "date"
    assert fields["gross_margin"].operators == OPERATORS == ("eq", "gt", "gte", "lt", "lte", "in")


def test_operators_over_the_latest_metrics(built_lake: Lake) -> None:
    rows = screen(built_lake, [Filter("gross_margin", "gt", 0.4)], order_by="gross_margin", descending=True)
    # latest TTM gross margins: NVDA FY2025 0.750, AAPL FY2024 0.462, NFLX 2024 0.461
    assert [r["ticker"] for r in rows][:3] == ["NVDA", "AAPL", "NFLX"]
    assert all(r["gross_margin"] > 0.4 for r in rows)
    assert rows[1]["gross_margin"] == pytest.approx(0.4621, abs=1e-4)
    between = screen(built_lake, [Filter("gross_margin", "gte", 0.46), Filter("gross_margin", "lte", 0.47)])
    assert {r["ticker"] for r in between} == {"AAPL", "NFLX"}
    assert [r["ticker"] for r in screen(built_lake, [Filter("ticker", "eq", "AAPL")])] == ["AAPL"]
    picked = screen(built_lake, [Filter("ticker", "in", ["AAPL", "NVDA", "XOM"])])
    assert [r["ticker"] for r in picked] == ["AAPL", "NVDA", "XOM"]  # XOM: prices (factors) only
    assert picked[2]["gross_margin"] is None and picked[2]["momentum_raw"] is not None
    assert screen(built_lake, [Filter("report_period", "lt", "2000-01-01")]) == []


def test_factor_filters_use_the_latest_month_end(built_lake: Lake) -> None:
    latest = max(read_table(built_lake, FACTORS, columns=["date"]).column("date").to_pylist())
    assert latest == date(2024, 3, 8)  # the price data's last day closes its month
    rows = screen(
        built_lake, [Filter("momentum", "gte", 2)], order_by="momentum_raw", descending=True, limit=3
    )
    assert len(rows) == 3
    assert all(r["factor_date"] == latest and r["momentum"] >= 2 for r in rows)
    assert rows[0]["momentum_raw"] >= rows[1]["momentum_raw"] >= rows[2]["momentum_raw"]


@pytest.mark.parametrize(
    ("bad", "message"),
    [
        (Filter("nope", "gt", 1), "unknown field 'nope'"),
        (Filter("gross_margin", "between", 1), "unknown operator 'between'"),
        (Filter("gross_margin", "gt", "high"), "is a number"),
        (Filter("gross_margin", "gt", True), "is a number"),
        (Filter("ticker", "in", []), "non-empty list"),
        (Filter("ticker", "eq", 5), "is text"),
        (Filter("report_period", "gt", "last year"), "is a date"),
    ],
)
def test_bad_filters_are_clear_errors(bad: Filter, message: str) -> None:
    with pytest.raises(ScreenerError, match=message):
        compile_filters([bad])


def test_bad_limit_and_order(built_lake: Lake) -> None:
    with pytest.raises(ScreenerError, match="limit"):
        screen(built_lake, [], limit=0)
    with pytest.raises(ScreenerError, match="unknown field"):
        screen(built_lake, [], order_by="popularity")
