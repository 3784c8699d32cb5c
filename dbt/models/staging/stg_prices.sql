-- Daily closes: close is split-adjusted (see the prices table's `adjustment`), adj_close also for dividends;
-- split_factor multiplies a raw share count of that date into the close's units.
select
    ticker, date, close, coalesce(adj_close, close) as total_return_close, volume,
    coalesce(split_factor, 1.0) as split_factor
from {{ source('lake', 'prices') }}
where close is not null and close > 0
