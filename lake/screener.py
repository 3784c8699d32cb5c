"""The stock screener: FinancialDatasets' filter operators over the latest metrics and factors of each ticker.

The universe is one row per ticker: its ``financial_metrics_snapshot`` row (latest TTM metrics valued at the
latest close) joined with its ``factors`` row at the panel's latest month-end (factor fields are named as in
the table: ``value``, ``momentum``, ``size_raw``...; the panel's date is ``factor_date``). A ticker present in
only one of them has NULLs for the other's fields, and a comparison with NULL never matches (as in SQL).

Usage (``POST /financials/search/screener/`` and ``GET .../screener/filters/`` call these)::

    from lake.screener import Filter, filter_fields, screen
    rows = screen(lake, [Filter("return_on_equity", "gt", 0.15), Filter("ticker", "in", ["AAPL", "NVDA"])],
                  limit=50, order_by="market_cap", descending=True)

Errors are :class:`ScreenerError` (a ``ValueError``) naming the bad field, operator or value.
"""

from __future__ import annotations

from datetime import date
from typing import Any, Literal

import msgspec

from lake.storage import Lake
from lake.tables import FINANCIAL_METRIC_FIELDS

#: FinancialDatasets' screener operators.
OPERATORS: tuple[str, ...] = ("eq", "gt", "gte", "lt", "lte", "in")
_SQL = {"eq": "=", "gt": ">", "gte": ">=", "lt": "<", "lte": "<="}

FieldType = Literal["number", "string", "date"]


class ScreenerError(ValueError):
    """A filter names an unknown field or operator, or its value does not fit the field."""


class Filter(msgspec.Struct, frozen=True):
    """One screener condition: ``field operator value`` (``value`` is a list for ``in``)."""

    field: str
    operator: str
    value: Any


class FilterField(msgspec.Struct, frozen=True):
    """A field the screener can filter and sort on (for ``/financials/search/screener/filters/``)."""

    field: str
    type: FieldType
    source: str
    description: str
    operators: tuple[str, ...] = OPERATORS


_FACTOR_DOCS = {
    "value": "Value: z-score of TTM earnings / market cap (E/P) across tickers at the month-end",
    "quality": "Quality: z-score of TTM gross profit / total assets",
    "momentum": "Momentum: z-score of the 12-1 month total return",
    "size": "Size: z-score of ln(market cap) (higher = larger)",
    "low_vol": "Low volatility: minus the z-score of the 252-day annualised volatility (higher = calmer)",
    "growth": "Growth: z-score of TTM revenue growth (year over year)",
}


def _fields() -> dict[str, FilterField]:
    snapshot = "financial_metrics_snapshot"
    fields = [
        FilterField("ticker", "string", snapshot, "Ticker symbol"),
        FilterField("cik", "number", snapshot, "SEC CIK of the company"),
        FilterField("report_period", "date", snapshot, "End of the period the metrics describe"),
        FilterField("period", "string", snapshot, "Period kind of the metrics (ttm, annual or quarterly)"),
        FilterField("currency", "string", snapshot, "Reporting currency"),
        FilterField("filing_date", "date", snapshot, "Filing date of the latest filing behind the metrics"),
        *(
            FilterField(name, "number", snapshot, f"FinancialMetrics {name} (decimal, latest TTM)")
            for name in FINANCIAL_METRIC_FIELDS
        ),
        FilterField("price", "number", snapshot, "Latest close (split-adjusted) the valuation uses"),
        FilterField("price_date", "date", snapshot, "Date of that close"),
        FilterField("factor_date", "date", "factors", "Month-end date of the factor values"),
    ]
    for name, doc in _FACTOR_DOCS.items():
        fields.append(FilterField(name, "number", "factors", doc))
        fields.append(FilterField(f"{name}_raw", "number", "factors", f"{doc.split(':')[0]}: raw exposure"))
    return {f.field: f for f in fields}


_FIELDS = _fields()


def filter_fields() -> list[FilterField]:
    """Every field the screener accepts, with its type, source table and operators."""
    return list(_FIELDS.values())


def _check_value(field: FilterField, operator: str, value: Any) -> Any:
    """The value as a SQL parameter, or :class:`ScreenerError`."""
    if operator == "in":
        if not isinstance(value, list | tuple) or not value:
            raise ScreenerError(f"operator 'in' on {field.field!r} needs a non-empty list of values")
        return [_check_value(field, "eq", v) for v in value]
    if field.type == "number":
        if isinstance(value, bool) or not isinstance(value, int | float):
            raise ScreenerError(f"field {field.field!r} is a number; {value!r} is not")
        return float(value)
    if field.type == "date":
        if isinstance(value, date):
            return value
        try:
            return date.fromisoformat(str(value))
        except ValueError:
            raise ScreenerError(f"field {field.field!r} is a date (YYYY-MM-DD); {value!r} is not") from None
    if not isinstance(value, str):
        raise ScreenerError(f"field {field.field!r} is text; {value!r} is not")
    return value


def _field(name: str) -> FilterField:
    if name not in _FIELDS:
        raise ScreenerError(f"unknown field {name!r}; see filter_fields() for the {len(_FIELDS)} fields")
    return _FIELDS[name]


def compile_filters(filters: list[Filter]) -> tuple[str, list[Any]]:
    """The SQL ``WHERE`` condition and its parameters for ``filters`` (all must hold).

    Raises:
        ScreenerError: an unknown field or operator, or a value that does not fit the field.
    """
    clauses: list[str] = []
    params: list[Any] = []
    for item in filters:
        field = _field(item.field)
        if item.operator not in OPERATORS:
            raise ScreenerError(
                f"unknown operator {item.operator!r} on {item.field!r}; use one of {', '.join(OPERATORS)}"
            )
        value = _check_value(field, item.operator, item.value)
        column = f'"{field.field}"'
        if item.operator == "in":
            clauses.append(f"{column} IN ({', '.join('?' for _ in value)})")
            params.extend(value)
        else:
            clauses.append(f"{column} {_SQL[item.operator]} ?")
            params.append(value)
    return (" AND ".join(clauses) or "TRUE"), params


_UNIVERSE = """
WITH latest_factors AS (
    SELECT * EXCLUDE (close, market_cap, date), date AS factor_date
    FROM factors
    WHERE date = (SELECT max(date) FROM factors)
)
SELECT
    coalesce(s.ticker, f.ticker) AS ticker,
    s.* EXCLUDE (ticker, filing_datetime, fiscal_period, version, accession_number, shares_outstanding),
    f.* EXCLUDE (ticker)
FROM financial_metrics_snapshot s
FULL OUTER JOIN latest_factors f ON f.ticker = s.ticker
"""


def screen(
    lake: Lake,
    filters: list[Filter],
    *,
    limit: int = 100,
    order_by: str | None = None,
    descending: bool = False,
) -> list[dict[str, Any]]:
    """The tickers whose latest metrics and factors satisfy every filter.

    Args:
        lake: The lake (reads ``financial_metrics_snapshot`` and ``factors``).
        filters: Conditions, all of which must hold (an empty list keeps every ticker).
        limit: Most rows to return (1 or more).
        order_by: A field to sort on (NULLs last), default ``ticker``.
        descending: Sort from high to low.

    Returns:
        One dict per ticker: ``ticker`` and every field of :func:`filter_fields` (dates as ``datetime.date``).

    Raises:
        ScreenerError: an unknown field or operator, a value that does not fit its field, or a bad limit.
    """
    from lake.duck import connect

    if isinstance(limit, bool) or not isinstance(limit, int) or limit < 1:
        raise ScreenerError(f"limit must be a positive integer, not {limit!r}")
    where, params = compile_filters(filters)
    order = _field(order_by or "ticker").field
    direction = "DESC" if descending else "ASC"
    sql = (
        f"SELECT * FROM ({_UNIVERSE}) WHERE {where} "
        f'ORDER BY "{order}" {direction} NULLS LAST, ticker LIMIT {int(limit)}'
    )
    connection = connect(lake, tables=["financial_metrics_snapshot", "factors"])
    try:
        cursor = connection.execute(sql, params)
        names = [d[0] for d in cursor.description or []]
        return [dict(zip(names, row, strict=True)) for row in cursor.fetchall()]
    finally:
        connection.close()
