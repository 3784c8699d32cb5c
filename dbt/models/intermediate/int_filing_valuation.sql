-- The market value of each statement period at its filing: the close of the first trading day at or after
-- the acceptance of the row's latest input filing, times the shares outstanding that filing's cover page
-- reports (else the balance sheet's count at the period end), both in the price series' split units.
with rows as (
    select
        m.cik, m.ticker, m.period, m.fiscal_period, m.report_period, m.version,
        m.accession_number, m.filing_date, m.accepted_at, m.outstanding_shares,
        {{ first_close_date('m.accepted_at', 'm.filing_date') }} as effective_from,
        s.shares_adjusted as cover_shares
    from {{ ref('int_period_metrics') }} m
    left join {{ ref('int_share_counts') }} s using (accession_number)
),
priced as (
    select r.*, p.date as price_date, p.close, p.split_factor as price_split_factor
    from rows r
    asof left join {{ ref('stg_prices') }} p on p.ticker = r.ticker and p.date >= r.effective_from
),
balance_factor as (
    select r.*, p.split_factor as balance_split_factor
    from priced r
    asof left join {{ ref('stg_prices') }} p on p.ticker = r.ticker and p.date <= r.report_period
)
select
    cik, period, fiscal_period, report_period, version,
    price_date, close as price,
    coalesce(cover_shares, outstanding_shares * coalesce(balance_split_factor, price_split_factor)) as shares_outstanding,
    case when cover_shares is not null then 'cover' when outstanding_shares is not null then 'balance_sheet' end
        as shares_source
from balance_factor
