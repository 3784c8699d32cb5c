-- Every FinancialMetrics value that needs no price, per company, period kind, fiscal period, report period and
-- version, plus the inputs of the price-based ones. Decimals, not percent; NULL where an input is missing or
-- a denominator is 0. Averages use the balance one period earlier (a year for annual and ttm, a quarter for
-- quarterly, matched within 20 days); growth compares with the same fiscal period a year earlier (same
-- version, so a first-reported figure is compared with a first-reported one).
with periods as (
    select
        *,
        case period
            when 'annual' then 'FY' || (cast(substr(fiscal_period, 3, 4) as integer) - 1)
            else (cast(substr(fiscal_period, 1, 4) as integer) - 1) || substr(fiscal_period, 5)
        end as prior_fiscal_period,
        case period when 'quarterly' then report_period - interval 3 month else report_period - interval 1 year end
            as opening_target,
        case period when 'quarterly' then {{ var('days_quarterly') }} else {{ var('days_annual') }} end as days,
        coalesce(ebit, operating_income) + depreciation_and_amortization as ebitda
    from {{ ref('int_statement_periods') }}
),
opening as (
    select p.*, case when o.report_period >= p.opening_target - interval 20 day then o.balance end as opening
    from periods p
    asof left join {{ ref('int_balance_instants') }} o
        on o.cik = p.cik and o.version = p.version
        and o.report_period <= cast(p.opening_target + interval 20 day as date)
),
prior as (
    select
        cik, period, fiscal_period, version, revenue, net_income, shareholders_equity, earnings_per_share,
        free_cash_flow, operating_income, ebitda
    from periods
),
inputs as (
    select
        o.*,
        o.net_income + o.income_tax_expense as pretax_income,
        o.total_debt + o.shareholders_equity - o.cash_and_equivalents as invested_capital,
        {{ average('o.opening.total_assets', 'o.total_assets') }} as average_assets,
        {{ average('o.opening.inventory', 'o.inventory') }} as average_inventory,
        {{ average('o.opening.receivables', 'o.trade_and_non_trade_receivables') }} as average_receivables,
        {{ average('o.opening.working_capital', 'o.current_assets - o.current_liabilities') }}
            as average_working_capital,
        p.revenue as prior_revenue, p.net_income as prior_net_income,
        p.shareholders_equity as prior_equity, p.earnings_per_share as prior_eps,
        p.free_cash_flow as prior_free_cash_flow, p.operating_income as prior_operating_income,
        p.ebitda as prior_ebitda
    from opening o
    left join prior p
        on p.cik = o.cik and p.period = o.period and p.version = o.version
        and p.fiscal_period = o.prior_fiscal_period
)
select
    cik, ticker, period, fiscal_period, report_period, version, currency,
    accession_number, filing_date, accepted_at,
    -- inputs of the price-based metrics
    revenue, net_income, shareholders_equity, total_debt, cash_and_equivalents, ebitda, free_cash_flow,
    outstanding_shares, gross_profit, total_assets,
    -- profitability
    {{ ratio('gross_profit', 'revenue') }} as gross_margin,
    {{ ratio('operating_income', 'revenue') }} as operating_margin,
    {{ ratio('net_income', 'revenue') }} as net_margin,
    {{ ratio('net_income', 'shareholders_equity') }} as return_on_equity,
    {{ ratio('net_income', 'total_assets') }} as return_on_assets,
    case when pretax_income > 0 and invested_capital > 0 then
        operating_income * (1 - least(greatest(income_tax_expense / pretax_income, 0), 1)) / invested_capital
    end as return_on_invested_capital,
    -- efficiency
    {{ ratio('revenue', 'average_assets') }} as asset_turnover,
    {{ ratio('cost_of_revenue', 'average_inventory') }} as inventory_turnover,
    {{ ratio('revenue', 'average_receivables') }} as receivables_turnover,
    {{ ratio('average_receivables', 'revenue') }} * days as days_sales_outstanding,
    {{ ratio('average_inventory', 'cost_of_revenue') }} * days
        + {{ ratio('average_receivables', 'revenue') }} * days as operating_cycle,
    {{ ratio('revenue', 'average_working_capital') }} as working_capital_turnover,
    -- liquidity
    {{ ratio('current_assets', 'current_liabilities') }} as current_ratio,
    {{ ratio('cash_and_equivalents + coalesce(current_investments, 0) + coalesce(trade_and_non_trade_receivables, 0)', 'current_liabilities') }}
        as quick_ratio,
    {{ ratio('cash_and_equivalents + coalesce(current_investments, 0)', 'current_liabilities') }} as cash_ratio,
    {{ ratio('net_cash_flow_from_operations', 'current_liabilities') }} as operating_cash_flow_ratio,
    -- leverage
    {{ ratio('total_debt', 'shareholders_equity') }} as debt_to_equity,
    {{ ratio('total_debt', 'total_assets') }} as debt_to_assets,
    {{ ratio('ebit', 'interest_expense') }} as interest_coverage,
    -- growth (year over year)
    {{ growth('revenue', 'prior_revenue') }} as revenue_growth,
    {{ growth('net_income', 'prior_net_income') }} as earnings_growth,
    {{ growth('shareholders_equity', 'prior_equity') }} as book_value_growth,
    {{ growth('earnings_per_share', 'prior_eps') }} as earnings_per_share_growth,
    {{ growth('free_cash_flow', 'prior_free_cash_flow') }} as free_cash_flow_growth,
    {{ growth('operating_income', 'prior_operating_income') }} as operating_income_growth,
    {{ growth('ebitda', 'prior_ebitda') }} as ebitda_growth,
    -- per share
    {{ ratio('0 - dividends_and_other_cash_distributions', 'net_income') }} as payout_ratio,
    earnings_per_share,
    {{ ratio('shareholders_equity', 'outstanding_shares') }} as book_value_per_share,
    {{ ratio('free_cash_flow', 'coalesce(weighted_average_shares, outstanding_shares)') }}
        as free_cash_flow_per_share
from inputs
