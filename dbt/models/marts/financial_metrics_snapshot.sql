-- The latest FinancialMetrics of each ticker (for /financial-metrics/snapshot and the screener): the newest
-- TTM period (else annual, else quarterly when a company has no TTM row) in its latest-accepted version, with the
-- valuation values at the latest close in valuation_daily (latest shares known, that day's close). When that
-- close is older than the period's filing (the price data ends before it), the valuation values are NULL,
-- never computed from a stale price.
with latest as (
    select *
    from {{ ref('int_period_metrics') }}
    where ticker is not null
    qualify row_number() over (
        partition by cik
        order by case period when 'ttm' then 0 when 'annual' then 1 else 2 end, report_period desc,
            accepted_at desc nulls last
    ) = 1
),
last_close as (
    select *
    from {{ ref('valuation_daily') }}
    qualify row_number() over (partition by cik order by date desc) = 1
)
select
    m.ticker, m.report_period, m.period, m.currency, m.filing_date, m.accepted_at as filing_datetime,
    {{ valuation_columns('v.market_cap', 'm') }},
    {{ period_metric_columns('m') }},
    m.cik, m.fiscal_period, m.version, m.accession_number,
    v.date as price_date, v.close as price, v.shares_outstanding
from latest m
left join last_close v
    on v.cik = m.cik and v.date >= {{ first_close_date('m.accepted_at', 'm.filing_date') }}
