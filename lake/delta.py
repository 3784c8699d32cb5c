"""Delta tables of the lake: validated, idempotent writes and typed reads.

Every write validates the data against the table's :class:`~lake.registry.TableSpec` (columns, safe casts,
nullability, unique non-null primary key) before anything is written, and skips the commit entirely when the
rows it would write are already there, so re-running a build creates no new table version. A write is one
Delta commit: if it fails midway the table stays at its previous version.
"""

from __future__ import annotations

import os
import re
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeAlias

import pyarrow as pa
import pyarrow.compute as pc
from deltalake import DeltaTable, write_deltalake
from deltalake.exceptions import TableNotFoundError

from lake.registry import TableSpec, table
from lake.storage import Lake

if TYPE_CHECKING:  # pyarrow.dataset imports pandas (~0.6 s): loaded only where a dataset is built
    import pyarrow.dataset as pads

#: A partition value as given to :func:`write_partition` (cast to the column's type).
PartitionValue: TypeAlias = str | int | date
#: Row filters for :func:`read_table`: a pyarrow expression or DNF tuples ``[("col", "=", value), ...]``.
Filters: TypeAlias = pc.Expression | Sequence[tuple[str, str, Any]] | Sequence[Sequence[tuple[str, str, Any]]]


class SchemaMismatch(ValueError):
    """Data does not conform to a table's schema.

    Attributes:
        table: The table name.
        column: The offending column.
    """

    def __init__(self, table: str, column: str, reason: str) -> None:
        super().__init__(f"table {table}: column {column!r}: {reason}")
        self.table = table
        self.column = column


class PartitionMismatch(ValueError):
    """A row's partition value is not among the partitions being written."""


class DuplicateKey(ValueError):
    """The data holds two rows with the same primary key."""


@dataclass(frozen=True)
class WriteResult:
    """The outcome of a write.

    Attributes:
        table: The table name.
        version: The table version after the call (unchanged when skipped).
        rows_written: Rows committed (0 when skipped).
        skipped: True when the table already held exactly these rows and nothing was committed.
    """

    table: str
    version: int
    rows_written: int
    skipped: bool


def _options(lake: Lake) -> dict[str, str] | None:
    """The lake's storage options, or None locally (deltalake's default)."""
    return dict(lake.storage_options) or None


def _open(lake: Lake, spec: TableSpec) -> DeltaTable | None:
    """The Delta table of ``spec`` at its latest version, or None when it does not exist yet."""
    try:
        return DeltaTable(lake.table_uri(spec), storage_options=_options(lake))
    except TableNotFoundError:
        return None


def _ensure_table(lake: Lake, spec: TableSpec) -> DeltaTable:
    """Open the table, creating it empty (spec schema and partitioning) when missing."""
    existing = _open(lake, spec)
    if existing is not None:
        return existing
    return DeltaTable.create(
        lake.table_uri(spec),
        schema=spec.schema,
        mode="ignore",
        partition_by=list(spec.partition_by) or None,
        name=spec.name,
        description=spec.description or None,
        storage_options=_options(lake),
    )


def table_exists(lake: Lake, spec: TableSpec) -> bool:
    """Whether the Delta table of ``spec`` exists in ``lake``."""
    # Not DeltaTable.is_deltatable: in deltalake 1.6 it holds the GIL during its S3 requests, which
    # deadlocks against an S3 server running in the same process (moto's ThreadedMotoServer in tests).
    return _open(lake, spec) is not None


def row_count(lake: Lake, spec: TableSpec) -> int | None:
    """Rows in the table's latest version, from the Delta log's file statistics (no data read); None if missing."""
    dt = _open(lake, spec)
    if dt is None:
        return None
    actions = pa.RecordBatchReader.from_stream(dt.get_add_actions(flatten=True)).read_all()
    if actions.num_rows == 0:
        return 0
    return int(pc.sum(actions.column("num_records")).as_py() or 0)


def file_uris(lake: Lake, spec: TableSpec) -> list[str]:
    """The Parquet files of the table's latest version (local paths or ``s3://`` URIs); empty when missing."""
    dt = _open(lake, spec)
    return dt.file_uris() if dt is not None else []


_COMMIT = re.compile(r"^(\d{20})\.json$")


def table_version(lake: Lake, spec: TableSpec) -> int | None:
    """The latest version of the table, or None when it does not exist.

    A local table's version is read from the names of its ``_delta_log`` commit files (one directory listing,
    no log replay: the API checks every loaded table every few seconds); on S3 the table is opened.
    """
    if not lake.is_s3:
        try:
            with os.scandir(Path(lake.table_uri(spec)) / "_delta_log") as entries:
                versions = [int(m.group(1)) for e in entries if (m := _COMMIT.match(e.name))]
        except FileNotFoundError:
            return None
        if versions:
            return max(versions)
        # no commit file: a table whose log was cleaned up to a checkpoint, or no table; deltalake decides
    dt = _open(lake, spec)
    return None if dt is None else dt.version()


def conform(spec: TableSpec, data: pa.Table) -> pa.Table:
    """``data`` with exactly the spec's columns, in its order and types.

    Columns are cast safely (no truncation or overflow); extra columns are an error, not dropped.

    Raises:
        SchemaMismatch: a column is missing, unknown, repeated, not safely castable, null where the schema
            forbids it, or a primary-key column holds nulls.
    """
    names = data.schema.names
    for name in names:
        if name not in spec.schema.names:
            raise SchemaMismatch(spec.name, name, "is not in the table schema")
        if names.count(name) > 1:
            raise SchemaMismatch(spec.name, name, "appears more than once")
    columns: list[pa.ChunkedArray] = []
    for field in spec.schema:
        if field.name not in names:
            raise SchemaMismatch(spec.name, field.name, f"is missing (expected {field.type})")
        column = data.column(field.name)
        if column.type != field.type:
            try:
                column = column.cast(field.type, safe=True)
            except (pa.ArrowInvalid, pa.ArrowNotImplementedError, pa.ArrowTypeError) as exc:
                raise SchemaMismatch(
                    spec.name, field.name, f"cannot cast {column.type} to {field.type}: {exc}"
                ) from exc
        if column.null_count and (not field.nullable or field.name in spec.primary_key):
            raise SchemaMismatch(
                spec.name, field.name, f"has {column.null_count} null(s) but may not be null"
            )
        columns.append(column)
    return pa.Table.from_arrays(columns, schema=spec.schema)


def _check_unique(spec: TableSpec, data: pa.Table) -> None:
    """Raise :class:`DuplicateKey` naming one repeated primary key of ``data``."""
    if not spec.primary_key or data.num_rows < 2:
        return
    counts = data.group_by(list(spec.primary_key)).aggregate([([], "count_all")])
    repeated = counts.filter(pc.greater(counts["count_all"], 1))
    if repeated.num_rows:
        first = repeated.slice(0, 1).to_pylist()[0]
        key = {column: first[column] for column in spec.primary_key}
        raise DuplicateKey(
            f"table {spec.name}: primary key {key} occurs {first['count_all']} times "
            f"({repeated.num_rows} duplicated key(s) in all)"
        )


def _check_unique_stream(spec: TableSpec, data: pa.Table, seen: set[tuple[Any, ...]]) -> None:
    """Like :func:`_check_unique`, across the batches of a stream (``seen`` carries earlier keys)."""
    if not spec.primary_key:
        return
    for key in zip(*(data.column(c).to_pylist() for c in spec.primary_key), strict=True):
        if key in seen:
            raise DuplicateKey(
                f"table {spec.name}: primary key {dict(zip(spec.primary_key, key, strict=True))} occurs more than once"
            )
        seen.add(key)


def _partition_values(
    spec: TableSpec, partitions: Mapping[str, Sequence[PartitionValue]]
) -> dict[str, pa.Array]:
    """Validate ``partitions`` and cast each column's values to its type."""
    if not partitions:
        raise ValueError(f"table {spec.name}: name at least one partition column and its values")
    values: dict[str, pa.Array] = {}
    for column, given in partitions.items():
        if column not in spec.partition_by:
            raise ValueError(f"table {spec.name}: {column!r} is not a partition column {spec.partition_by}")
        if isinstance(given, str | bytes):
            raise TypeError(
                f"table {spec.name}: partition values of {column!r} must be a list, not {given!r}"
            )
        unique = list(dict.fromkeys(given))
        if not unique:
            raise ValueError(f"table {spec.name}: no values given for partition column {column!r}")
        field = spec.schema.field(column)
        try:
            values[column] = pc.unique(
                pa.concat_arrays([pa.array([v]).cast(field.type, safe=True) for v in unique])
            )
        except (pa.ArrowInvalid, pa.ArrowNotImplementedError, pa.ArrowTypeError) as exc:
            raise SchemaMismatch(
                spec.name, column, f"partition values {unique} are not {field.type}: {exc}"
            ) from exc
        if values[column].null_count:
            raise ValueError(f"table {spec.name}: partition values of {column!r} may not be null")
    return values


def _sql_literal(value: Any, type_: pa.DataType) -> str:
    """A SQL literal for a partition value (strings and dates quoted, quotes doubled)."""
    if pa.types.is_string(type_) or pa.types.is_large_string(type_):
        return "'" + str(value).replace("'", "''") + "'"
    if pa.types.is_integer(type_):
        return str(int(value))
    if pa.types.is_date32(type_) and isinstance(value, date):
        return f"'{value.isoformat()}'"
    raise TypeError(f"partition columns of type {type_} are not supported (use string, integer or date32)")


def _identifier(name: str) -> str:
    """A double-quoted SQL identifier."""
    return '"' + name.replace('"', '""') + '"'


def partition_predicate(values: Mapping[str, pa.Array]) -> str:
    """The SQL predicate selecting exactly ``values``: ``"col" IN ('a', 'b') AND ...``."""
    clauses = []
    for column, array in values.items():
        literals = ", ".join(_sql_literal(v, array.type) for v in array.to_pylist())
        clauses.append(f"{_identifier(column)} IN ({literals})")
    return " AND ".join(clauses)


def _partition_expression(values: Mapping[str, pa.Array]) -> pc.Expression:
    """The pyarrow expression equivalent to :func:`partition_predicate`."""
    expressions = [pc.field(column).isin(array) for column, array in values.items()]
    result = expressions[0]
    for expression in expressions[1:]:
        result = result & expression
    return result


def _check_partitions(spec: TableSpec, data: pa.Table, values: Mapping[str, pa.Array]) -> None:
    """Raise :class:`PartitionMismatch` when a row lies outside the partitions being written."""
    for column, allowed in values.items():
        outside = data.filter(pc.invert(pc.is_in(data.column(column), value_set=allowed)))
        if outside.num_rows:
            raise PartitionMismatch(
                f"table {spec.name}: {outside.num_rows} row(s) have {column}={outside.column(column)[0].as_py()!r}, "
                f"outside the partitions being written {allowed.to_pylist()}"
            )


def _same_rows(spec: TableSpec, existing: pa.Table, new: pa.Table) -> bool:
    """Whether two tables hold the same rows (compared sorted by primary key, else by every column)."""
    if existing.num_rows != new.num_rows:
        return False
    if new.num_rows == 0:
        return True
    try:
        existing = conform(
            spec, existing.select([n for n in existing.column_names if n in spec.schema.names])
        )
        keys = list(spec.primary_key or spec.schema.names)
        order = [(k, "ascending") for k in keys]
        return bool(existing.sort_by(order).equals(new.sort_by(order)))
    except (SchemaMismatch, pa.ArrowNotImplementedError, pa.ArrowInvalid):
        return False


def _partition_row_count(dt: DeltaTable, values: Mapping[str, pa.Array]) -> int | None:
    """Rows stored in the partitions ``values``, from the Delta log's file statistics; None when unknown."""
    actions = pa.RecordBatchReader.from_stream(dt.get_add_actions(flatten=True)).read_all()
    if actions.num_rows == 0:
        return 0
    if "num_records" not in actions.column_names:
        return None
    mask = None
    for column, array in values.items():
        name = f"partition.{column}"
        if name not in actions.column_names:
            return None
        part = actions.column(name)
        try:
            inside = pc.is_in(part, value_set=array.cast(part.type))
        except (pa.ArrowInvalid, pa.ArrowNotImplementedError, pa.ArrowTypeError):
            return None
        mask = inside if mask is None else pc.and_(mask, inside)
    chosen = actions.filter(mask) if mask is not None else actions
    counts = chosen.column("num_records")
    if counts.null_count:
        return None
    return int(pc.sum(counts).as_py() or 0)


def _latest_version(dt: DeltaTable) -> int:
    """The version of ``dt`` after a commit made through it."""
    dt.update_incremental()
    return dt.version()


def write_partition(
    lake: Lake,
    spec: TableSpec,
    data: pa.Table | pa.RecordBatchReader,
    *,
    partitions: Mapping[str, Sequence[PartitionValue]],
) -> WriteResult:
    """Replace exactly the given partitions of a table with ``data`` (idempotent).

    Rows of other partitions are untouched. Writing zero rows empties the partitions. When ``data`` is a
    table and those partitions already hold exactly its rows, nothing is committed (``skipped=True``). A
    ``RecordBatchReader`` is streamed into one commit, each batch validated on the way (no skip check); if
    the stream fails, nothing is committed and the stream's error is raised.

    Args:
        lake: The lake.
        spec: The table; created with its schema and partitioning when missing.
        data: The new content of the partitions.
        partitions: Partition column -> the values being replaced, e.g. ``{"filing_quarter": ["2023Q3"]}``.

    Returns:
        The write's outcome.

    Raises:
        SchemaMismatch: ``data`` does not conform to ``spec.schema``.
        PartitionMismatch: a row's partition value is not in ``partitions``.
        DuplicateKey: two rows share a primary key.
        ValueError: ``partitions`` is empty or names a column that is not a partition column.
    """
    values = _partition_values(spec, partitions)
    predicate = partition_predicate(values)
    if isinstance(data, pa.RecordBatchReader):
        return _write_stream(lake, spec, data, predicate, lambda t: _check_partitions(spec, t, values))
    new = conform(spec, data)
    _check_partitions(spec, new, values)
    _check_unique(spec, new)
    dt = _ensure_table(lake, spec)
    stored = _partition_row_count(dt, values)
    if stored is None or stored == new.num_rows:  # a partition that gained or lost rows is not read
        existing = dt.to_pyarrow_dataset(file_pruning_predicate=predicate).to_table(
            filter=_partition_expression(values)
        )
        if _same_rows(spec, existing, new):
            return WriteResult(spec.name, dt.version(), 0, skipped=True)
    write_deltalake(dt, new, mode="overwrite", predicate=predicate)
    return WriteResult(spec.name, _latest_version(dt), new.num_rows, skipped=False)


def _write_stream(
    lake: Lake,
    spec: TableSpec,
    reader: pa.RecordBatchReader,
    predicate: str,
    check: Callable[[pa.Table], None],
) -> WriteResult:
    """Stream ``reader`` into one overwrite commit, validating each batch; re-raise the stream's own error."""
    dt = _ensure_table(lake, spec)
    failures: list[Exception] = []
    seen: set[tuple[Any, ...]] = set()
    rows = 0

    def batches() -> Iterator[pa.RecordBatch]:
        nonlocal rows
        try:
            for batch in reader:
                chunk = conform(spec, pa.Table.from_batches([batch]))
                check(chunk)
                _check_unique_stream(spec, chunk, seen)
                rows += chunk.num_rows
                yield from chunk.to_batches()
        except Exception as exc:
            failures.append(exc)
            raise

    stream = pa.RecordBatchReader.from_batches(spec.schema, batches())
    try:
        write_deltalake(dt, stream, mode="overwrite", predicate=predicate)
    except Exception as exc:
        if failures:
            raise failures[0] from exc
        raise
    return WriteResult(spec.name, _latest_version(dt), rows, skipped=False)


def merge_upsert(lake: Lake, spec: TableSpec, data: pa.Table) -> WriteResult:
    """Insert or update ``data`` by primary key (rows whose key is not in ``data`` are kept).

    One commit that deletes the rows whose primary key is in ``data`` and adds ``data`` (a Delta
    ``overwrite`` with a primary-key predicate), so the table moves from one consistent version to the next.
    Skipped (no commit) when every row of ``data`` is already in the table unchanged.

    Not ``DeltaTable.merge``: in deltalake 1.6 MERGE writes string columns as Arrow ``string_view``, and
    pyarrow (26) cannot test a filter against such a file's statistics (``no kernel matching input types
    (string, string_view)``): :func:`read_table` then falls back to filtering in memory and DuckDB views
    fail until ``python -m lake.maintenance`` rewrites the file. ``optimize.compact()`` is safe: deltalake 1.6
    writes compacted files with plain types (see :mod:`lake.maintenance`).

    Args:
        lake: The lake.
        spec: The table; must have a primary key of string, integer or date32 columns; created when missing.
        data: The rows to upsert.

    Returns:
        The write's outcome (``rows_written`` = rows of ``data`` when committed).

    Raises:
        SchemaMismatch: ``data`` does not conform to ``spec.schema``.
        DuplicateKey: two rows of ``data`` share a primary key.
        ValueError: the spec has no primary key.
    """
    if not spec.primary_key:
        raise ValueError(f"table {spec.name}: merge_upsert needs a primary key")
    new = conform(spec, data)
    _check_unique(spec, new)
    dt = _ensure_table(lake, spec)
    if new.num_rows == 0 or _merge_is_noop(spec, dt, new):
        return WriteResult(spec.name, dt.version(), 0, skipped=True)
    write_deltalake(dt, new, mode="overwrite", predicate=key_predicate(spec, new))
    return WriteResult(spec.name, _latest_version(dt), new.num_rows, skipped=False)


def key_predicate(spec: TableSpec, data: pa.Table) -> str:
    """The SQL predicate matching exactly the primary keys of ``data``.

    One key column: ``"k" IN (...)``. Several: grouped by the first column,
    ``("a" = 'x' AND ("b", ...) ...) OR ...``, i.e. ``("a" = 'x' AND "b" IN (1, 2)) OR ...`` for two.
    """
    first, *rest = spec.primary_key
    first_type = spec.schema.field(first).type
    if not rest:
        values = pc.unique(data.column(first)).to_pylist()
        return f"{_identifier(first)} IN ({', '.join(_sql_literal(v, first_type) for v in values)})"
    groups: dict[Any, list[tuple[Any, ...]]] = {}
    columns = [data.column(c).to_pylist() for c in rest]
    for head, *tail in zip(data.column(first).to_pylist(), *columns, strict=True):
        groups.setdefault(head, []).append(tuple(tail))
    clauses = []
    for head, tails in groups.items():
        head_sql = f"{_identifier(first)} = {_sql_literal(head, first_type)}"
        if len(rest) == 1:
            rest_type = spec.schema.field(rest[0]).type
            tail_sql = (
                f"{_identifier(rest[0])} IN ({', '.join(_sql_literal(t[0], rest_type) for t in tails)})"
            )
        else:
            tail_sql = " OR ".join(
                "("
                + " AND ".join(
                    f"{_identifier(c)} = {_sql_literal(v, spec.schema.field(c).type)}"
                    for c, v in zip(rest, t, strict=True)
                )
                + ")"
                for t in tails
            )
        clauses.append(f"({head_sql} AND ({tail_sql}))")
    return " OR ".join(clauses)


def _merge_is_noop(spec: TableSpec, dt: DeltaTable, new: pa.Table) -> bool:
    """Whether the table already holds every row of ``new`` unchanged (reads only candidate files)."""
    first = spec.primary_key[0]
    try:
        candidates = dt.to_pyarrow_dataset().to_table(
            filter=pc.field(first).isin(pc.unique(new.column(first)))
        )
        keys = list(spec.primary_key)
        matching = candidates.join(new.select(keys), keys=keys, join_type="left semi")
    except (pa.ArrowNotImplementedError, pa.ArrowInvalid):
        return False
    return _same_rows(spec, matching, new)


def overwrite_table(lake: Lake, spec: TableSpec, data: pa.Table) -> WriteResult:
    """Replace the whole table with ``data`` (for small tables); skipped when it already holds those rows.

    Args:
        lake: The lake.
        spec: The table; created when missing.
        data: The table's new content.

    Returns:
        The write's outcome.

    Raises:
        SchemaMismatch: ``data`` does not conform to ``spec.schema``.
        DuplicateKey: two rows share a primary key.
    """
    new = conform(spec, data)
    _check_unique(spec, new)
    dt = _ensure_table(lake, spec)
    if _same_rows(spec, dt.to_pyarrow_dataset().to_table(), new):
        return WriteResult(spec.name, dt.version(), 0, skipped=True)
    write_deltalake(dt, new, mode="overwrite")
    return WriteResult(spec.name, _latest_version(dt), new.num_rows, skipped=False)


def _resolve(spec_or_name: TableSpec | str) -> TableSpec:
    """A spec, or the registered spec of that name."""
    return spec_or_name if isinstance(spec_or_name, TableSpec) else table(spec_or_name)


def dataset(lake: Lake, spec_or_name: TableSpec | str) -> pads.Dataset:
    """A pyarrow dataset of the table's latest version (an empty in-memory one when it does not exist).

    Scans of it push column projection and row filters down to the Parquet files.
    """
    import pyarrow.dataset as pads

    spec = _resolve(spec_or_name)
    dt = _open(lake, spec)
    files = dt.file_uris() if dt is not None else []
    if not files:
        return pads.dataset(spec.schema.empty_table())
    # A plain Parquet dataset over the version's files, on pyarrow's own filesystem: deltalake's
    # to_pyarrow_dataset() wraps a Python-implemented filesystem, which crashes the interpreter at exit when
    # DuckDB still holds a scan of it. delta-rs writes hive-style partition folders; values come from the path.
    fs, base = lake.filesystem()
    root = f"{base}/{spec.path}"
    paths = [uri.removeprefix("s3://") if lake.is_s3 else uri for uri in files]
    partitioning = None
    if spec.partition_by:
        fields = [spec.schema.field(name) for name in spec.partition_by]
        partitioning = pads.partitioning(pa.schema(fields), flavor="hive")
    return pads.dataset(
        paths,
        schema=spec.schema,
        format="parquet",
        filesystem=fs,
        partitioning=partitioning,
        partition_base_dir=root,
    )


def read_table(
    lake: Lake,
    spec_or_name: TableSpec | str,
    *,
    filters: Filters | None = None,
    columns: Sequence[str] | None = None,
) -> pa.Table:
    """Read a table (latest version) with the spec's column types.

    Args:
        lake: The lake.
        spec_or_name: The spec, or a registered table name.
        filters: A pyarrow expression or DNF tuples (``[("cik", "=", 320193)]``); pushed down to files.
        columns: Columns to return (default all, in schema order).

    Returns:
        The rows; an empty table with the spec's schema when the table does not exist yet.
    """
    import pyarrow.parquet as pq

    spec = _resolve(spec_or_name)
    expression = (
        filters
        if filters is None or isinstance(filters, pc.Expression)
        else pq.filters_to_expression(filters)
    )
    wanted = list(columns) if columns is not None else None
    try:
        result = dataset(lake, spec).to_table(columns=wanted, filter=expression)
    except (pa.ArrowNotImplementedError, pa.ArrowTypeError) as exc:
        if expression is None or "view" not in str(exc):
            raise
        # A file with string_view columns (written by deltalake's MERGE; `python -m lake.maintenance` rewrites
        # them): pyarrow cannot test the filter against its statistics, so read, cast, then filter in memory.
        everything = dataset(lake, spec).to_table()
        result = everything.cast(spec.schema).filter(expression)
        if wanted is not None:
            result = result.select(wanted)
    target = pa.schema(
        [
            spec.schema.field(n) if n in spec.schema.names else result.schema.field(n)
            for n in result.column_names
        ]
    )
    return result if result.schema.equals(target) else result.cast(target)
