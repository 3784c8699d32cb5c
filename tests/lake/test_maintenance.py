"""Delta maintenance: compaction, vacuum and checkpoints keep every row readable (filters, DuckDB views)."""

from __future__ import annotations

from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from lake import duck, maintenance
from lake.delta import _ensure_table, file_uris, merge_upsert, read_table, table_version
from lake.registry import TableSpec
from lake.storage import Lake
from tests.lake._data import filings_rows


def _exists(lake: Lake, uri: str) -> bool:
    fs, _ = lake.filesystem()
    return fs.get_file_info(uri.removeprefix("s3://")).type == pa.fs.FileType.File


def _types(lake: Lake, uri: str) -> list[pa.DataType]:
    fs, _ = lake.filesystem()
    return list(pq.read_schema(uri.removeprefix("s3://"), filesystem=fs).types)


def _snapshot(
    lake: Lake, spec: TableSpec
) -> tuple[list[dict[str, object]], list[float], list[tuple[object, ...]]]:
    rows = sorted(read_table(lake, spec).to_pylist(), key=lambda r: str(r["accession"]))
    filtered = read_table(lake, spec, filters=[("accession", "=", "b2")])["amount"].to_pylist()
    connection = duck.connect(lake, tables=[spec])
    try:
        viewed = connection.sql(
            "SELECT accession, amount FROM test_filings WHERE accession IN ('a1', 'b2') ORDER BY accession"
        ).fetchall()
    finally:
        connection.close()
    return rows, filtered, viewed


def _small_commits(lake: Lake, spec: TableSpec) -> None:
    for i in range(3):
        merge_upsert(lake, spec, filings_rows("2023Q3", f"a{i}", amount=float(i)))
        merge_upsert(lake, spec, filings_rows("2023Q4", f"b{i}", amount=float(i)))
    merge_upsert(lake, spec, filings_rows("2023Q4", "b2", amount=9.0))


def test_compact_vacuum_checkpoint_keep_rows_filters_and_history(lake: Lake, filings: TableSpec) -> None:
    _small_commits(lake, filings)
    before = _snapshot(lake, filings)
    old_files = file_uris(lake, filings)
    version = table_version(lake, filings)
    assert before[1] == [9.0] and len(old_files) == 6

    result = maintenance.maintain_table(lake, filings, vacuum_retention_hours=0, log_retention_hours=720)

    assert result is not None
    assert (result.files_before, result.files_after) == (6, 2)  # one file per quarter
    assert _snapshot(lake, filings) == before
    new_files = file_uris(lake, filings)
    assert all(
        pa.types.is_string(t) or not pa.types.is_string_view(t) for f in new_files for t in _types(lake, f)
    )
    assert not any(_exists(lake, f) for f in old_files)  # vacuumed
    assert result.vacuumed >= 7 and result.reclaimed_bytes > 0  # 6 replaced + 1 overwritten by the upsert
    if (
        not lake.is_s3
    ):  # DeltaTable.history holds the GIL during S3 requests: deadlocks against in-process moto
        history = _ensure_table(lake, filings).history()
        assert {h["version"] for h in history} >= set(range((version or 0) + 1))
        assert "OPTIMIZE" in {h["operation"] for h in history}
        log = Path(lake.table_uri(filings)) / "_delta_log"
        assert list(log.glob("*.checkpoint.parquet"))


def test_dry_run_changes_nothing(lake: Lake, filings: TableSpec) -> None:
    _small_commits(lake, filings)
    files = file_uris(lake, filings)
    version = table_version(lake, filings)
    result = maintenance.maintain_table(
        lake, filings, vacuum_retention_hours=0, log_retention_hours=720, dry_run=True
    )
    assert result is not None and result.dry_run and result.vacuumed == 1
    assert file_uris(lake, filings) == files and table_version(lake, filings) == version
    assert all(_exists(lake, f) for f in files)


def test_merge_written_string_view_files_are_readable_and_repaired(lake: Lake, filings: TableSpec) -> None:
    """deltalake's MERGE writes string_view files: read_table still filters, maintenance rewrites them."""
    merge_upsert(lake, filings, filings_rows("2023Q4", "b1", "b2", "a1"))
    dt = _ensure_table(lake, filings)
    dt.merge(
        filings_rows("2023Q4", "b2", amount=9.0),
        predicate="s.accession = t.accession",
        source_alias="s",
        target_alias="t",
    ).when_matched_update_all().when_not_matched_insert_all().execute()
    assert any(pa.types.is_string_view(t) for t in _types(lake, file_uris(lake, filings)[0]))
    assert read_table(lake, filings, filters=[("accession", "=", "b2")])["amount"].to_pylist() == [9.0]

    result = maintenance.maintain_table(lake, filings, vacuum_retention_hours=0, log_retention_hours=720)

    assert result is not None and result.normalized == 1
    assert not any(pa.types.is_string_view(t) for f in file_uris(lake, filings) for t in _types(lake, f))
    rows, filtered, viewed = _snapshot(lake, filings)
    assert filtered == [9.0] and viewed == [("a1", 1.0), ("b2", 9.0)] and len(rows) == 3


def test_cli_prints_files_before_after_and_reclaimed(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    from lake.settings import Settings
    from lake.tables import SPLITS

    monkeypatch.setenv("LAKE_URI", str(tmp_path / "lakehouse"))
    monkeypatch.setenv("LAKE_VACUUM_RETENTION_HOURS", "1")

    store = Lake.from_settings(Settings.from_env(dotenv=tmp_path / ".env"))
    assert maintenance.main(["--tables", SPLITS.name, "--dry-run"]) == 0
    assert "total: 0 table(s)" in capsys.readouterr().out
    _ensure_table(store, SPLITS)
    assert maintenance.main(["--tables", SPLITS.name]) == 0
    out = capsys.readouterr().out
    assert f"{SPLITS.name}: files 0 -> 0" in out and "bytes reclaimed" in out


def test_a_partition_that_gained_rows_is_rewritten_without_reading_it(
    lake: Lake, filings: TableSpec, monkeypatch: pytest.MonkeyPatch
) -> None:
    from deltalake import DeltaTable

    from lake.delta import write_partition

    quarter = {"filing_quarter": ["2023Q3"]}
    write_partition(lake, filings, filings_rows("2023Q3", "a1", "a2"), partitions=quarter)
    reads: list[object] = []
    original = DeltaTable.to_pyarrow_dataset

    def spy(self: DeltaTable, *args: object, **kwargs: object) -> object:
        reads.append(1)
        return original(self, *args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(DeltaTable, "to_pyarrow_dataset", spy)
    grown = write_partition(lake, filings, filings_rows("2023Q3", "a1", "a2", "a3"), partitions=quarter)
    assert not grown.skipped and grown.rows_written == 3 and reads == []
    same = write_partition(lake, filings, filings_rows("2023Q3", "a1", "a2", "a3"), partitions=quarter)
    assert same.skipped and reads == [1]  # same row count: compared, unchanged, skipped
    assert read_table(lake, filings)["accession"].to_pylist() == ["a1", "a2", "a3"]
