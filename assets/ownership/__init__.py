"""Ownership assets: insider trades (Forms 3/4/5) and institutional holdings (13F)."""

import dagster as dg

from assets.ownership.holdings import institutional_holdings
from assets.ownership.insiders import insider_trades

defs = dg.Definitions(assets=[insider_trades, institutional_holdings])
