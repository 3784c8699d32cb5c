"""Ownership assets: insider trades (Forms 3/4/5), 13F holdings (as filed, per quarter, changes), CUSIP map."""

import dagster as dg

from assets.ownership.checks import insider_share_arithmetic, thirteenf_totals_reconcile
from assets.ownership.cusips import cusip_map
from assets.ownership.holdings import institutional_holdings
from assets.ownership.insiders import insider_trades
from assets.ownership.quarters import holdings_quarters

defs = dg.Definitions(
    assets=[insider_trades, institutional_holdings, cusip_map, holdings_quarters],
    asset_checks=[insider_share_arithmetic, thirteenf_totals_reconcile],
)
