from __future__ import annotations

from collections.abc import Iterator
from datetime import date
from pathlib import Path

import pyarrow as pa
import pytest

from lake import registry
from lake.delta import (
    DuplicateKey,
    PartitionMismatch,
    SchemaMismatch,
    key_predicate,
    merge_upsert,
    overwrite_table,
    partition_predicate,
    read_table,
    table_exists,
    table_version,
    write_partition,
)
from lake.registry import TableSpec
from lake.storage import Lake
from tests.lake._data import filings_rows


def _rows(lake: Lake, spec: TableSpec) -> list[tuple[str, str, float]]:
    table = read_table(lake, spec)
    return sorted(
        zip(
            table["filing_quarter"].to_pylist(),
            table["accession"].to_pylist(),
            table["amount"].to_pylist(),
            strict=True,
        )
    )


def test_first_write_creates_the_table(lake: Lake, filings: TableSpec) -> None:
    assert table_exists(lake, filings) is False
    assert table_version(lake, filings) is None
    result = write_partition(
        lake, filings, filings_rows("2023Q3", "a1", "a2"), partitions={"filing_quarter": ["2023Q3"]}
    )
    assert result.table == "test_filings"
    assert result.rows_written == 2
    assert result.skipped is False
    assert table_exists(lake, filings) is True
    assert table_version(lake, filings) == result.version == 1  # 0 = creation with the spec schema
    assert _rows(lake, filings) == [("2023Q3", "a1", 1.0), ("2023Q3", "a2", 1.0)]
    assert read_table(lake, filings).schema.equals(filings.schema)


def test_version_is_read_from_the_log_and_agrees_with_deltalake(lake: Lake, filings: TableSpec) -> None:
    """table_version lists _delta_log (no replay): the newest commit, whatever else lies in the folder."""
    from deltalake import DeltaTable

    for quarter in ("2023Q1", "2023Q2", "2023Q3"):
        write_partition(lake, filings, filings_rows(quarter, "x"), partitions={"filing_quarter": [quarter]})
    opened = DeltaTable(lake.table_uri(filings), storage_options=lake.storage_options or None)
    opened.create_checkpoint()
    if not lake.is_s3:  # a writer's commit in flight is not a version
        (Path(lake.table_uri(filings)) / "_delta_log" / "_commit_0a1b2c.json.tmp").write_text("{}")
    assert table_version(lake, filings) == opened.version() == 3


def test_partitions_are_independent_and_rewrites_idempotent(lake: Lake, filings: TableSpec) -> None:
    part = {"filing_quarter": ["2023Q3"]}
    a = write_partition(lake, filings, filings_rows("2023Q3", "a1", "a2"), partitions=part)
    b = write_partition(
        lake, filings, filings_rows("2023Q4", "b1"), partitions={"filing_quarter": ["2023Q4"]}
    )
    assert b.version == a.version + 1
    assert _rows(lake, filings) == [("2023Q3", "a1", 1.0), ("2023Q3", "a2", 1.0), ("2023Q4", "b1", 1.0)]

    # same data again, even in another row order: no new version, no duplicates
    again = write_partition(lake, filings, filings_rows("2023Q3", "a1", "a2").take([1, 0]), partitions=part)
    assert again.skipped is True
    assert again.rows_written == 0
    assert again.version == b.version
    assert table_version(lake, filings) == b.version
    assert _rows(lake, filings) == [("2023Q3", "a1", 1.0), ("2023Q3", "a2", 1.0), ("2023Q4", "b1", 1.0)]

    # different data replaces only 2023Q3
    changed = write_partition(lake, filings, filings_rows("2023Q3", "a1", "a3", amount=2.5), partitions=part)
    assert changed.skipped is False
    assert changed.version == b.version + 1
    assert _rows(lake, filings) == [("2023Q3", "a1", 2.5), ("2023Q3", "a3", 2.5), ("2023Q4", "b1", 1.0)]


def test_writing_several_partitions_at_once(lake: Lake, filings: TableSpec) -> None:
    write_partition(lake, filings, filings_rows("2023Q1", "x1"), partitions={"filing_quarter": ["2023Q1"]})
    data = pa.concat_tables([filings_rows("2023Q3", "a1"), filings_rows("2023Q4", "b1")])
    result = write_partition(lake, filings, data, partitions={"filing_quarter": ["2023Q3", "2023Q4"]})
    assert result.rows_written == 2
    assert _rows(lake, filings) == [("2023Q1", "x1", 1.0), ("2023Q3", "a1", 1.0), ("2023Q4", "b1", 1.0)]


def test_zero_rows_empty_the_partition(lake: Lake, filings: TableSpec) -> None:
    part = {"filing_quarter": ["2023Q3"]}
    write_partition(lake, filings, filings_rows("2023Q3", "a1"), partitions=part)
    write_partition(lake, filings, filings_rows("2023Q4", "b1"), partitions={"filing_quarter": ["2023Q4"]})
    emptied = write_partition(lake, filings, filings.schema.empty_table(), partitions=part)
    assert emptied.skipped is False
    assert emptied.rows_written == 0
    assert _rows(lake, filings) == [("2023Q4", "b1", 1.0)]
    again = write_partition(lake, filings, filings.schema.empty_table(), partitions=part)
    assert again.skipped is True
    assert again.version == emptied.version


def test_zero_rows_on_a_missing_table_creates_it_empty(lake: Lake, filings: TableSpec) -> None:
    result = write_partition(
        lake, filings, filings.schema.empty_table(), partitions={"filing_quarter": ["2023Q3"]}
    )
    assert (result.version, result.skipped, result.rows_written) == (0, True, 0)
    assert read_table(lake, filings).num_rows == 0


def test_partition_values_with_quotes(lake: Lake, filings: TableSpec) -> None:
    quarter = "it's 2023Q3"
    first = write_partition(
        lake, filings, filings_rows(quarter, "a1"), partitions={"filing_quarter": [quarter]}
    )
    write_partition(lake, filings, filings_rows("2023Q4", "b1"), partitions={"filing_quarter": ["2023Q4"]})
    second = write_partition(
        lake, filings, filings_rows(quarter, "a2"), partitions={"filing_quarter": [quarter]}
    )
    assert second.version == first.version + 2
    assert _rows(lake, filings) == [("2023Q4", "b1", 1.0), (quarter, "a2", 1.0)]


def test_partition_predicate_quotes_values() -> None:
    predicate = partition_predicate({"q": pa.array(["a", "it's"]), "year": pa.array([2023], pa.int32())})
    assert predicate == "\"q\" IN ('a', 'it''s') AND \"year\" IN (2023)"
    assert partition_predicate({"d": pa.array([date(2023, 1, 2)])}) == "\"d\" IN ('2023-01-02')"


def test_integer_and_date_partitions(lake: Lake) -> None:
    spec = TableSpec(
        name="test_daily",
        layer="silver",
        schema=pa.schema([("year", pa.int32()), ("day", pa.date32()), ("value", pa.int64())]),
        partition_by=("year", "day"),
        primary_key=("day",),
    )
    data = pa.table({"year": [2023, 2024], "day": [date(2023, 5, 1), date(2024, 5, 1)], "value": [1, 2]})
    write_partition(lake, spec, data, partitions={"year": ["2023", 2024]})
    replaced = write_partition(
        lake,
        spec,
        pa.table({"year": [2024], "day": [date(2024, 5, 1)], "value": [20]}),
        partitions={"day": [date(2024, 5, 1)]},
    )
    assert replaced.rows_written == 1
    assert read_table(lake, spec).sort_by("day").to_pylist() == [
        {"year": 2023, "day": date(2023, 5, 1), "value": 1},
        {"year": 2024, "day": date(2024, 5, 1), "value": 20},
    ]


def test_rows_outside_the_partitions_are_rejected(lake: Lake, filings: TableSpec) -> None:
    data = pa.concat_tables([filings_rows("2023Q3", "a1"), filings_rows("2023Q4", "b1")])
    with pytest.raises(PartitionMismatch, match=r"filing_quarter='2023Q4'"):
        write_partition(lake, filings, data, partitions={"filing_quarter": ["2023Q3"]})
    assert table_exists(lake, filings) is False


def test_bad_partition_arguments(lake: Lake, filings: TableSpec) -> None:
    rows = filings_rows("2023Q3", "a1")
    with pytest.raises(ValueError, match="not a partition column"):
        write_partition(lake, filings, rows, partitions={"form": ["10-K"]})
    with pytest.raises(ValueError, match="no values"):
        write_partition(lake, filings, rows, partitions={"filing_quarter": []})
    with pytest.raises(TypeError, match="must be a list"):
        write_partition(lake, filings, rows, partitions={"filing_quarter": "2023Q3"})
    with pytest.raises(ValueError, match="at least one"):
        write_partition(lake, filings, rows, partitions={})


def test_schema_mismatch_names_table_and_column(lake: Lake, filings: TableSpec) -> None:
    part = {"filing_quarter": ["2023Q3"]}
    bad_type = filings_rows("2023Q3", "a1").set_column(4, "amount", pa.array(["lots"]))
    with pytest.raises(
        SchemaMismatch, match=r"table test_filings: column 'amount': cannot cast string to double"
    ) as info:
        write_partition(lake, filings, bad_type, partitions=part)
    assert (info.value.table, info.value.column) == ("test_filings", "amount")

    with pytest.raises(SchemaMismatch, match="column 'form': is missing") as missing:
        write_partition(lake, filings, filings_rows("2023Q3", "a1").drop_columns(["form"]), partitions=part)
    assert missing.value.column == "form"

    extra = filings_rows("2023Q3", "a1").append_column("surprise", pa.array([1]))
    with pytest.raises(SchemaMismatch, match="column 'surprise': is not in the table schema"):
        write_partition(lake, filings, extra, partitions=part)

    lossy = filings_rows("2023Q3", "a1").set_column(2, "cik", pa.array([1.5]))
    with pytest.raises(SchemaMismatch, match="column 'cik': cannot cast double to int64"):
        write_partition(lake, filings, lossy, partitions=part)

    null_key = filings_rows("2023Q3", "a1").set_column(1, "accession", pa.array([None], pa.string()))
    with pytest.raises(SchemaMismatch, match="column 'accession': has 1 null"):
        write_partition(lake, filings, null_key, partitions=part)
    assert table_exists(lake, filings) is False


def test_safe_casts_are_applied(lake: Lake, filings: TableSpec) -> None:
    data = filings_rows("2023Q3", "a1").set_column(2, "cik", pa.array([320193], pa.int32()))
    data = data.select(
        ["amount", "cik", "form", "accession", "filing_quarter"]
    )  # column order does not matter
    write_partition(lake, filings, data, partitions={"filing_quarter": ["2023Q3"]})
    table = read_table(lake, filings)
    assert table.schema.equals(filings.schema)
    assert table["cik"].to_pylist() == [320193]


def test_duplicate_primary_keys_are_rejected(lake: Lake, filings: TableSpec) -> None:
    with pytest.raises(DuplicateKey, match=r"primary key \{'accession': 'a1'\} occurs 2 times"):
        write_partition(
            lake, filings, filings_rows("2023Q3", "a1", "a2", "a1"), partitions={"filing_quarter": ["2023Q3"]}
        )
    with pytest.raises(DuplicateKey, match="'a2'"):
        merge_upsert(lake, filings, filings_rows("2023Q3", "a2", "a2"))
    assert table_exists(lake, filings) is False


def _failing_reader(
    spec: TableSpec, good: pa.Table, error: Exception | None = None, bad: pa.Table | None = None
) -> pa.RecordBatchReader:
    def batches() -> Iterator[pa.RecordBatch]:
        yield from good.cast(spec.schema).to_batches()
        if bad is not None:
            yield from bad.to_batches()
        if error is not None:
            raise error

    schema = bad.schema if bad is not None else spec.schema
    return pa.RecordBatchReader.from_batches(schema if bad is None else spec.schema, batches())


def test_a_stream_that_fails_midway_changes_nothing(lake: Lake, filings: TableSpec) -> None:
    part = {"filing_quarter": ["2023Q3"]}
    before = write_partition(lake, filings, filings_rows("2023Q3", "a1", "a2"), partitions=part)
    content = read_table(lake, filings)
    reader = _failing_reader(
        filings, filings_rows("2023Q3", "n1", "n2", amount=9.0), error=RuntimeError("feed broke")
    )
    with pytest.raises(RuntimeError, match="feed broke"):
        write_partition(lake, filings, reader, partitions=part)
    assert table_version(lake, filings) == before.version
    assert read_table(lake, filings).equals(content)


def test_a_stream_with_an_invalid_batch_changes_nothing(lake: Lake, filings: TableSpec) -> None:
    part = {"filing_quarter": ["2023Q3"]}
    before = write_partition(lake, filings, filings_rows("2023Q3", "a1"), partitions=part)
    content = read_table(lake, filings)

    def batches() -> Iterator[pa.RecordBatch]:
        yield from filings_rows("2023Q3", "n1").cast(filings.schema).to_batches()
        yield from filings_rows("2023Q4", "n2").cast(filings.schema).to_batches()  # wrong partition

    reader = pa.RecordBatchReader.from_batches(filings.schema, batches())
    with pytest.raises(PartitionMismatch, match="2023Q4"):
        write_partition(lake, filings, reader, partitions=part)

    def duplicates() -> Iterator[pa.RecordBatch]:
        yield from filings_rows("2023Q3", "n1").cast(filings.schema).to_batches()
        yield from filings_rows("2023Q3", "n1").cast(filings.schema).to_batches()

    with pytest.raises(DuplicateKey, match="'n1'"):
        write_partition(
            lake, filings, pa.RecordBatchReader.from_batches(filings.schema, duplicates()), partitions=part
        )
    assert table_version(lake, filings) == before.version
    assert read_table(lake, filings).equals(content)


def test_a_stream_writes_all_its_batches(lake: Lake, filings: TableSpec) -> None:
    write_partition(lake, filings, filings_rows("2023Q4", "b1"), partitions={"filing_quarter": ["2023Q4"]})
    data = filings_rows("2023Q3", "a1", "a2", "a3")
    reader = pa.RecordBatchReader.from_batches(
        filings.schema, data.cast(filings.schema).to_batches(max_chunksize=1)
    )
    result = write_partition(lake, filings, reader, partitions={"filing_quarter": ["2023Q3"]})
    assert (result.rows_written, result.skipped) == (3, False)
    assert _rows(lake, filings) == [
        ("2023Q3", "a1", 1.0),
        ("2023Q3", "a2", 1.0),
        ("2023Q3", "a3", 1.0),
        ("2023Q4", "b1", 1.0),
    ]


def test_merge_upsert_inserts_updates_and_skips(lake: Lake, filings: TableSpec) -> None:
    first = merge_upsert(lake, filings, filings_rows("2023Q3", "a1", "a2"))
    assert (first.rows_written, first.skipped) == (2, False)
    second = merge_upsert(
        lake,
        filings,
        pa.concat_tables([filings_rows("2023Q3", "a2", amount=7.0), filings_rows("2023Q4", "b1")]),
    )
    assert second.version == first.version + 1
    assert _rows(lake, filings) == [("2023Q3", "a1", 1.0), ("2023Q3", "a2", 7.0), ("2023Q4", "b1", 1.0)]
    again = merge_upsert(lake, filings, filings_rows("2023Q3", "a2", amount=7.0))
    assert (again.skipped, again.version) == (True, second.version)
    assert table_version(lake, filings) == second.version
    assert read_table(lake, filings).num_rows == 3


def test_merge_upsert_needs_a_primary_key(lake: Lake) -> None:
    spec = TableSpec(name="test_nokey", layer="gold", schema=pa.schema([("x", pa.int64())]))
    with pytest.raises(ValueError, match="needs a primary key"):
        merge_upsert(lake, spec, pa.table({"x": [1]}))


def test_overwrite_table(lake: Lake) -> None:
    spec = TableSpec(
        name="test_forms",
        layer="gold",
        schema=pa.schema([("form", pa.string()), ("n", pa.int64())]),
        primary_key=("form",),
    )
    first = overwrite_table(lake, spec, pa.table({"form": ["10-K", "8-K"], "n": [1, 2]}))
    same = overwrite_table(lake, spec, pa.table({"form": ["8-K", "10-K"], "n": [2, 1]}))
    assert (same.skipped, same.version) == (True, first.version)
    changed = overwrite_table(lake, spec, pa.table({"form": ["10-Q"], "n": [3]}))
    assert (changed.skipped, changed.version, changed.rows_written) == (False, first.version + 1, 1)
    assert read_table(lake, spec).to_pylist() == [{"form": "10-Q", "n": 3}]


def test_overwrite_table_without_primary_key_compares_all_columns(lake: Lake) -> None:
    spec = TableSpec(
        name="test_pairs", layer="gold", schema=pa.schema([("a", pa.int64()), ("b", pa.string())])
    )
    first = overwrite_table(lake, spec, pa.table({"a": [1, 1, 2], "b": ["x", "x", None]}))
    same = overwrite_table(lake, spec, pa.table({"a": [2, 1, 1], "b": [None, "x", "x"]}))
    assert (same.skipped, same.version) == (True, first.version)
    assert overwrite_table(lake, spec, pa.table({"a": [1, 2], "b": ["x", None]})).skipped is False


def test_read_table_missing_filters_columns_and_names(
    lake: Lake, filings: TableSpec, monkeypatch: pytest.MonkeyPatch
) -> None:
    empty = read_table(lake, filings)
    assert empty.num_rows == 0
    assert empty.schema.equals(filings.schema)
    assert read_table(lake, filings, columns=["cik"]).schema.names == ["cik"]

    write_partition(
        lake, filings, filings_rows("2023Q3", "a1", "a2", "a3"), partitions={"filing_quarter": ["2023Q3"]}
    )
    assert read_table(lake, filings, filters=[("cik", ">=", 2)], columns=["accession", "cik"]).sort_by(
        "cik"
    ).to_pylist() == [
        {"accession": "a2", "cik": 2},
        {"accession": "a3", "cik": 3},
    ]
    import pyarrow.compute as pc

    assert read_table(lake, filings, filters=pc.field("accession") == "a1")["cik"].to_pylist() == [1]

    monkeypatch.setitem(registry.TABLES, filings.name, filings)
    assert sorted(read_table(lake, "test_filings")["accession"].to_pylist()) == ["a1", "a2", "a3"]


def test_merge_upsert_moves_a_key_between_partitions(lake: Lake, filings: TableSpec) -> None:
    merge_upsert(lake, filings, filings_rows("2023Q3", "a1", "a2"))
    merge_upsert(lake, filings, filings_rows("2023Q4", "a1", amount=3.0))
    assert _rows(lake, filings) == [("2023Q3", "a2", 1.0), ("2023Q4", "a1", 3.0)]


def test_merge_upsert_with_a_composite_key(lake: Lake) -> None:
    spec = TableSpec(
        name="test_facts",
        layer="silver",
        schema=pa.schema([("cik", pa.int64()), ("concept", pa.string()), ("value", pa.float64())]),
        primary_key=("cik", "concept"),
    )
    merge_upsert(
        lake,
        spec,
        pa.table({"cik": [1, 1, 2], "concept": ["Assets", "Cash", "Assets"], "value": [1.0, 2.0, 3.0]}),
    )
    result = merge_upsert(
        lake, spec, pa.table({"cik": [1, 2], "concept": ["Cash", "Cash"], "value": [20.0, 30.0]})
    )
    assert result.rows_written == 2
    assert read_table(lake, spec).sort_by([("cik", "ascending"), ("concept", "ascending")]).to_pylist() == [
        {"cik": 1, "concept": "Assets", "value": 1.0},
        {"cik": 1, "concept": "Cash", "value": 20.0},
        {"cik": 2, "concept": "Assets", "value": 3.0},
        {"cik": 2, "concept": "Cash", "value": 30.0},
    ]


def test_key_predicate() -> None:
    spec = TableSpec(
        name="test_keys",
        layer="silver",
        schema=pa.schema([("cik", pa.int64()), ("concept", pa.string()), ("unit", pa.string())]),
        primary_key=("cik", "concept"),
    )
    data = pa.table({"cik": [1, 1, 2], "concept": ["A", "it's", "A"], "unit": ["USD"] * 3})
    assert key_predicate(spec, data) == (
        "(\"cik\" = 1 AND (\"concept\" IN ('A', 'it''s'))) OR (\"cik\" = 2 AND (\"concept\" IN ('A')))"
    )
    single = TableSpec(name="test_key", layer="silver", schema=spec.schema, primary_key=("concept",))
    assert key_predicate(single, data) == "\"concept\" IN ('A', 'it''s')"


def test_merge_written_tables_stay_filterable(lake: Lake, filings: TableSpec) -> None:
    """Filters on string columns must work after upserts (deltalake's MERGE would write string_view files)."""
    merge_upsert(lake, filings, filings_rows("2023Q3", "a1", "a2"))
    merge_upsert(lake, filings, filings_rows("2023Q3", "a2", amount=5.0))
    assert read_table(lake, filings, filters=[("accession", "=", "a2")])["amount"].to_pylist() == [5.0]
