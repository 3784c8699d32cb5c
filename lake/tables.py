"""Every table of the lake, declared once: name, layer, Arrow schema, partitioning, primary key, meaning.

Assets, the API and analysts find tables here (``lake.registry.table("filings")``); nothing else declares a
table. Layers: ``raw`` (bytes as received), ``bronze`` (parsed rows, source-shaped), ``silver`` (cleaned,
one row per entity), ``gold`` (products served to users).
"""

from __future__ import annotations

import pyarrow as pa

from lake.registry import TableSpec, register

_UTC = pa.timestamp("us", tz="UTC")
_STRINGS = pa.list_(pa.string())

#: Partition column of every filing-time table: the calendar quarter of the filing date, ``YYYYQn``.
FILING_QUARTER = "filing_quarter"

#: A filing's identity as ``edgar.identity.FilingIdentity`` states it (see the README, "Identity").
_IDENTITY = [
    pa.field("accession", pa.string()),
    pa.field("cik", pa.int64()),
    pa.field("form", pa.string()),
    pa.field("period_of_report", pa.date32()),
    pa.field("fiscal_year", pa.int32()),
    pa.field("fiscal_period", pa.string()),
    pa.field("filing_date", pa.date32()),
    pa.field("acceptance_utc", _UTC),
    pa.field("acceptance_basis", pa.string()),
    pa.field("acceptance_flag", pa.string()),
    pa.field("metadata_source", pa.string()),
    pa.field("partition_basis", pa.string()),
    pa.field("primary_document", pa.string()),
]

COMPANIES = register(
    TableSpec(
        name="companies",
        layer="silver",
        schema=pa.schema(
            [
                pa.field("cik", pa.int64(), nullable=False),
                pa.field("name", pa.string()),
                pa.field("tickers", _STRINGS),
                pa.field("exchanges", _STRINGS),
                pa.field("sic", pa.string()),
                pa.field("sic_description", pa.string()),
                pa.field("filer_category", pa.string()),
                pa.field("entity_type", pa.string()),
                pa.field("fiscal_year_end", pa.string()),
                pa.field("state_of_incorporation", pa.string()),
                pa.field("sources", _STRINGS),
            ]
        ),
        partition_by=(),
        primary_key=("cik",),
        description="One row per SEC filer (CIK): name, tickers and registrant facts from the SEC's ticker list and submissions feeds.",
    )
)

SEC_SUBMISSIONS = register(
    TableSpec(
        name="sec_submissions",
        layer="bronze",
        schema=pa.schema(
            [
                pa.field("accession", pa.string(), nullable=False),
                pa.field("cik", pa.int64(), nullable=False),
                pa.field("form", pa.string()),
                pa.field("filing_date", pa.date32()),
                pa.field("report_date", pa.date32()),
                pa.field("acceptance_raw", pa.string()),
                pa.field("acceptance_utc", _UTC),
                pa.field("acceptance_basis", pa.string()),
                pa.field("acceptance_ambiguous", pa.bool_()),
                pa.field("primary_document", pa.string()),
                pa.field("items", pa.string()),
                pa.field("size", pa.int64()),
                pa.field("is_xbrl", pa.bool_()),
                pa.field("is_inline_xbrl", pa.bool_()),
                pa.field("source", pa.string()),
            ]
        ),
        partition_by=(),
        primary_key=("accession", "cik"),
        description="SEC filing metadata from data.sec.gov submissions feeds; acceptance_utc is true UTC, derived per feed (see README).",
    )
)

EDGAR_INDEX = register(
    TableSpec(
        name="edgar_index",
        layer="bronze",
        schema=pa.schema(
            [
                pa.field("accession", pa.string(), nullable=False),
                pa.field("cik", pa.int64(), nullable=False),
                pa.field("form", pa.string(), nullable=False),
                pa.field("company", pa.string()),
                pa.field("date_filed", pa.date32()),
                pa.field("file_name", pa.string()),
                pa.field("index_file", pa.string()),
                pa.field("line", pa.int32()),
                pa.field(FILING_QUARTER, pa.string(), nullable=False),
                pa.field("acceptance_utc", _UTC),
                pa.field("acceptance_basis", pa.string()),
                pa.field("acceptance_flag", pa.string()),
                pa.field("primary_document", pa.string()),
            ]
        ),
        partition_by=(FILING_QUARTER,),
        primary_key=("accession", "cik", "form"),
        description="What was filed, by whom, when: rows of the EDGAR daily form indexes, or of a scope CIK's submissions feed (index_file = the feed page; acceptance time and primary document known).",
    )
)

EDGAR_INDEX_FILES = register(
    TableSpec(
        name="edgar_index_files",
        layer="bronze",
        schema=pa.schema(
            [
                pa.field("index_file", pa.string(), nullable=False),
                pa.field("index_date", pa.date32()),
                pa.field("rows", pa.int64()),
                pa.field("status", pa.string()),
                pa.field("error", pa.string()),
                pa.field(FILING_QUARTER, pa.string(), nullable=False),
            ]
        ),
        partition_by=(FILING_QUARTER,),
        primary_key=("index_file",),
        description="One row per daily index read (or submissions feed page read for a quarter, index_file = path#quarter): rows parsed, status ok/error and the error (file and line).",
    )
)

EDGAR_INVENTORY = register(
    TableSpec(
        name="edgar_inventory",
        layer="bronze",
        schema=pa.schema(
            [
                pa.field("source_path", pa.string(), nullable=False),
                pa.field("size", pa.int64()),
                pa.field("mtime_ns", pa.int64()),
                pa.field("sha256", pa.string()),
                pa.field("kind", pa.string()),
                pa.field("group", pa.string()),
                *_IDENTITY,
                pa.field("entity_name", pa.string()),
                pa.field(FILING_QUARTER, pa.string()),
                pa.field("warnings", _STRINGS),
                pa.field("error", pa.string()),
                pa.field("group_quarter", pa.string()),
                pa.field("unplaced_reason", pa.string()),
                pa.field("metadata_version", pa.int64()),
            ]
        ),
        partition_by=(),
        primary_key=("source_path",),
        description="Offline mirror files: kind, sha256, filing group, the identity each states (dei facts, SGML header, cover page), the group's filing quarter or why it has none.",
    )
)

RAW_DOCUMENTS = register(
    TableSpec(
        name="raw_documents",
        layer="raw",
        schema=pa.schema(
            [
                pa.field("filing_id", pa.string(), nullable=False),
                pa.field("name", pa.string(), nullable=False),
                pa.field("cik", pa.int64()),
                pa.field("sequence", pa.int32()),
                pa.field("doc_type", pa.string()),
                pa.field("description", pa.string()),
                pa.field("kind", pa.string()),
                pa.field("sha256", pa.string(), nullable=False),
                pa.field("size", pa.int64()),
                pa.field("object_key", pa.string(), nullable=False),
                pa.field("container", pa.string()),
                pa.field("source", pa.string()),
                pa.field(FILING_QUARTER, pa.string(), nullable=False),
            ]
        ),
        partition_by=(FILING_QUARTER,),
        primary_key=("filing_id", "name"),
        description="Every stored document of every filing: content-addressed object key (filings/{cik}/{filing_id}/{sha256}/{name}), size, type.",
    )
)

FILINGS = register(
    TableSpec(
        name="filings",
        layer="silver",
        schema=pa.schema(
            [
                pa.field("filing_id", pa.string(), nullable=False),
                *_IDENTITY,
                pa.field("company_name", pa.string()),
                pa.field("document_count", pa.int32()),
                pa.field("total_bytes", pa.int64()),
                pa.field("source", pa.string()),
                pa.field("fingerprint", pa.string()),
                pa.field("status", pa.string(), nullable=False),
                pa.field("errors", _STRINGS),
                pa.field("warnings", _STRINGS),
                pa.field(FILING_QUARTER, pa.string(), nullable=False),
                pa.field("scopes", _STRINGS),
            ]
        ),
        partition_by=(FILING_QUARTER,),
        primary_key=("filing_id",),
        description="One row per filing: identity (accession or a local id), dates, acceptance time (UTC, null when unknown), documents, processing status and the ingestion scopes that want it (null offline).",
    )
)

#: When a filing became public: the point-in-time stamp carried by every row derived from it.
_FILING_STAMP = [
    pa.field("filing_id", pa.string(), nullable=False),
    pa.field("accession", pa.string()),
    pa.field("cik", pa.int64()),
    pa.field("form", pa.string()),
    pa.field("filing_date", pa.date32()),
    pa.field("acceptance_utc", _UTC),
]

FACTS = register(
    TableSpec(
        name="facts",
        layer="silver",
        schema=pa.schema(
            [
                *_FILING_STAMP,
                pa.field("fact_key", pa.string(), nullable=False),
                pa.field("concept", pa.string(), nullable=False),
                pa.field("value", pa.string()),
                pa.field("value_num", pa.float64()),
                pa.field("numeric", pa.bool_()),
                pa.field("decimals", pa.int32()),
                pa.field("unit", pa.string()),
                pa.field("period_type", pa.string()),
                pa.field("period_start", pa.date32()),
                pa.field("period_end", pa.date32()),
                pa.field("dimensions", pa.list_(pa.struct([("axis", pa.string()), ("member", pa.string())]))),
                pa.field("is_nil", pa.bool_()),
                pa.field("document", pa.string()),
                pa.field(FILING_QUARTER, pa.string(), nullable=False),
            ]
        ),
        partition_by=(FILING_QUARTER,),
        primary_key=("filing_id", "fact_key"),
        description="Every XBRL fact of every filing (instance or inline XBRL): concept, value, unit, period, dimensions, stamped with the filing's acceptance time.",
    )
)

FACT_FOOTNOTES = register(
    TableSpec(
        name="fact_footnotes",
        layer="silver",
        schema=pa.schema(
            [
                *_FILING_STAMP,
                pa.field("fact_key", pa.string(), nullable=False),
                pa.field("concept", pa.string()),
                pa.field("footnote_id", pa.string(), nullable=False),
                pa.field("footnote", pa.string()),
                pa.field("role", pa.string()),
                pa.field("lang", pa.string()),
                pa.field("arc_order", pa.float64()),
                pa.field(FILING_QUARTER, pa.string(), nullable=False),
            ]
        ),
        partition_by=(FILING_QUARTER,),
        primary_key=("filing_id", "fact_key", "footnote_id"),
        description="Footnotes the filer attached to facts (instance footnoteLink, inline ix:footnote): join to facts on filing_id and fact_key.",
    )
)

XBRL_FILINGS = register(
    TableSpec(
        name="xbrl_filings",
        layer="silver",
        schema=pa.schema(
            [
                *_FILING_STAMP,
                pa.field("document", pa.string()),
                pa.field("document_kind", pa.string()),
                pa.field("facts", pa.int64()),
                pa.field("status", pa.string(), nullable=False),
                pa.field("error", pa.string()),
                pa.field("warnings", _STRINGS),
                pa.field("sec_compared", pa.int64()),
                pa.field("sec_equal", pa.int64()),
                pa.field("fingerprint", pa.string()),
                pa.field(FILING_QUARTER, pa.string(), nullable=False),
            ]
        ),
        partition_by=(FILING_QUARTER,),
        primary_key=("filing_id",),
        description="XBRL extraction status per filing: the document parsed, facts found, ok/empty/error with the reason, agreement with the SEC's companyfacts.",
    )
)

CONCEPT_LABELS = register(
    TableSpec(
        name="concept_labels",
        layer="silver",
        schema=pa.schema(
            [
                *_FILING_STAMP,
                pa.field("concept", pa.string(), nullable=False),
                pa.field("role", pa.string(), nullable=False),
                pa.field("role_uri", pa.string()),
                pa.field("label", pa.string()),
                pa.field("document", pa.string()),
                pa.field(FILING_QUARTER, pa.string(), nullable=False),
            ]
        ),
        partition_by=(FILING_QUARTER,),
        primary_key=("filing_id", "concept", "role"),
        description="The filer's as-reported label of each concept per label role (label, terseLabel, totalLabel, documentation...) from its label linkbase (_lab.xml).",
    )
)

LINKBASE_ARCS = register(
    TableSpec(
        name="linkbase_arcs",
        layer="silver",
        schema=pa.schema(
            [
                *_FILING_STAMP,
                pa.field("linkbase", pa.string(), nullable=False),
                pa.field("role", pa.string(), nullable=False),
                pa.field("parent", pa.string(), nullable=False),
                pa.field("child", pa.string(), nullable=False),
                pa.field("weight", pa.float64()),
                pa.field("order", pa.float64()),
                pa.field("preferred_label", pa.string()),
                pa.field("document", pa.string()),
                pa.field(FILING_QUARTER, pa.string(), nullable=False),
            ]
        ),
        partition_by=(FILING_QUARTER,),
        primary_key=("filing_id", "linkbase", "role", "parent", "child"),
        description="The filer's statement hierarchy: calculation (parent = sum of weight x child) and presentation (parent -> child, order, preferred label) arcs per extended link role, from _cal.xml and _pre.xml.",
    )
)

#: FinancialDatasets' statement fields (fd-api.md §3.2), in FD's order. ``edgar.statements.mapping`` maps each to
#: XBRL concepts; a test keeps the two lists equal.
INCOME_FIELDS = (
    "revenue", "cost_of_revenue", "gross_profit", "operating_expense", "selling_general_and_administrative_expenses",
    "research_and_development", "operating_income", "interest_expense", "ebit", "income_tax_expense",
    "net_income_discontinued_operations", "net_income_non_controlling_interests", "net_income",
    "net_income_common_stock", "preferred_dividends_impact", "consolidated_income", "earnings_per_share",
    "earnings_per_share_diluted", "dividends_per_common_share", "weighted_average_shares",
    "weighted_average_shares_diluted",
)  # fmt: skip
BALANCE_SHEET_FIELDS = (
    "total_assets", "current_assets", "cash_and_equivalents", "inventory", "current_investments",
    "trade_and_non_trade_receivables", "non_current_assets", "property_plant_and_equipment",
    "goodwill_and_intangible_assets", "investments", "non_current_investments", "outstanding_shares", "tax_assets",
    "total_liabilities", "current_liabilities", "current_debt", "trade_and_non_trade_payables", "deferred_revenue",
    "deposit_liabilities", "non_current_liabilities", "non_current_debt", "tax_liabilities", "shareholders_equity",
    "retained_earnings", "accumulated_other_comprehensive_income", "total_debt",
)  # fmt: skip
CASH_FLOW_FIELDS = (
    "net_income", "depreciation_and_amortization", "share_based_compensation", "net_cash_flow_from_operations",
    "capital_expenditure", "business_acquisitions_and_disposals", "investment_acquisitions_and_disposals",
    "net_cash_flow_from_investing", "issuance_or_repayment_of_debt_securities",
    "issuance_or_purchase_of_equity_shares", "dividends_and_other_cash_distributions", "net_cash_flow_from_financing",
    "change_in_cash_and_equivalents", "effect_of_exchange_rate_changes", "ending_cash_balance", "free_cash_flow",
)  # fmt: skip


def _statement_schema(fields: tuple[str, ...]) -> pa.Schema:
    return pa.schema(
        [
            pa.field("cik", pa.int64(), nullable=False),
            pa.field("ticker", pa.string()),
            pa.field("report_period", pa.date32(), nullable=False),
            pa.field("fiscal_period", pa.string(), nullable=False),
            pa.field("period", pa.string(), nullable=False),
            pa.field("currency", pa.string()),
            pa.field("version", pa.string(), nullable=False),
            *(pa.field(name, pa.float64()) for name in fields),
            pa.field("accession_number", pa.string()),
            pa.field("form", pa.string()),
            pa.field("filing_date", pa.date32()),
            pa.field("accepted_at", _UTC),
            pa.field("sources", pa.string()),
            pa.field("accessions", pa.string()),
        ]
    )


_STATEMENT_KEY = ("cik", "period", "fiscal_period", "report_period", "version")
_STATEMENT_NOTE = (
    " One row per company, period kind (annual/quarterly/ttm), fiscal period and version (first = as first"
    " reported, latest = after restatements); accepted_at is when the row's latest input became public (UTC);"
    " sources/accessions are JSON maps field -> concept/formula/derivation and field -> accession."
)

INCOME_STATEMENTS = register(
    TableSpec(
        name="income_statements",
        layer="gold",
        schema=_statement_schema(INCOME_FIELDS),
        partition_by=(),
        primary_key=_STATEMENT_KEY,
        description="Standardized income statements (FinancialDatasets fields)." + _STATEMENT_NOTE,
    )
)
BALANCE_SHEETS = register(
    TableSpec(
        name="balance_sheets",
        layer="gold",
        schema=_statement_schema(BALANCE_SHEET_FIELDS),
        partition_by=(),
        primary_key=_STATEMENT_KEY,
        description="Standardized balance sheets (FinancialDatasets fields)." + _STATEMENT_NOTE,
    )
)
CASH_FLOW_STATEMENTS = register(
    TableSpec(
        name="cash_flow_statements",
        layer="gold",
        schema=_statement_schema(CASH_FLOW_FIELDS),
        partition_by=(),
        primary_key=_STATEMENT_KEY,
        description="Standardized cash-flow statements (FinancialDatasets fields; outflows negative)."
        + _STATEMENT_NOTE,
    )
)

STATEMENT_VALUES = register(
    TableSpec(
        name="statement_values",
        layer="silver",
        schema=pa.schema(
            [
                pa.field("cik", pa.int64(), nullable=False),
                pa.field("statement", pa.string(), nullable=False),
                pa.field("field", pa.string(), nullable=False),
                pa.field("period", pa.string(), nullable=False),
                pa.field("fiscal_period", pa.string(), nullable=False),
                pa.field("report_period", pa.date32(), nullable=False),
                pa.field("period_start", pa.date32()),
                pa.field("value", pa.float64()),
                pa.field("unit", pa.string()),
                pa.field("method", pa.string()),
                pa.field("source", pa.string()),
                pa.field("accession_number", pa.string(), nullable=False),
                pa.field("form", pa.string()),
                pa.field("filing_date", pa.date32()),
                pa.field("accepted_at", _UTC),
            ]
        ),
        partition_by=(),
        primary_key=(
            "cik",
            "statement",
            "field",
            "period",
            "fiscal_period",
            "report_period",
            "accession_number",
        ),
        description="Every standardized value as each filing reported it (point-in-time record: filter accepted_at <= D and take the latest per key for 'as of D').",
    )
)

RESTATEMENTS = register(
    TableSpec(
        name="restatements",
        layer="gold",
        schema=pa.schema(
            [
                pa.field("cik", pa.int64(), nullable=False),
                pa.field("statement", pa.string(), nullable=False),
                pa.field("field", pa.string(), nullable=False),
                pa.field("period", pa.string(), nullable=False),
                pa.field("fiscal_period", pa.string(), nullable=False),
                pa.field("report_period", pa.date32(), nullable=False),
                pa.field("period_start", pa.date32()),
                pa.field("old_value", pa.float64()),
                pa.field("new_value", pa.float64()),
                pa.field("old_source", pa.string()),
                pa.field("new_source", pa.string()),
                pa.field("old_accession", pa.string(), nullable=False),
                pa.field("new_accession", pa.string(), nullable=False),
                pa.field("old_accepted_at", _UTC),
                pa.field("new_accepted_at", _UTC),
            ]
        ),
        partition_by=(),
        primary_key=(
            "cik",
            "statement",
            "field",
            "period",
            "fiscal_period",
            "report_period",
            "old_accession",
            "new_accession",
        ),
        description="A later filing reported a different value for the same company, line item and period: old and new value and filings.",
    )
)

INSIDER_TRADES = register(
    TableSpec(
        name="insider_trades",
        layer="gold",
        schema=pa.schema(
            [
                pa.field("row_id", pa.string(), nullable=False),
                pa.field("ticker", pa.string()),
                pa.field("issuer", pa.string()),
                pa.field("name", pa.string()),
                pa.field("title", pa.string()),
                pa.field("is_board_director", pa.bool_()),
                pa.field("transaction_date", pa.date32()),
                pa.field("transaction_shares", pa.float64()),
                pa.field("transaction_price_per_share", pa.float64()),
                pa.field("transaction_value", pa.float64()),
                pa.field("shares_owned_before_transaction", pa.float64()),
                pa.field("shares_owned_after_transaction", pa.float64()),
                pa.field("security_title", pa.string()),
                pa.field("filing_date", pa.date32()),
                pa.field("transaction_type", pa.string()),
                pa.field("filing_id", pa.string(), nullable=False),
                pa.field("accession", pa.string()),
                pa.field("issuer_cik", pa.int64()),
                pa.field("form", pa.string()),
                pa.field("acceptance_utc", _UTC),
                pa.field("metadata_source", pa.string()),
                pa.field("filing_date_flag", pa.string()),
                pa.field(FILING_QUARTER, pa.string(), nullable=False),
            ]
        ),
        partition_by=(FILING_QUARTER,),
        primary_key=("row_id",),
        description="Forms 3/4/5 as FinancialDatasets InsiderTrade rows (one per reporting owner and table row; dispositions negative; holdings rows typed 'Holding'); filing_date null with filing_date_flag 'unknown' for a stand-alone XML no SEC source dates (metadata_source 'document').",
    )
)

INSTITUTIONAL_HOLDINGS = register(
    TableSpec(
        name="institutional_holdings",
        layer="silver",
        schema=pa.schema(
            [
                pa.field("filing_id", pa.string(), nullable=False),
                pa.field("row", pa.int32(), nullable=False),
                pa.field("accession", pa.string()),
                pa.field("filer_cik", pa.int64()),
                pa.field("form", pa.string()),
                pa.field("period_of_report", pa.date32()),
                pa.field("filing_date", pa.date32()),
                pa.field("acceptance_utc", _UTC),
                pa.field("issuer_name", pa.string()),
                pa.field("title_of_class", pa.string()),
                pa.field("cusip", pa.string()),
                pa.field("figi", pa.string()),
                pa.field("value_reported", pa.int64()),
                pa.field("value_usd", pa.int64()),
                pa.field("shares_or_principal", pa.int64()),
                pa.field("sh_prn", pa.string()),
                pa.field("put_call", pa.string()),
                pa.field("investment_discretion", pa.string()),
                pa.field("other_managers", _STRINGS),
                pa.field("voting_sole", pa.int64()),
                pa.field("voting_shared", pa.int64()),
                pa.field("voting_none", pa.int64()),
                pa.field(FILING_QUARTER, pa.string(), nullable=False),
            ]
        ),
        partition_by=(FILING_QUARTER,),
        primary_key=("filing_id", "row"),
        description="13F information-table rows as filed; value_usd in dollars (tables filed before 2023-01-03 reported thousands).",
    )
)

THIRTEENF_FILINGS = register(
    TableSpec(
        name="thirteenf_filings",
        layer="silver",
        schema=pa.schema(
            [
                pa.field("filing_id", pa.string(), nullable=False),
                pa.field("accession", pa.string()),
                pa.field("filer_cik", pa.int64()),
                pa.field("filer_name", pa.string()),
                pa.field("form", pa.string()),
                pa.field("period_of_report", pa.date32()),
                pa.field("filing_date", pa.date32()),
                pa.field("acceptance_utc", _UTC),
                pa.field("amendment_type", pa.string()),
                pa.field("report_type", pa.string()),
                pa.field("table_entry_total", pa.int64()),
                pa.field("table_value_total", pa.int64()),
                pa.field("rows", pa.int64()),
                pa.field("value_sum", pa.int64()),
                pa.field("rows_match", pa.bool_()),
                pa.field("value_match", pa.bool_()),
                pa.field("mismatches", _STRINGS),
                pa.field("status", pa.string(), nullable=False),
                pa.field("error", pa.string()),
                pa.field(FILING_QUARTER, pa.string(), nullable=False),
            ]
        ),
        partition_by=(FILING_QUARTER,),
        primary_key=("filing_id",),
        description="One row per 13F filing: cover page, amendment type, and the reconciliation of its table with the cover totals (mismatches recorded).",
    )
)

CUSIP_MAP = register(
    TableSpec(
        name="cusip_map",
        layer="silver",
        schema=pa.schema(
            [
                pa.field("cusip", pa.string(), nullable=False),
                pa.field("issuer_name", pa.string()),
                pa.field("cik", pa.int64()),
                pa.field("ticker", pa.string()),
                pa.field("source", pa.string(), nullable=False),
                pa.field("confidence", pa.float64()),
                pa.field("note", pa.string()),
            ]
        ),
        partition_by=(),
        primary_key=("cusip",),
        description="Every CUSIP of the 13F tables -> issuer CIK and ticker, with its source (override, issuer-name match) and confidence; unmapped CUSIPs stay, with the reason.",
    )
)

# --- Events: 8-K current reports (assets/events) -------------------------------------------------------------

#: The filing an 8-K row comes from: identity, filer name and when it became public (null when unknown).
_EIGHTK_STAMP = [*_FILING_STAMP[:3], pa.field("company_name", pa.string()), *_FILING_STAMP[3:]]

EIGHTK_ITEMS = register(
    TableSpec(
        name="eightk_items",
        layer="silver",
        schema=pa.schema(
            [
                *_EIGHTK_STAMP,
                pa.field("item", pa.string(), nullable=False),
                pa.field("title", pa.string()),
                pa.field("in_header", pa.bool_()),
                pa.field("in_text", pa.bool_()),
                pa.field("text", pa.string()),
                pa.field(FILING_QUARTER, pa.string(), nullable=False),
            ]
        ),
        partition_by=(FILING_QUARTER,),
        primary_key=("filing_id", "item"),
        description="One row per item of every 8-K: number (e.g. 2.02; a header title EDGAR's list does not know stands as itself), official title, whether the SGML header and/or the text report it, the item's text.",
    )
)

PRESS_RELEASES = register(
    TableSpec(
        name="press_releases",
        layer="silver",
        schema=pa.schema(
            [
                *_EIGHTK_STAMP,
                pa.field("document", pa.string(), nullable=False),
                pa.field("exhibit_type", pa.string()),
                pa.field("title", pa.string()),
                pa.field("date", pa.date32()),
                pa.field("text", pa.string()),
                pa.field("is_earnings", pa.bool_()),
                pa.field(FILING_QUARTER, pa.string(), nullable=False),
            ]
        ),
        partition_by=(FILING_QUARTER,),
        primary_key=("filing_id", "document"),
        description="EX-99 press releases of 8-Ks (embedded in the full submission or stored as their own file): title and date as the release states them, text, whether it announces results.",
    )
)

EARNINGS = register(
    TableSpec(
        name="earnings",
        layer="gold",
        schema=pa.schema(
            [
                pa.field("filing_id", pa.string(), nullable=False),
                pa.field("ticker", pa.string()),
                pa.field("cik", pa.int64()),
                pa.field("company_name", pa.string()),
                pa.field("source_type", pa.string()),
                pa.field("report_date", pa.date32()),
                pa.field("filing_date", pa.date32()),
                pa.field("acceptance_utc", _UTC),
                pa.field("title", pa.string()),
                pa.field("accession", pa.string()),
                pa.field("filing_url", pa.string()),
                pa.field(FILING_QUARTER, pa.string(), nullable=False),
            ]
        ),
        partition_by=(FILING_QUARTER,),
        primary_key=("filing_id",),
        description="One row per 8-K that announces results (item 2.02 or an earnings press release): ticker (from companies), release title, report date (the release's date, else the event date of the SGML header, else the filing date), filing date and acceptance time (UTC, null when unknown), filing_url = the 8-K document in the SEC archive (null without accession and CIK).",
    )
)

NEWS = register(
    TableSpec(
        name="news",
        layer="gold",
        schema=pa.schema(
            [
                pa.field("filing_id", pa.string(), nullable=False),
                pa.field("document", pa.string(), nullable=False),
                pa.field("ticker", pa.string()),
                pa.field("title", pa.string()),
                pa.field("author", pa.string()),
                pa.field("source", pa.string()),
                pa.field("date", pa.date32()),
                pa.field("url", pa.string()),
                pa.field("sentiment", pa.string()),
                pa.field("cik", pa.int64()),
                pa.field("accession", pa.string()),
                pa.field("acceptance_utc", _UTC),
                pa.field(FILING_QUARTER, pa.string(), nullable=False),
            ]
        ),
        partition_by=(FILING_QUARTER,),
        primary_key=("filing_id", "document"),
        description="SEC 8-K press releases in FinancialDatasets' CompanyNews shape: date = the release's date, else the filing date; url = the document in the SEC archive (null without accession and CIK); author and sentiment null (SEC filings state neither).",
    )
)

# --- Reports: 10-K and 10-Q item sections (assets/events/reports.py) --------------------------------------------

#: The report a section comes from: identity, the period it covers and when it became public (null when unknown).
_REPORT_STAMP = [
    *_FILING_STAMP,
    pa.field("period_of_report", pa.date32()),
    pa.field("fiscal_year", pa.int32()),
    pa.field("fiscal_period", pa.string()),
]

REPORT_ITEMS = register(
    TableSpec(
        name="report_items",
        layer="silver",
        schema=pa.schema(
            [
                *_REPORT_STAMP,
                pa.field("document", pa.string()),
                pa.field("name", pa.string(), nullable=False),
                pa.field("part", pa.string()),
                pa.field("item", pa.string(), nullable=False),
                pa.field("title", pa.string()),
                pa.field("text", pa.string()),
                pa.field("ordinal", pa.int32(), nullable=False),
                pa.field(FILING_QUARTER, pa.string(), nullable=False),
            ]
        ),
        partition_by=(FILING_QUARTER,),
        primary_key=("filing_id", "name"),
        description="One row per item section of every 10-K and 10-Q (and amendment) primary HTML document: name as FinancialDatasets gives it (Item-1A; Part-2,Item-1A on a 10-Q, lake.items), part and item number, title as printed, the item's text (no markup, whitespace collapsed), ordinal = order in the document; the table of contents is not a section.",
    )
)

REPORT_ITEM_FILINGS = register(
    TableSpec(
        name="report_item_filings",
        layer="silver",
        schema=pa.schema(
            [
                *_REPORT_STAMP,
                pa.field("document", pa.string()),
                pa.field("items", pa.int32()),
                pa.field("toc_entries", pa.int32()),
                pa.field("status", pa.string(), nullable=False),
                pa.field("error", pa.string()),
                pa.field(FILING_QUARTER, pa.string(), nullable=False),
            ]
        ),
        partition_by=(FILING_QUARTER,),
        primary_key=("filing_id",),
        description="Item extraction status per 10-K / 10-Q: the HTML document read, sections found, table-of-contents lines skipped, status ok / empty (no item heading, with the reason) / error (unreadable document, with the error) / no-document (only XBRL or no HTML stored).",
    )
)

SIGNALS = register(
    TableSpec(
        name="signals",
        layer="gold",
        schema=pa.schema(
            [
                pa.field("signal_id", pa.string(), nullable=False),
                pa.field("kind", pa.string(), nullable=False),
                pa.field("cik", pa.int64()),
                pa.field("ticker", pa.string()),
                pa.field("accession", pa.string()),
                pa.field("subject", pa.string()),
                pa.field("score", pa.float64(), nullable=False),
                pa.field("confidence", pa.float64(), nullable=False),
                pa.field("details", pa.string()),
                pa.field("as_of", _UTC, nullable=False),
                pa.field("created_from", _STRINGS),
            ]
        ),
        partition_by=(),
        primary_key=("signal_id",),
        description="Point-in-time signals (late filings, restatements, abnormal 13F flows, insider clusters; definitions in edgar.signals.definitions): score and confidence 0-1, details JSON, as_of = acceptance time of the triggering filing (its filing date at 00:00 UTC when unknown).",
    )
)

#: Partition column of the daily price table: the calendar year of the bar.
PRICE_YEAR = "year"

PRICES = register(
    TableSpec(
        name="prices",
        layer="silver",
        schema=pa.schema(
            [
                pa.field("ticker", pa.string(), nullable=False),
                pa.field("date", pa.date32(), nullable=False),
                pa.field("open", pa.float64()),
                pa.field("high", pa.float64()),
                pa.field("low", pa.float64()),
                pa.field("close", pa.float64()),
                pa.field("adj_close", pa.float64()),
                pa.field("volume", pa.int64()),
                pa.field("split_factor", pa.float64()),
                pa.field("adjusted_as_of", pa.date32()),
                pa.field("adjustment", pa.string()),
                pa.field("source", pa.string()),
                pa.field("flags", _STRINGS),
                pa.field(PRICE_YEAR, pa.int32(), nullable=False),
            ]
        ),
        partition_by=(PRICE_YEAR,),
        primary_key=("ticker", "date"),
        description=(
            "Daily OHLCV bars as the provider delivers them, partitioned by year: 'adjustment' says whether "
            "open/high/low/close/volume are split-adjusted (as of 'adjusted_as_of': the ../shared stock files, "
            "2024-03-08) or raw (adjusted_as_of null: SPY); adj_close is also dividend-adjusted (null for SPY). "
            "split_factor multiplies a share count reported as of that date into the series' units "
            "(shares_in_series_units = raw_shares * split_factor; e.g. 4.0 for AAPL before 2020-08-31); "
            "'flags' lists quality problems of the bar (non_positive_price, high_below_low, "
            "ohlc_outside_range, duplicate_date, gap_before), which are flagged, never dropped."
        ),
    )
)

COMPANYFACTS_FETCHES = register(
    TableSpec(
        name="companyfacts_fetches",
        layer="bronze",
        schema=pa.schema(
            [
                pa.field("cik", pa.int64(), nullable=False),
                pa.field("fetched_at", _UTC, nullable=False),
                pa.field("found", pa.bool_(), nullable=False),
                pa.field(
                    "split_facts",
                    pa.list_(
                        pa.struct(
                            [
                                pa.field("accession", pa.string()),
                                pa.field("form", pa.string()),
                                pa.field("concept", pa.string()),
                                pa.field("value_num", pa.float64()),
                                pa.field("period_end", pa.date32()),
                            ]
                        )
                    ),
                ),
            ]
        ),
        partition_by=(),
        primary_key=("cik",),
        description=(
            "The split-ratio facts of each filer's SEC companyfacts as last downloaded (fetched_at; found = "
            "the SEC had companyfacts for the CIK): the splits asset fetches a filer again only after "
            "SPLITS_COMPANYFACTS_REFRESH_DAYS, a new filer at once."
        ),
    )
)

SPLITS = register(
    TableSpec(
        name="splits",
        layer="silver",
        schema=pa.schema(
            [
                pa.field("ticker", pa.string(), nullable=False),
                pa.field("ex_date", pa.date32(), nullable=False),
                pa.field("cik", pa.int64()),
                pa.field("ratio", pa.float64(), nullable=False),
                pa.field("source", pa.string()),
                pa.field("accession", pa.string()),
                pa.field("note", pa.string()),
            ]
        ),
        partition_by=(),
        primary_key=("ticker", "ex_date"),
        description=(
            "Stock splits: new shares per old share from the ex-date (4.0 for a 4-for-1, 0.1 for a 1-for-10 "
            "reverse split), from the override file (source 'override', infra/splits_overrides.csv) or a "
            "split ratio tagged in a filing (source 'filing' from the lake's facts, 'companyfacts' from the "
            "SEC's companyfacts of a filer; accession of the filing, ex-date approximated by the fact's period "
            "end); a tagged ratio near an override of the same ratio confirms it (named in its note) instead."
        ),
    )
)

# --- 13F quarters after amendments, and their changes (assets/ownership/quarters.py) ---------------------------

#: A 13F position: summed information-table rows of one (CUSIP, put/call); see ``edgar.thirteenf.changes``.
#: ``put_call`` is ``Put``, ``Call`` or ``''`` (the PUT/CALL column left blank: shares or principal held).
_POSITION_KEY = [
    pa.field("filer_cik", pa.int64(), nullable=False),
    pa.field("period_of_report", pa.date32(), nullable=False),
    pa.field("cusip", pa.string(), nullable=False),
    pa.field("put_call", pa.string(), nullable=False),
]

HOLDINGS_QUARTER = register(
    TableSpec(
        name="holdings_quarter",
        layer="gold",
        schema=pa.schema(
            [
                *_POSITION_KEY,
                pa.field("issuer_name", pa.string()),
                pa.field("title_of_class", pa.string()),
                pa.field("sh_prn", pa.string()),
                pa.field("shares_or_principal", pa.int64()),
                pa.field("value_usd", pa.int64()),
                pa.field("rows", pa.int32()),
                pa.field("mixed_units", pa.bool_()),
                pa.field("filing_ids", _STRINGS),
                pa.field("applied", _STRINGS),
                pa.field("order_basis", pa.string()),
                pa.field("notes", _STRINGS),
                pa.field("filing_date", pa.date32()),
                pa.field("as_of", _UTC),
            ]
        ),
        partition_by=(),
        primary_key=("filer_cik", "period_of_report", "cusip", "put_call"),
        description=(
            "The 13F holdings in effect for each filer and quarter once amendments are applied (13F-HR/A "
            "RESTATEMENT replaces, NEW HOLDINGS adds, 13F-NT has none): information-table rows summed per CUSIP "
            "and put/call; filing_ids = the filings the rows came from, applied = every filing applied in order; "
            "as_of = acceptance of the last filing applied (its filing date at 00:00 UTC when unknown; null when "
            "undated); value_usd null when a row's filing date (hence its unit) is unknown."
        ),
    )
)

HOLDINGS_CHANGES = register(
    TableSpec(
        name="holdings_changes",
        layer="gold",
        schema=pa.schema(
            [
                *_POSITION_KEY,
                pa.field("previous_period", pa.date32(), nullable=False),
                pa.field("issuer_name", pa.string()),
                pa.field("title_of_class", pa.string()),
                pa.field("change", pa.string(), nullable=False),
                pa.field("shares_before", pa.int64()),
                pa.field("shares_after", pa.int64()),
                pa.field("share_delta", pa.int64()),
                pa.field("value_before", pa.int64()),
                pa.field("value_after", pa.int64()),
                pa.field("value_delta", pa.int64()),
                pa.field("filing_ids", _STRINGS),
                pa.field("previous_filing_ids", _STRINGS),
                pa.field("filing_date", pa.date32()),
                pa.field("as_of", _UTC),
            ]
        ),
        partition_by=(),
        primary_key=("filer_cik", "period_of_report", "cusip", "put_call"),
        description=(
            "Quarter-over-quarter change of each filer's 13F positions (new, added, reduced, sold_out, unchanged, "
            "unknown) with share and value deltas, between consecutive calendar quarters that both have a "
            "holdings report; the previous quarter as it stood when the later quarter's last filing was made; "
            "as_of = acceptance of that filing (its filing date at 00:00 UTC when unknown)."
        ),
    )
)

# --- Backtests (trading.backtest) -----------------------------------------------------------------------------

BACKTEST_RUNS = register(
    TableSpec(
        name="backtest_runs",
        layer="gold",
        schema=pa.schema(
            [
                pa.field("run_id", pa.string(), nullable=False),
                pa.field("strategy", pa.string(), nullable=False),
                pa.field("params", pa.string()),
                pa.field("start", pa.date32()),
                pa.field("end", pa.date32()),
                pa.field("rebalance", pa.string()),
                pa.field("cost_bps", pa.float64()),
                pa.field("slippage_bps", pa.float64()),
                pa.field("tickers", pa.int32()),
                pa.field("table_versions", pa.string()),
                pa.field("metrics", pa.string()),
                pa.field("total_return", pa.float64()),
                pa.field("cagr", pa.float64()),
                pa.field("sharpe", pa.float64()),
                pa.field("sortino", pa.float64()),
                pa.field("max_drawdown", pa.float64()),
                pa.field("turnover", pa.float64()),
                pa.field("exposure", pa.float64()),
                pa.field("hit_rate", pa.float64()),
                pa.field("benchmark_total_return", pa.float64()),
                pa.field("created", _UTC, nullable=False),
            ]
        ),
        partition_by=(),
        primary_key=("run_id",),
        description=(
            "One row per backtest run: strategy, its parameters (JSON), period, rebalance rule, costs, the lake "
            "table versions it read (JSON table -> Delta version), every metric (JSON) and the headline ones as "
            "columns (max_drawdown negative, turnover = traded notional / equity per year)."
        ),
    )
)

BACKTEST_EQUITY = register(
    TableSpec(
        name="backtest_equity",
        layer="gold",
        schema=pa.schema(
            [
                pa.field("run_id", pa.string(), nullable=False),
                pa.field("date", pa.date32(), nullable=False),
                pa.field("equity", pa.float64(), nullable=False),
                pa.field("daily_return", pa.float64()),
                pa.field("benchmark", pa.float64()),
                pa.field("exposure", pa.float64()),
                pa.field("net_exposure", pa.float64()),
                pa.field("turnover", pa.float64()),
                pa.field("cost", pa.float64()),
            ]
        ),
        partition_by=(),
        primary_key=("run_id", "date"),
        description=(
            "Daily equity curve of a backtest run (starts at 1.0): equity after costs, the benchmark (SPY close "
            "/ close on the first day; null where SPY has no bar), gross and net exposure at the close, "
            "turnover traded that day (notional / equity) and the cost paid (fraction of equity)."
        ),
    )
)

# --- Metrics, valuation and factors (dbt marts, written back by lake.marts) ---------------------------------

#: FinancialDatasets' FinancialMetrics values (fd-api.md §1.2), in FD's order: valuation, profitability,
#: efficiency, liquidity, leverage, growth, per share. Decimals, not percent.
FINANCIAL_METRIC_FIELDS = (
    "market_cap", "enterprise_value", "price_to_earnings_ratio", "price_to_book_ratio", "price_to_sales_ratio",
    "enterprise_value_to_ebitda_ratio", "enterprise_value_to_revenue_ratio", "free_cash_flow_yield", "peg_ratio",
    "gross_margin", "operating_margin", "net_margin", "return_on_equity", "return_on_assets",
    "return_on_invested_capital",
    "asset_turnover", "inventory_turnover", "receivables_turnover", "days_sales_outstanding", "operating_cycle",
    "working_capital_turnover",
    "current_ratio", "quick_ratio", "cash_ratio", "operating_cash_flow_ratio",
    "debt_to_equity", "debt_to_assets", "interest_coverage",
    "revenue_growth", "earnings_growth", "book_value_growth", "earnings_per_share_growth", "free_cash_flow_growth",
    "operating_income_growth", "ebitda_growth",
    "payout_ratio", "earnings_per_share", "book_value_per_share", "free_cash_flow_per_share",
)  # fmt: skip

_METRICS_HEAD = [
    pa.field("ticker", pa.string()),
    pa.field("report_period", pa.date32(), nullable=False),
    pa.field("period", pa.string(), nullable=False),
    pa.field("currency", pa.string()),
    pa.field("filing_date", pa.date32()),
    pa.field("filing_datetime", _UTC),
    *(pa.field(name, pa.float64()) for name in FINANCIAL_METRIC_FIELDS),
    pa.field("cik", pa.int64(), nullable=False),
    pa.field("fiscal_period", pa.string(), nullable=False),
    pa.field("version", pa.string(), nullable=False),
    pa.field("accession_number", pa.string()),
    pa.field("price_date", pa.date32()),
    pa.field("price", pa.float64()),
    pa.field("shares_outstanding", pa.float64()),
]

FINANCIAL_METRICS = register(
    TableSpec(
        name="financial_metrics",
        layer="gold",
        schema=pa.schema([*_METRICS_HEAD, pa.field("shares_source", pa.string())]),
        partition_by=(),
        primary_key=("cik", "period", "fiscal_period", "report_period", "version"),
        description=(
            "FinancialDatasets FinancialMetrics (39 values, decimals) per company, period kind (annual/quarterly/ttm), "
            "fiscal period and version (first/latest), point in time: filing_date/filing_datetime (UTC) are the "
            "latest input filing's; valuation uses the close (split-adjusted) of the first trading day at or after "
            "its acceptance (price_date, price) times the shares its cover page reports, in the same split units "
            "(shares_outstanding, shares_source). Built by dbt (dbt/models/marts)."
        ),
    )
)

FINANCIAL_METRICS_SNAPSHOT = register(
    TableSpec(
        name="financial_metrics_snapshot",
        layer="gold",
        schema=pa.schema(_METRICS_HEAD),
        partition_by=(),
        primary_key=("ticker",),
        description=(
            "The latest FinancialMetrics per ticker: newest TTM (else annual) period, latest-accepted version, "
            "valued at the latest close (price_date); valuation null when that close predates the period's filing."
        ),
    )
)

VALUATION_DAILY = register(
    TableSpec(
        name="valuation_daily",
        layer="gold",
        schema=pa.schema(
            [
                pa.field("ticker", pa.string(), nullable=False),
                pa.field("date", pa.date32(), nullable=False),
                pa.field("cik", pa.int64()),
                pa.field("close", pa.float64()),
                pa.field("shares_outstanding", pa.float64()),
                pa.field("market_cap", pa.float64()),
                pa.field("enterprise_value", pa.float64()),
                pa.field("price_to_earnings_ratio", pa.float64()),
                pa.field("price_to_book_ratio", pa.float64()),
                pa.field("price_to_sales_ratio", pa.float64()),
                pa.field("shares_accession", pa.string()),
                pa.field("fundamentals_report_period", pa.date32()),
                pa.field("fundamentals_accession", pa.string()),
            ]
        ),
        partition_by=(),
        primary_key=("ticker", "date"),
        description=(
            "Point-in-time valuation per ticker and trading day: close (split-adjusted) x shares of the latest cover "
            "page known by that close (in the same split units); P/E and P/S on the TTM figures and P/B on the "
            "balance sheet known by then. Days without a price have no row."
        ),
    )
)

_FACTORS = ("value", "quality", "momentum", "size", "low_vol", "growth")

FACTORS = register(
    TableSpec(
        name="factors",
        layer="gold",
        schema=pa.schema(
            [
                pa.field("ticker", pa.string(), nullable=False),
                pa.field("date", pa.date32(), nullable=False),
                pa.field("close", pa.float64()),
                pa.field("market_cap", pa.float64()),
                *(
                    field
                    for name in _FACTORS
                    for field in (pa.field(f"{name}_raw", pa.float64()), pa.field(name, pa.float64()))
                ),
            ]
        ),
        partition_by=(),
        primary_key=("ticker", "date"),
        description=(
            "Monthly factor panel per ticker and month-end trading day, point in time: raw exposure (<factor>_raw) "
            "and cross-sectional z-score clipped to +-3 of value (TTM E/P), quality (TTM gross profit / assets), "
            "momentum (12-1 month total return), size (ln market cap), low_vol (minus 252-day volatility) and "
            "growth (TTM revenue growth); definitions in dbt/models/README.md."
        ),
    )
)
