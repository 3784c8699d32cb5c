-- FinancialDatasets' FinancialMetrics per company, period kind (annual, quarterly, ttm), fiscal period, report
-- period and version (first = as first reported, latest = after restatements), point in time: filing_date and
-- filing_datetime are those of the latest filing among the row's inputs, and the valuation values use the
-- close of the first trading day at or after that filing's acceptance with the shares it reports.
select
    m.ticker, m.report_period, m.period, m.currency, m.filing_date, m.accepted_at as filing_datetime,
    {{ valuation_columns('v.shares_outstanding * v.price', 'm') }},
    {{ period_metric_columns('m') }},
    -- provenance
    m.cik, m.fiscal_period, m.version, m.accession_number,
    v.price_date, v.price, v.shares_outstanding, v.shares_source
from {{ ref('int_period_metrics') }} m
left join {{ ref('int_filing_valuation') }} v using (cik, period, fiscal_period, report_period, version)
