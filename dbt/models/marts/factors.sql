-- Monthly factor panel, point in time (inputs known by the month-end close), per ticker and month-end date.
-- Raw exposures (definitions in dbt/models/README.md) and their cross-sectional z-scores at each date
-- (mean 0, standard deviation 1 over the tickers with a value, clipped to +-3; NULL with fewer than
-- var('min_cross_section') tickers). Higher z = more of the named factor: cheaper (value), more profitable
-- (quality), stronger 12-1 return (momentum), larger (size), calmer (low_vol), faster growing (growth).
with raw as (
    select
        m.ticker, m.date, m.close,
        v.market_cap,
        {{ ratio('v.net_income_ttm', 'v.market_cap') }} as value_raw,
        {{ ratio('v.gross_profit_ttm', 'v.total_assets') }} as quality_raw,
        m.momentum_12_1 as momentum_raw,
        case when v.market_cap > 0 then ln(v.market_cap) end as size_raw,
        case when m.volatility_days >= 0.8 * {{ var('low_vol_days') }} then m.volatility end as low_vol_raw,
        v.revenue_growth_ttm as growth_raw
    from {{ ref('int_monthly_prices') }} m
    left join (
        select
            d.ticker, d.date, d.close * d.shares_outstanding as market_cap,
            d.net_income_ttm, d.gross_profit_ttm, d.total_assets, d.revenue_growth_ttm
        from {{ ref('int_daily_fundamentals') }} d
    ) v using (ticker, date)
)
{%- set factors = ['value', 'quality', 'momentum', 'size', 'low_vol', 'growth'] %}
, stats as (
    {{ cross_section_stats(['value_raw', 'quality_raw', 'momentum_raw', 'size_raw', 'low_vol_raw', 'growth_raw'], 'raw') }}
)
select
    r.ticker, r.date, r.close, r.market_cap,
    {%- for name in factors %}
    r.{{ name }}_raw,
    {{ '-' if name == 'low_vol' }}{{ zscore(name ~ '_raw') }} as {{ name }}{{ ',' if not loop.last }}
    {%- endfor %}
from raw r
join stats s using (date)
