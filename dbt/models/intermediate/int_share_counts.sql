-- Shares outstanding per filing (cover page), in the units of the price series: raw count x split_factor on
-- the count's date (the last trading day at or before it, else the first after it). A count dated after the
-- ticker's last price has no factor (splits after the series ends are unknown to it): NULL, not a guess.
with counts as (
    select s.*, t.ticker, l.last_date
    from {{ ref('stg_cover_shares') }} s
    join {{ ref('int_tickers') }} t using (cik)
    left join (select ticker, max(date) as last_date from {{ ref('stg_prices') }} group by ticker) l using (ticker)
),
before as (
    select c.*, p.split_factor as factor_before
    from counts c
    asof left join {{ ref('stg_prices') }} p on p.ticker = c.ticker and p.date <= c.shares_date
),
after as (
    select b.*, p.split_factor as factor_after
    from before b
    asof left join {{ ref('stg_prices') }} p on p.ticker = b.ticker and p.date >= b.shares_date
),
factored as (
    select *, case when shares_date <= last_date then coalesce(factor_before, factor_after) end as split_factor
    from after
)
select
    accession_number, cik, ticker, filing_date, accepted_at, shares_date,
    shares as shares_reported,
    split_factor,
    shares * split_factor as shares_adjusted,
    {{ first_close_date('accepted_at', 'filing_date') }} as effective_from
from factored
