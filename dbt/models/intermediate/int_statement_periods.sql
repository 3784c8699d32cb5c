-- One row per company, period kind, fiscal period, report period and version that has income or cash-flow
-- figures, with the balance sheet at the period's end. The row is known from the latest acceptance among its
-- three statements: accession_number, filing_date and accepted_at are that filing's.
with keys as (
    select cik, period, fiscal_period, report_period, version from {{ ref('stg_income_statements') }}
    union
    select cik, period, fiscal_period, report_period, version from {{ ref('stg_cash_flow_statements') }}
),
joined as (
    select
        k.*,
        coalesce(i.ticker, c.ticker, b.ticker) as ticker,
        coalesce(i.currency, b.currency, c.currency) as currency,
        i.revenue, i.cost_of_revenue, i.gross_profit, i.operating_income, i.interest_expense, i.ebit,
        i.income_tax_expense, coalesce(i.net_income, c.net_income) as net_income,
        i.earnings_per_share, i.weighted_average_shares,
        b.total_assets, b.current_assets, b.cash_and_equivalents, b.inventory, b.current_investments,
        b.trade_and_non_trade_receivables, b.current_liabilities, b.total_debt, b.shareholders_equity,
        b.outstanding_shares,
        c.depreciation_and_amortization, c.net_cash_flow_from_operations, c.capital_expenditure,
        c.free_cash_flow, c.dividends_and_other_cash_distributions,
        {{ filing_time('i') }} as time_i, {{ filing_time('b') }} as time_b, {{ filing_time('c') }} as time_c,
        i.accession_number as accession_i, b.accession_number as accession_b, c.accession_number as accession_c,
        i.filing_date as filed_i, b.filing_date as filed_b, c.filing_date as filed_c,
        i.accepted_at as accepted_i, b.accepted_at as accepted_b, c.accepted_at as accepted_c
    from keys k
    left join {{ ref('stg_income_statements') }} i using (cik, period, fiscal_period, report_period, version)
    left join {{ ref('stg_balance_sheets') }} b using (cik, period, fiscal_period, report_period, version)
    left join {{ ref('stg_cash_flow_statements') }} c using (cik, period, fiscal_period, report_period, version)
),
latest as (
    select
        *,
        case greatest(time_i, time_b, time_c)
            when time_i then 'i' when time_b then 'b' else 'c'
        end as source
    from joined
)
select
    * exclude (
        time_i, time_b, time_c, accession_i, accession_b, accession_c, filed_i, filed_b, filed_c,
        accepted_i, accepted_b, accepted_c, source
    ),
    case source when 'i' then accession_i when 'b' then accession_b else accession_c end as accession_number,
    case source when 'i' then filed_i when 'b' then filed_b else filed_c end as filing_date,
    case source when 'i' then accepted_i when 'b' then accepted_b else accepted_c end as accepted_at
from latest
