"""What downstream assets read from the lake: the filings of the run's quarters and their stored documents."""

from typing import Any

import pyarrow.compute as pc

from lake.delta import read_table
from lake.storage import Lake
from lake.tables import FILING_QUARTER, FILINGS, RAW_DOCUMENTS


def quarter_filings(
    store: Lake, quarters: list[str]
) -> tuple[list[dict[str, Any]], dict[str, list[dict[str, Any]]]]:
    """The ``filings`` rows of ``quarters`` and, per filing id, its ``raw_documents`` rows."""
    in_quarters = pc.field(FILING_QUARTER).isin(quarters)
    filings = read_table(store, FILINGS, filters=in_quarters).to_pylist()
    docs: dict[str, list[dict[str, Any]]] = {}
    for doc in read_table(store, RAW_DOCUMENTS, filters=in_quarters).to_pylist():
        docs.setdefault(doc["filing_id"], []).append(doc)
    return filings, docs
