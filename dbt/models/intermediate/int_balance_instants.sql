-- The balance sheet of each company and version at each date it reports one (the same instant appears under
-- several period kinds: annual wins over quarterly over ttm). Opening balances for averages come from here.
select
    cik, version, report_period,
    arg_min(
        {
            'total_assets': total_assets, 'inventory': inventory,
            'receivables': trade_and_non_trade_receivables,
            'working_capital': current_assets - current_liabilities
        },
        case period when 'annual' then 0 when 'quarterly' then 1 else 2 end
    ) as balance
from {{ ref('stg_balance_sheets') }}
group by cik, version, report_period
