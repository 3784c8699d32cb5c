-- Balance sheet rows (every period kind and version), with the inputs of the metrics.
select
    cik, ticker, period, fiscal_period, report_period, version, currency,
    total_assets, current_assets, cash_and_equivalents, inventory, current_investments,
    trade_and_non_trade_receivables, current_liabilities, total_debt, shareholders_equity, outstanding_shares,
    accession_number, filing_date, accepted_at
from {{ source('lake', 'balance_sheets') }}
