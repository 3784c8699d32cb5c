"""Event assets: 8-K current reports -> items, press releases, earnings releases and news."""

import dagster as dg

from assets.events.eightk import eightk_events

defs = dg.Definitions(assets=[eightk_events])
