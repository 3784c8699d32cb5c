{#
  The nine FinancialMetrics valuation values from a market capitalisation and the row's own figures
  (net_income, revenue, shareholders_equity, total_debt, cash_and_equivalents, ebitda, free_cash_flow,
  earnings_per_share_growth of relation `m`). EV = market cap + total debt - cash; PEG = P/E / (EPS growth in
  percent). NULL where an input is missing or a denominator is 0.
#}
{% macro valuation_columns(market_cap, m='m') -%}
    {{ market_cap }} as market_cap,
    {{ market_cap }} + {{ m }}.total_debt - {{ m }}.cash_and_equivalents as enterprise_value,
    {{ ratio(market_cap, m ~ '.net_income') }} as price_to_earnings_ratio,
    {{ ratio(market_cap, m ~ '.shareholders_equity') }} as price_to_book_ratio,
    {{ ratio(market_cap, m ~ '.revenue') }} as price_to_sales_ratio,
    {{ ratio(market_cap ~ ' + ' ~ m ~ '.total_debt - ' ~ m ~ '.cash_and_equivalents', m ~ '.ebitda') }}
        as enterprise_value_to_ebitda_ratio,
    {{ ratio(market_cap ~ ' + ' ~ m ~ '.total_debt - ' ~ m ~ '.cash_and_equivalents', m ~ '.revenue') }}
        as enterprise_value_to_revenue_ratio,
    {{ ratio(m ~ '.free_cash_flow', market_cap) }} as free_cash_flow_yield,
    {{ ratio(ratio(market_cap, m ~ '.net_income'), m ~ '.earnings_per_share_growth * 100') }} as peg_ratio
{%- endmacro %}

{# The 30 FinancialMetrics values that need no price, from relation `m` (int_period_metrics), in FD's order. #}
{% macro period_metric_columns(m='m') -%}
    {%- set names = [
        'gross_margin', 'operating_margin', 'net_margin', 'return_on_equity', 'return_on_assets',
        'return_on_invested_capital', 'asset_turnover', 'inventory_turnover', 'receivables_turnover',
        'days_sales_outstanding', 'operating_cycle', 'working_capital_turnover', 'current_ratio', 'quick_ratio',
        'cash_ratio', 'operating_cash_flow_ratio', 'debt_to_equity', 'debt_to_assets', 'interest_coverage',
        'revenue_growth', 'earnings_growth', 'book_value_growth', 'earnings_per_share_growth',
        'free_cash_flow_growth', 'operating_income_growth', 'ebitda_growth', 'payout_ratio',
        'earnings_per_share', 'book_value_per_share', 'free_cash_flow_per_share'
    ] -%}
    {%- for name in names %}
    {{ m }}.{{ name }}{{ ',' if not loop.last }}
    {%- endfor %}
{%- endmacro %}
