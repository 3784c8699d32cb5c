"""Event and report assets: 8-K items, press releases, earnings and news; 10-K and 10-Q item sections."""

import dagster as dg

from assets.events.eightk import eightk_events
from assets.events.reports import report_items

defs = dg.Definitions(assets=[eightk_events, report_items])
