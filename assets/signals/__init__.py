"""Signal assets: the ``signals`` table (late filings, restatements, abnormal 13F flows, insider clusters)."""

import dagster as dg

from assets.signals.build import signals

defs = dg.Definitions(assets=[signals])
