"""The lake_maintenance job compacts the lake's tables and reports files before/after and bytes reclaimed."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pyarrow as pa

from assets.resources import LakeResource
from lake.delta import file_uris, merge_upsert, read_table
from lake.storage import Lake
from lake.tables import SPLITS
from orchestration.jobs import maintenance_job


def test_maintenance_job_compacts_every_table(tmp_path: Path) -> None:
    resource = LakeResource(uri=str(tmp_path / "lakehouse"))
    store: Lake = resource.lake()
    for i in range(3):
        row = {name: [None] for name in SPLITS.schema.names}
        row.update({"ticker": [f"T{i}"], "cik": [i], "ex_date": [date(2020, 1, 1 + i)], "ratio": [2.0]})
        merge_upsert(store, SPLITS, pa.table(row, schema=SPLITS.schema))
    assert len(file_uris(store, SPLITS)) == 3
    rows = read_table(store, SPLITS).sort_by("ticker")

    result = maintenance_job.execute_in_process(resources={"lake": resource})

    assert result.success
    assert (
        result.output_for_node("maintain_lake") == 0
    )  # files younger than LAKE_VACUUM_RETENTION_HOURS (168) are kept
    assert len(file_uris(store, SPLITS)) == 1
    assert read_table(store, SPLITS).sort_by("ticker").equals(rows)
