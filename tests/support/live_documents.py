"""``python -m tests.support.live_documents LAKE_URI QUARTER``: materialize ``raw_documents`` + ``filings``.

Runs the real ``filing_documents`` asset for one filing quarter, configured by the environment (``EDGAR_SOURCE``,
``SEC_WWW_URL``, ``EDGAR_COMMIT_FILINGS``...), reading the ``edgar_index`` already in the lake. Used in-process
and as a subprocess that a test kills.
"""

from __future__ import annotations

import sys

import dagster as dg

from assets.edgar.documents import filing_documents
from assets.partitions import quarter_to_partition_key
from assets.resources import EdgarResource, LakeResource


def materialize_documents(lake_uri: str, quarter: str) -> dg.ExecuteInProcessResult:
    """Materialize the filings and raw documents of ``quarter`` into the lake at ``lake_uri``."""
    return dg.materialize(
        [filing_documents],
        resources={"lake": LakeResource(uri=lake_uri), "edgar": EdgarResource()},
        partition_key=quarter_to_partition_key(quarter),
        instance=dg.DagsterInstance.ephemeral(),
        raise_on_error=False,
    )


if __name__ == "__main__":
    sys.exit(0 if materialize_documents(sys.argv[1], sys.argv[2]).success else 1)
