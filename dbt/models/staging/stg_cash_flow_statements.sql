-- Cash-flow rows (every period kind and version), with the inputs of the metrics (outflows negative).
select
    cik, ticker, period, fiscal_period, report_period, version, currency,
    net_income, depreciation_and_amortization, net_cash_flow_from_operations, capital_expenditure, free_cash_flow,
    dividends_and_other_cash_distributions,
    accession_number, filing_date, accepted_at
from {{ source('lake', 'cash_flow_statements') }}
