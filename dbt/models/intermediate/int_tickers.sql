-- The ticker of each company with statements (as the statements tables carry it from `companies`).
select cik, min(ticker) as ticker
from (
    select cik, ticker from {{ ref('stg_income_statements') }}
    union all
    select cik, ticker from {{ ref('stg_balance_sheets') }}
)
where ticker is not null
group by cik
