-- Month-end observations per ticker: the close on the last trading day of each month (the latest date any
-- ticker trades in that month), 12-1 momentum from total-return closes and the trailing daily volatility.
with returns as (
    select
        ticker, date, close, total_return_close,
        ln(total_return_close / lag(total_return_close) over (partition by ticker order by date)) as log_return
    from {{ ref('stg_prices') }}
),
rolling as (
    select
        *,
        stddev_samp(log_return) over w * sqrt(252) as volatility,
        count(log_return) over w as volatility_days
    from returns
    window w as (partition by ticker order by date rows between {{ var('low_vol_days') - 1 }} preceding and current row)
),
month_ends as (
    select max(date) as date from {{ ref('stg_prices') }} group by date_trunc('month', date)
),
monthly as (
    select r.*, date_trunc('month', r.date) as month
    from rolling r
    join month_ends using (date)
)
select
    ticker, date, close, volatility, volatility_days,
    case
        when lag(month, 12) over w = month - interval 12 month
            then lag(total_return_close, 1) over w / lag(total_return_close, 12) over w - 1
    end as momentum_12_1
from monthly
window w as (partition by ticker order by date)
