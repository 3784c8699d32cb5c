"""Batch commits keyed by a group column (lake.groups) and the object listing that checks stored files."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pyarrow as pa
import pytest

from lake.delta import DuplicateKey, read_table, table_version
from lake.groups import replace_groups
from lake.storage import Lake
from lake.tables import RAW_DOCUMENTS


def _doc(filing_id: str, name: str, quarter: str = "2025Q2", size: int = 1) -> dict[str, Any]:
    return {
        "filing_id": filing_id,
        "name": name,
        "sha256": "0" * 64,
        "size": size,
        "object_key": f"filings/1/{filing_id}/{'0' * 64}/{name}",
        "filing_quarter": quarter,
    }


def _table(*rows: dict[str, Any]) -> pa.Table:
    return pa.Table.from_pylist(list(rows), schema=RAW_DOCUMENTS.schema)


def _stored(lake: Lake) -> list[tuple[str, str, str, int]]:
    rows = read_table(lake, RAW_DOCUMENTS).to_pylist()
    return sorted((r["filing_quarter"], r["filing_id"], r["name"], r["size"]) for r in rows)


def test_a_group_committed_again_replaces_its_rows_and_keeps_every_other(lake: Lake) -> None:
    first = replace_groups(
        lake,
        RAW_DOCUMENTS,
        _table(_doc("a", "a.txt"), _doc("a", "ex1.htm"), _doc("b", "b.txt"), _doc("a", "q1.txt", "2025Q1")),
        key="filing_id",
        append=True,
    )
    assert (first.version, first.rows_written, first.skipped) == (1, 4, False)

    # "a" of 2025Q2 again, now with one document less and another size: its rows are replaced, not added;
    # "b" and 2025Q1's "a" (another partition) are untouched
    again = replace_groups(lake, RAW_DOCUMENTS, _table(_doc("a", "a.txt", size=7)), key="filing_id")
    assert (again.version, again.rows_written) == (2, 1)
    assert _stored(lake) == [
        ("2025Q1", "a", "q1.txt", 1),
        ("2025Q2", "a", "a.txt", 7),
        ("2025Q2", "b", "b.txt", 1),
    ]
    # committing the same batch twice (a re-run) leaves the same rows, no duplicates
    replace_groups(lake, RAW_DOCUMENTS, _table(_doc("a", "a.txt", size=7)), key="filing_id")
    assert len(_stored(lake)) == 3


def test_an_empty_or_invalid_batch_commits_nothing(lake: Lake) -> None:
    replace_groups(lake, RAW_DOCUMENTS, _table(_doc("a", "a.txt")), key="filing_id", append=True)
    version = table_version(lake, RAW_DOCUMENTS)
    assert replace_groups(lake, RAW_DOCUMENTS, _table(), key="filing_id").skipped
    with pytest.raises(DuplicateKey):
        replace_groups(lake, RAW_DOCUMENTS, _table(_doc("b", "x"), _doc("b", "x")), key="filing_id")
    with pytest.raises(ValueError, match="'nope' is not a column"):
        replace_groups(lake, RAW_DOCUMENTS, _table(_doc("b", "x")), key="nope")
    assert table_version(lake, RAW_DOCUMENTS) == version
    assert _stored(lake) == [("2025Q2", "a", "a.txt", 1)]


def test_object_sizes_lists_the_stored_objects_of_a_folder(lake: Lake) -> None:
    one = lake.put_object("filings/1/f1", "a.txt", b"abc")
    two = lake.put_object("filings/1/f1", "b.htm", b"hello")
    lake.put_object("filings/1/f2", "a.txt", b"other filing")
    assert lake.object_sizes("filings/1/f1") == {one.key: 3, two.key: 5}
    assert lake.object_sizes("filings/1/missing") == {}
    if not lake.is_s3:  # what an interrupted put_object leaves behind is not an object
        Path(lake.object_uri(f"filings/1/f1/{one.sha256}/.tmp-1-a.txt")).write_bytes(b"ab")
        assert lake.object_sizes("filings/1/f1") == {one.key: 3, two.key: 5}
