"""Market assets: daily prices from the configured provider and the splits that relate them to filings."""

import dagster as dg

from assets.market.prices import prices
from assets.market.splits import splits

defs = dg.Definitions(assets=[prices, splits])
