-- Point-in-time valuation per ticker and trading day: the day's close (split-adjusted) times the shares
-- outstanding of the latest cover page known by that close (in the same split units), and the TTM
-- fundamentals known by then. Only days with a price: after the price data ends there are no rows.
select
    ticker, date, cik, close, shares_outstanding,
    close * shares_outstanding as market_cap,
    close * shares_outstanding + total_debt - cash_and_equivalents as enterprise_value,
    {{ ratio('close * shares_outstanding', 'net_income_ttm') }} as price_to_earnings_ratio,
    {{ ratio('close * shares_outstanding', 'shareholders_equity') }} as price_to_book_ratio,
    {{ ratio('close * shares_outstanding', 'revenue_ttm') }} as price_to_sales_ratio,
    shares_accession, fundamentals_report_period, fundamentals_accession
from {{ ref('int_daily_fundamentals') }}
