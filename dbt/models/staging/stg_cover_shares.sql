-- Shares outstanding as each 10-K/10-Q cover page states them (dei:EntityCommonStockSharesOutstanding), per
-- filing: the undimensioned fact, else the sum over share classes. shares_date = the "as of" date of the count.
with facts as (
    select
        coalesce(accession, filing_id) as accession_number,
        cik, filing_date, acceptance_utc as accepted_at, value_num, period_end,
        coalesce(len(dimensions), 0) = 0 as total
    from {{ source('lake', 'facts') }}
    where concept = 'dei:EntityCommonStockSharesOutstanding'
      and value_num is not null
      and not coalesce(is_nil, false)
)
select
    accession_number,
    any_value(cik) as cik,
    any_value(filing_date) as filing_date,
    any_value(accepted_at) as accepted_at,
    case when bool_or(total) then sum(value_num) filter (where total) else sum(value_num) end as shares,
    max(period_end) as shares_date
from facts
group by accession_number
