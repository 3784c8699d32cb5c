"""FinancialDatasets response shapes as msgspec Structs (every documented key present; null when unknown)."""

from __future__ import annotations

import types
from typing import Any

import msgspec

from lake.tables import BALANCE_SHEET_FIELDS, CASH_FLOW_FIELDS, INCOME_FIELDS

_STATEMENT_HEAD: list[tuple[str, Any]] = [
    ("ticker", str),
    ("report_period", str),
    ("fiscal_period", str),
    ("period", str),
    ("currency", str),
]


def _statement(name: str, fields: tuple[str, ...]) -> type[msgspec.Struct]:
    return msgspec.defstruct(
        name,
        [
            *_STATEMENT_HEAD,
            *((f, float | None, None) for f in fields),
            ("accession_number", str | None, None),
            ("filing_date", str | None, None),
            ("filing_datetime", str | None, None),
        ],
        kw_only=True,
        module=__name__,
    )


IncomeStatement: Any = _statement("IncomeStatement", INCOME_FIELDS)
BalanceSheet: Any = _statement("BalanceSheet", BALANCE_SHEET_FIELDS)
CashFlowStatement: Any = _statement("CashFlowStatement", CASH_FLOW_FIELDS)


def _list(item: Any) -> Any:
    """``list[item]`` for a class built at run time."""
    return types.GenericAlias(list, (item,))


IncomeStatementsResponse: Any = msgspec.defstruct(
    "IncomeStatementsResponse", [("income_statements", _list(IncomeStatement))], module=__name__
)
BalanceSheetsResponse: Any = msgspec.defstruct(
    "BalanceSheetsResponse", [("balance_sheets", _list(BalanceSheet))], module=__name__
)
CashFlowStatementsResponse: Any = msgspec.defstruct(
    "CashFlowStatementsResponse", [("cash_flow_statements", _list(CashFlowStatement))], module=__name__
)
Financials: Any = msgspec.defstruct(
    "Financials",
    [
        ("income_statements", _list(IncomeStatement)),
        ("balance_sheets", _list(BalanceSheet)),
        ("cash_flow_statements", _list(CashFlowStatement)),
    ],
    module=__name__,
)
FinancialsResponse: Any = msgspec.defstruct(
    "FinancialsResponse", [("financials", Financials)], module=__name__
)


class TickersResponse(msgspec.Struct):
    """``…/tickers/`` helpers: the tickers with data."""

    tickers: list[str]


class Price(msgspec.Struct):
    """One OHLCV bar (``volume`` an int; ``time`` starts with YYYY-MM-DD)."""

    open: float
    close: float
    high: float
    low: float
    volume: int
    time: str
    time_milliseconds: int


class PricesResponse(msgspec.Struct):
    """``/prices``."""

    ticker: str
    prices: list[Price]
    next_page_url: str | None = None


class PriceSnapshot(msgspec.Struct):
    """``/prices/snapshot``: the latest bar."""

    ticker: str
    price: float
    day_change: float | None
    day_change_percent: float | None
    market_cap: float | None
    volume: int
    time: str
    time_milliseconds: int


class PriceSnapshotResponse(msgspec.Struct):
    """``/prices/snapshot``."""

    snapshot: PriceSnapshot


class LineItemSearch(msgspec.Struct, forbid_unknown_fields=False):
    """Body of ``POST /financials/search/line-items``."""

    tickers: list[str]
    line_items: list[str]
    period: str = "ttm"
    limit: int = 1
    start_date: str | None = None
    end_date: str | None = None


class LineItemsResponse(msgspec.Struct):
    """``/financials/search/line-items``: rows {ticker, report_period, period, currency, <item>: value}."""

    search_results: list[dict[str, Any]]


class InsiderTrade(msgspec.Struct, kw_only=True):
    """One Form 3/4/5 row."""

    ticker: str
    issuer: str | None = None
    name: str
    title: str | None = None
    is_board_director: bool | None = None
    transaction_date: str | None = None
    transaction_shares: float | None = None
    transaction_price_per_share: float | None = None
    transaction_value: float | None = None
    shares_owned_before_transaction: float | None = None
    shares_owned_after_transaction: float | None = None
    security_title: str | None = None
    filing_date: str
    transaction_type: str | None = None
    form_type: str | None = None
    accession_number: str | None = None


class InsiderTradesResponse(msgspec.Struct):
    """``/insider-trades``."""

    insider_trades: list[InsiderTrade]
    next_page_url: str | None = None


class NamesResponse(msgspec.Struct):
    """``/insider-trades/names``."""

    names: list[str]


class InsiderOwnership(msgspec.Struct, kw_only=True):
    """One Form 3/5 holding row."""

    ticker: str
    issuer: str | None = None
    name: str
    title: str | None = None
    is_board_director: bool | None = None
    security_title: str | None = None
    shares_owned: float | None = None
    as_of_date: str | None = None
    filing_date: str
    form_type: str | None = None
    accession_number: str | None = None


class InsiderOwnershipResponse(msgspec.Struct):
    """``/insider-ownership``."""

    insider_ownership: list[InsiderOwnership]
    next_page_url: str | None = None


class Subsidiary(msgspec.Struct, kw_only=True):
    """One information-table row of a 13F holding."""

    row_num: int
    shares: int | None = None
    value_usd: int | None = None
    shares_principal_amount_type: str | None = None
    investment_discretion: str | None = None
    voting_authority_sole: int | None = None
    voting_authority_shared: int | None = None
    voting_authority_none: int | None = None
    other_managers: list[str] = []


class InstitutionalHolding(msgspec.Struct, kw_only=True):
    """One 13F position (a filer's rows of one CUSIP/class/put-call summed)."""

    ticker: str | None = None
    name_of_issuer: str | None = None
    cusip: str | None = None
    report_period: str | None = None
    filing_date: str | None = None
    form_type: str | None = None
    accession_number: str | None = None
    title_of_class: str | None = None
    put_call: str | None = None
    shares: int | None = None
    value_usd: int | None = None
    reported_price: float | None = None
    filer_cik: int | None = None
    filer_name: str | None = None
    subsidiaries: list[Subsidiary] = []


class InstitutionalHoldingsResponse(msgspec.Struct):
    """``/institutional-holdings``."""

    ticker: str | None
    filer_cik: int | None
    institutional_holdings: list[InstitutionalHolding]
    next_page_url: str | None = None


class Investor(msgspec.Struct):
    """A 13F filer."""

    cik: int
    name: str | None


class InvestorsResponse(msgspec.Struct):
    """``/institutional-holdings/investors``."""

    investors: list[Investor]


class OwnershipRow(msgspec.Struct):
    """Older ``/institutional-ownership`` row."""

    ticker: str | None
    investor: str | None
    report_period: str | None
    price: float | None
    shares: int | None
    market_value: int | None


InstitutionalOwnershipResponse: Any = msgspec.defstruct(
    "InstitutionalOwnershipResponse",
    [("institutional_ownership", list[OwnershipRow]), ("next_page_url", str | None, None)],
    rename={"institutional_ownership": "institutional-ownership"},
    module=__name__,
)


class Filing(msgspec.Struct, kw_only=True):
    """One SEC filing."""

    cik: int
    accession_number: str | None = None
    filing_type: str | None = None
    filing_date: str | None = None
    report_date: str | None = None
    report_period: str | None = None
    ticker: str | None = None
    url: str | None = None
    document_count: int | None = None
    is_xbrl: bool | None = None


class FilingsResponse(msgspec.Struct):
    """``/filings``."""

    filings: list[Filing]
    next_page_url: str | None = None


class FilingItem(msgspec.Struct):
    """One item of a filing."""

    number: str
    name: str | None
    text: str | None


class FilingItemsResponse(msgspec.Struct):
    """``/filings/items``."""

    ticker: str | None
    cik: int | None
    filing_type: str | None
    accession_number: str
    year: int | None
    quarter: int | None
    items: list[FilingItem]


class ItemType(msgspec.Struct):
    """A known item of a form."""

    name: str
    title: str
    description: str


class CompanyFacts(msgspec.Struct, kw_only=True):
    """``/company/facts`` (``cik`` as text, as ai-hedge-fund v2 types it)."""

    ticker: str
    name: str | None = None
    cik: str | None = None
    industry: str | None = None
    sector: str | None = None
    category: str | None = None
    exchange: str | None = None
    is_active: bool = True
    listing_date: str | None = None
    location: str | None = None
    market_cap: float | None = None
    number_of_employees: int | None = None
    sec_filings_url: str | None = None
    sic_code: str | None = None
    sic_industry: str | None = None
    sic_sector: str | None = None
    website_url: str | None = None
    weighted_average_shares: float | None = None


class CompanyFactsResponse(msgspec.Struct):
    """``/company/facts``."""

    company_facts: CompanyFacts


class EarningsRecord(msgspec.Struct, kw_only=True):
    """One earnings filing (an 8-K announcing results)."""

    ticker: str
    report_period: str
    source_type: str
    filing_date: str | None = None
    filing_datetime: str | None = None
    filing_window: str | None = None
    fiscal_period: str | None = None
    currency: str | None = None
    filing_url: str | None = None
    accession_number: str | None = None
    title: str | None = None
    quarterly: dict[str, float | None] | None = None
    annual: dict[str, float | None] | None = None


class EarningsResponse(msgspec.Struct):
    """``/earnings`` (list form)."""

    earnings: list[EarningsRecord]
    next_page_url: str | None = None


class PressRelease(msgspec.Struct):
    """An EX-99 press release."""

    ticker: str | None
    title: str | None
    url: str | None
    date: str | None
    text: str | None


class PressReleasesResponse(msgspec.Struct):
    """``/earnings/press-releases``."""

    press_releases: list[PressRelease]


class News(msgspec.Struct, kw_only=True):
    """One news item (an 8-K press release)."""

    ticker: str
    title: str
    author: str | None = None
    source: str
    date: str
    url: str
    sentiment: str | None = None


class NewsResponse(msgspec.Struct):
    """``/news``."""

    news: list[News]
    next_page_url: str | None = None


class MetricsResponse(msgspec.Struct):
    """``/financial-metrics``: rows of every FinancialMetrics key."""

    financial_metrics: list[dict[str, Any]]
    next_page_url: str | None = None


class MetricsSnapshotResponse(msgspec.Struct):
    """``/financial-metrics/snapshot``."""

    snapshot: dict[str, Any]


class ScreenerFilter(msgspec.Struct):
    """One screener condition."""

    field: str
    operator: str
    value: Any


class ScreenerRequest(msgspec.Struct, forbid_unknown_fields=False):
    """Body of ``POST /financials/search/screener``."""

    filters: list[ScreenerFilter]
    limit: int = 100
    order_by: str | None = None
    order_direction: str = "asc"
    currency: str | None = None


class ScreenerResponse(msgspec.Struct):
    """``/financials/search/screener``."""

    search_results: list[dict[str, Any]]


class ScreenerField(msgspec.Struct):
    """A field the screener filters on."""

    field: str
    type: str
    operators: list[str]
    description: str = ""


class ScreenerFiltersResponse(msgspec.Struct):
    """``/financials/search/screener/filters``."""

    filters: list[ScreenerField]
