"""Delta maintenance of the lake: compaction (OPTIMIZE), VACUUM, checkpoints and log cleanup, per table.

Each table is maintained in this order:

1. **Normalize**: files whose embedded Arrow schema holds view or large types (``string_view``, what deltalake's
   MERGE writes) are rewritten with the registry's types, partition by partition. pyarrow cannot evaluate a
   filter against their column statistics (``no kernel matching input types (string, string_view)``), which
   breaks :func:`lake.delta.read_table` filters and the DuckDB views.
2. **Compact**: ``DeltaTable.optimize.compact()`` bin-packs the small files of each partition (deltalake 1.6
   writes compacted files with plain ``string``/``binary`` types, checked by the tests).
3. **Vacuum**: files no version within ``LAKE_VACUUM_RETENTION_HOURS`` references are deleted. The setting is
   validated (at least 1 hour) and deltalake's own check is turned off, so the lake's setting alone decides;
   keep it above the longest read or run, or a reader of an older version loses its files.
4. **Checkpoint** and log cleanup: a checkpoint of the latest version, then log entries older than
   ``LAKE_LOG_RETENTION_HOURS`` (the table property ``delta.logRetentionDuration``) are removed.

Run ``python -m lake.maintenance [--tables a,b] [--dry-run]``; the ``lake_maintenance`` job runs it weekly.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from dataclasses import dataclass
from urllib.parse import unquote

import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.fs as pafs
import pyarrow.parquet as pq
from deltalake import DeltaTable, write_deltalake

from lake.delta import _open, _partition_values, conform, dataset, partition_predicate
from lake.registry import TableSpec, all_tables, table
from lake.settings import Settings
from lake.storage import Lake

#: Delta's default ``delta.logRetentionDuration`` (30 days): a table without the property keeps it.
DELTA_DEFAULT_LOG_RETENTION_HOURS = 720


@dataclass(frozen=True)
class MaintenanceResult:
    """What maintenance did to one table.

    Attributes:
        table: The table name.
        files_before: Data files of the latest version before maintenance.
        files_after: Data files of the latest version after (the same in a dry run).
        bytes_before: Their total size before.
        bytes_after: Their total size after.
        normalized: Files rewritten because they held view/large Arrow types (would be, in a dry run).
        vacuumed: Unreferenced files deleted (would be, in a dry run).
        reclaimed_bytes: Their total size.
        version_before: Table version before.
        version_after: Table version after.
        dry_run: Nothing was changed.
    """

    table: str
    files_before: int
    files_after: int
    bytes_before: int
    bytes_after: int
    normalized: int
    vacuumed: int
    reclaimed_bytes: int
    version_before: int
    version_after: int
    dry_run: bool

    def line(self) -> str:
        """One human-readable line: files and bytes before -> after, bytes reclaimed."""
        would = "would " if self.dry_run else ""
        return (
            f"{self.table}: files {self.files_before} -> {self.files_after}, "
            f"bytes {self.bytes_before} -> {self.bytes_after}; {would}normalize {self.normalized}, "
            f"{would}vacuum {self.vacuumed} file(s) = {self.reclaimed_bytes} bytes reclaimed; "
            f"version {self.version_before} -> {self.version_after}"
        )


def _files(dt: DeltaTable) -> pa.Table:
    """The add actions of ``dt``'s latest version (path, size_bytes, partition.* columns)."""
    return pa.RecordBatchReader.from_stream(dt.get_add_actions(flatten=True)).read_all()


def _size(actions: pa.Table) -> int:
    """Total ``size_bytes`` of add actions."""
    return int(pc.sum(actions.column("size_bytes")).as_py() or 0) if actions.num_rows else 0


def _has_view_or_large_types(schema: pa.Schema) -> bool:
    """Whether a file schema holds string_view/binary_view/large types (at any nesting depth)."""

    def odd(t: pa.DataType) -> bool:
        if pa.types.is_string_view(t) or pa.types.is_binary_view(t):
            return True
        if pa.types.is_large_string(t) or pa.types.is_large_binary(t) or pa.types.is_large_list(t):
            return True
        return any(odd(t.field(i).type) for i in range(t.num_fields))

    return any(odd(field.type) for field in schema)


def view_typed_files(lake: Lake, spec: TableSpec, actions: pa.Table) -> list[int]:
    """Rows of ``actions`` (add actions) whose file's embedded Arrow schema holds view or large types.

    Reads each file's footer.
    """
    fs, base = lake.filesystem()
    found = []
    for i, path in enumerate(actions.column("path").to_pylist()):
        if _has_view_or_large_types(pq.read_schema(f"{base}/{spec.path}/{unquote(path)}", filesystem=fs)):
            found.append(i)
    return found


def _normalize(lake: Lake, spec: TableSpec, dt: DeltaTable, actions: pa.Table, rows: list[int]) -> None:
    """Rewrite the partitions of the files at ``rows`` of ``actions`` (whole table if unpartitioned)."""
    if not spec.partition_by:
        write_deltalake(dt, conform(spec, dataset(lake, spec).to_table()), mode="overwrite")
        return
    keys = {tuple(str(actions.column(f"partition.{c}")[i].as_py()) for c in spec.partition_by) for i in rows}
    for key in sorted(keys):
        values = _partition_values(spec, {c: [v] for c, v in zip(spec.partition_by, key, strict=True)})
        expression = pc.field(spec.partition_by[0]).isin(values[spec.partition_by[0]])
        for column in spec.partition_by[1:]:
            expression = expression & pc.field(column).isin(values[column])
        data = conform(spec, dataset(lake, spec).to_table(filter=expression))
        write_deltalake(dt, data, mode="overwrite", predicate=partition_predicate(values))
        dt.update_incremental()


def _sizes(lake: Lake, spec: TableSpec, relative: list[str]) -> int:
    """Total size of files given relative to the table root (missing files count 0)."""
    if not relative:
        return 0
    fs, base = lake.filesystem()
    infos = fs.get_file_info([f"{base}/{spec.path}/{unquote(p)}" for p in relative])
    return sum(i.size or 0 for i in infos if i.type == pafs.FileType.File)


def _log_retention(dt: DeltaTable, hours: int) -> None:
    """Set ``delta.logRetentionDuration`` to ``hours`` (one commit, only when it differs)."""
    wanted = f"interval {hours} hours"
    current = dt.metadata().configuration.get("delta.logRetentionDuration")
    if current != wanted and not (current is None and hours == DELTA_DEFAULT_LOG_RETENTION_HOURS):
        dt.alter.set_table_properties({"delta.logRetentionDuration": wanted}, raise_if_not_exists=False)


def maintain_table(
    lake: Lake,
    spec: TableSpec,
    *,
    vacuum_retention_hours: int,
    log_retention_hours: int,
    dry_run: bool = False,
) -> MaintenanceResult | None:
    """Normalize, compact, vacuum and checkpoint one table (see the module docstring).

    Args:
        lake: The lake.
        spec: The table.
        vacuum_retention_hours: VACUUM keeps files referenced by any version younger than this.
        log_retention_hours: Log entries older than this are removed after the checkpoint.
        dry_run: Report what would be normalized and vacuumed; change nothing.

    Returns:
        The outcome, or None when the table does not exist.
    """
    dt = _open(lake, spec)
    if dt is None:
        return None
    before = _files(dt)
    version_before = dt.version()
    odd = view_typed_files(lake, spec, before)
    if dry_run:
        doomed = dt.vacuum(
            retention_hours=vacuum_retention_hours, dry_run=True, enforce_retention_duration=False
        )
        return MaintenanceResult(
            spec.name,
            before.num_rows,
            before.num_rows,
            _size(before),
            _size(before),
            len(odd),
            len(doomed),
            _sizes(lake, spec, doomed),
            version_before,
            version_before,
            dry_run=True,
        )
    if odd:
        _normalize(lake, spec, dt, before, odd)
    dt.optimize.compact()
    dt.update_incremental()
    doomed = dt.vacuum(retention_hours=vacuum_retention_hours, dry_run=True, enforce_retention_duration=False)
    reclaimed = _sizes(lake, spec, doomed)
    vacuumed = dt.vacuum(
        retention_hours=vacuum_retention_hours, dry_run=False, enforce_retention_duration=False
    )
    dt.update_incremental()
    _log_retention(dt, log_retention_hours)
    dt.update_incremental()
    dt.create_checkpoint()
    dt.cleanup_metadata()
    after = _files(dt)
    return MaintenanceResult(
        spec.name,
        before.num_rows,
        after.num_rows,
        _size(before),
        _size(after),
        len(odd),
        len(vacuumed),
        reclaimed,
        version_before,
        dt.version(),
        dry_run=False,
    )


def maintain(
    lake: Lake, settings: Settings, *, tables: Sequence[str] | None = None, dry_run: bool = False
) -> list[MaintenanceResult]:
    """Maintain ``tables`` (default every registered table) with the retention settings; missing tables skipped."""
    specs = all_tables() if not tables else [table(name) for name in tables]
    results = []
    for spec in specs:
        result = maintain_table(
            lake,
            spec,
            vacuum_retention_hours=settings.lake_vacuum_retention_hours,
            log_retention_hours=settings.lake_log_retention_hours,
            dry_run=dry_run,
        )
        if result is not None:
            results.append(result)
    return results


def main(argv: Sequence[str] | None = None) -> int:
    """``python -m lake.maintenance [--tables a,b] [--dry-run]``: maintain the lake, one line per table."""
    parser = argparse.ArgumentParser(prog="python -m lake.maintenance", description=__doc__.splitlines()[0])
    parser.add_argument("--tables", default="", help="comma-separated table names (default: every table)")
    parser.add_argument("--dry-run", action="store_true", help="report what would be done, change nothing")
    args = parser.parse_args(argv)
    settings = Settings.from_env()
    names = [t.strip() for t in args.tables.split(",") if t.strip()]
    results = maintain(Lake.from_settings(settings), settings, tables=names or None, dry_run=args.dry_run)
    for result in results:
        print(result.line())
    before = sum(r.files_before for r in results)
    after = sum(r.files_after for r in results)
    reclaimed = sum(r.reclaimed_bytes for r in results)
    print(f"total: {len(results)} table(s), files {before} -> {after}, {reclaimed} bytes reclaimed")
    return 0


if __name__ == "__main__":
    sys.exit(main())
