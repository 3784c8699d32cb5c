-- Income statement rows (every period kind and version), with the inputs of the metrics.
select
    cik, ticker, period, fiscal_period, report_period, version, currency,
    revenue, cost_of_revenue, gross_profit, operating_income, interest_expense, ebit, income_tax_expense,
    net_income, earnings_per_share, weighted_average_shares,
    accession_number, filing_date, accepted_at
from {{ source('lake', 'income_statements') }}
