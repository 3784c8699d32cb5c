"""EDGAR ingestion assets: reference feeds, daily indexes, the mirror inventory, filings and raw documents."""

import dagster as dg

from assets.edgar.documents import filing_documents
from assets.edgar.index import edgar_daily_index
from assets.edgar.inventory import edgar_inventory
from assets.edgar.reference import sec_reference

defs = dg.Definitions(assets=[sec_reference, edgar_daily_index, edgar_inventory, filing_documents])
