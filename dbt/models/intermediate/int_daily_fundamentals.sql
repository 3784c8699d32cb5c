-- For each company and trading day: the shares outstanding and the TTM fundamentals known by that day's close
-- (point in time: a filing counts from the first close at or after its acceptance). Shares come from the
-- latest-accepted cover page; fundamentals from the newest TTM period known (for a period known in several
-- versions, the latest-accepted one).
with share_events as (
    select
        cik, ticker, effective_from,
        arg_max({'shares': shares_adjusted, 'accession': accession_number}, accepted_at) as today
    from {{ ref('int_share_counts') }}
    where shares_adjusted is not null
    group by cik, ticker, effective_from
),
shares as (
    select
        cik, ticker, effective_from,
        arg_max(today, effective_from) over (
            partition by cik order by effective_from rows between unbounded preceding and current row
        ) as known
    from share_events
),
fundamental_events as (
    select
        cik, {{ first_close_date('accepted_at', 'filing_date') }} as effective_from,
        {
            'report_period': report_period, 'accepted_at': accepted_at, 'accession': accession_number,
            'net_income': net_income, 'revenue': revenue, 'gross_profit': gross_profit,
            'shareholders_equity': shareholders_equity, 'total_assets': total_assets,
            'total_debt': total_debt, 'cash_and_equivalents': cash_and_equivalents,
            'revenue_growth': revenue_growth
        } as row
    from {{ ref('int_period_metrics') }}
    where period = 'ttm'
),
fundamental_days as (
    select
        cik, effective_from,
        arg_max(row, {'report_period': row.report_period, 'accepted_at': row.accepted_at}) as today
    from fundamental_events
    group by cik, effective_from
),
fundamentals as (
    select
        cik, effective_from,
        arg_max(today, {'report_period': today.report_period, 'accepted_at': today.accepted_at}) over (
            partition by cik order by effective_from rows between unbounded preceding and current row
        ) as known
    from fundamental_days
),
days as (
    select p.ticker, p.date, p.close, s.cik, s.known as shares
    from {{ ref('stg_prices') }} p
    asof join shares s on s.ticker = p.ticker and s.effective_from <= p.date
)
select
    d.ticker, d.date, d.cik, d.close,
    d.shares.shares as shares_outstanding, d.shares.accession as shares_accession,
    f.known.report_period as fundamentals_report_period, f.known.accession as fundamentals_accession,
    f.known.net_income as net_income_ttm, f.known.revenue as revenue_ttm,
    f.known.gross_profit as gross_profit_ttm, f.known.revenue_growth as revenue_growth_ttm,
    f.known.shareholders_equity as shareholders_equity, f.known.total_assets as total_assets,
    f.known.total_debt as total_debt, f.known.cash_and_equivalents as cash_and_equivalents
from days d
asof left join fundamentals f on f.cik = d.cik and f.effective_from <= d.date
