"""How the API holds each lake table in memory: its lookup key and the row order within a key."""

from __future__ import annotations

from serving.query.store import Layout

_DESC = "descending"
_ASC = "ascending"

_STATEMENT = Layout(key="cik", order=(("report_period", _DESC), ("version", _ASC)))

LAYOUTS: dict[str, Layout] = {
    "income_statements": _STATEMENT,
    "balance_sheets": _STATEMENT,
    "cash_flow_statements": _STATEMENT,
    "prices": Layout(key="ticker", upper=True, order=(("date", _ASC),)),
    "insider_trades": Layout(
        key="ticker",
        upper=True,
        order=(("filing_date", _DESC), ("transaction_date", _DESC), ("row_id", _ASC)),
    ),
    "news": Layout(
        key="ticker", upper=True, order=(("date", _DESC), ("filing_id", _ASC), ("document", _ASC))
    ),
    "earnings": Layout(key="ticker", upper=True, order=(("filing_date", _DESC), ("filing_id", _ASC))),
    "press_releases": Layout(
        key="cik", order=(("filing_date", _DESC), ("filing_id", _ASC), ("document", _ASC))
    ),
    "filings": Layout(key="cik", order=(("filing_date", _DESC), ("filing_id", _ASC))),
    "eightk_items": Layout(key="filing_id", order=(("item", _ASC),)),
    "report_items": Layout(key="filing_id", order=(("ordinal", _ASC),)),
    "report_item_filings": Layout(key="filing_id"),
    "institutional_holdings": Layout(
        key="cusip", order=(("filing_date", _DESC), ("filing_id", _ASC), ("row", _ASC))
    ),
    "holdings_quarter": Layout(
        key="cusip", order=(("period_of_report", _DESC), ("filer_cik", _ASC), ("put_call", _ASC))
    ),
    "thirteenf_filings": Layout(key="filer_cik", order=(("period_of_report", _DESC), ("filing_date", _DESC))),
    "financial_metrics": _STATEMENT,
    "financial_metrics_snapshot": Layout(key="ticker", upper=True),
    "valuation_daily": Layout(key="ticker", upper=True, order=(("date", _ASC),)),
    "factors": Layout(key="ticker", upper=True, order=(("date", _DESC),)),
    "statement_values": Layout(key="cik"),
    "raw_documents": Layout(key="filing_id", order=(("sequence", _ASC), ("name", _ASC))),
    "signals": Layout(key="cik", order=(("as_of", _DESC), ("signal_id", _ASC))),
}
