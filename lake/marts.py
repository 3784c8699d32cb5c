"""The bridge between the lake and the dbt metrics project (``dbt/``): sources in, marts out.

dbt-duckdb cannot read Delta tables here (DuckDB's ``delta`` extension downloads at run time, and this project
runs offline), so before dbt runs :func:`prepare_sources` writes schema ``lake`` into the project's DuckDB
file with one relation per source table, named after it:

- local lake: a view ``SELECT ... FROM read_parquet([<the current Delta version's files>])`` (no copy; the
  file list comes from the Delta log, so removed files of older versions are never read);
- S3 lake: a table copied through Arrow (DuckDB's ``httpfs`` extension is not available either), holding only
  the rows the models read (:data:`COPY_FILTERS`);
- a table that does not exist yet: an empty table with the registry's schema, so the models still build.

After ``dbt build``, :func:`publish_marts` reads each mart (schema ``marts``) and writes it to the lake table
of the same name (declared in ``lake.tables``), where the API and strategies read it like any other table.
"""

from __future__ import annotations

import hashlib
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

import pyarrow as pa
import pyarrow.compute as pc

from lake.delta import WriteResult, dataset, file_uris, overwrite_table
from lake.registry import TableSpec, table
from lake.storage import Lake

if TYPE_CHECKING:
    import duckdb

    from lake.settings import Settings

#: Lake tables the dbt project reads (its ``sources.yml`` declares the same list).
SOURCES: tuple[str, ...] = (
    "income_statements",
    "balance_sheets",
    "cash_flow_statements",
    "facts",
    "prices",
)

#: The cover-page share count of a 10-K/10-Q (the only facts the models read).
COVER_SHARES_CONCEPT = "dei:EntityCommonStockSharesOutstanding"

#: Row filters applied when a source is copied (S3 lake): only what the models read.
COPY_FILTERS: dict[str, pc.Expression] = {"facts": pc.field("concept") == COVER_SHARES_CONCEPT}

#: Marts written back to the lake: lake table name = dbt model name (schema ``marts``).
MARTS: tuple[str, ...] = ("financial_metrics", "financial_metrics_snapshot", "valuation_daily", "factors")

#: The DuckDB schema of the sources and of the marts.
SOURCE_SCHEMA = "lake"
MART_SCHEMA = "marts"


@dataclass(frozen=True)
class PreparedSource:
    """How one source table was exposed to dbt.

    Attributes:
        table: The lake table.
        kind: ``view`` (over the Parquet files), ``copy`` (rows copied) or ``empty`` (table not built yet).
        files: Parquet files behind a view (0 for copies and empty tables).
    """

    table: str
    kind: str
    files: int


def duckdb_path(settings: Settings) -> Path:
    """The DuckDB file dbt builds in: ``DBT_DUCKDB_PATH``, else ``<lake>/_dbt/metrics.duckdb`` or a temp path.

    An S3 lake has no local folder: its file goes to ``<tmp>/aihf-dbt/<hash of the lake URI>/``.
    """
    if settings.dbt_duckdb_path:
        return Path(settings.dbt_duckdb_path)
    if not settings.lake_uri.startswith("s3://"):
        return Path(settings.lake_uri) / "_dbt" / "metrics.duckdb"
    digest = hashlib.sha256(settings.lake_uri.encode()).hexdigest()[:12]
    return Path(tempfile.gettempdir()) / "aihf-dbt" / digest / "metrics.duckdb"


def _quote(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def _literal(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


def _duck_type(type_: pa.DataType) -> str:
    """The DuckDB type of a partition column (the only columns whose type a view casts)."""
    if pa.types.is_integer(type_):
        return "BIGINT" if type_.bit_width == 64 else "INTEGER"
    if pa.types.is_date32(type_):
        return "DATE"
    return "VARCHAR"


def _view_sql(spec: TableSpec, files: list[str]) -> str:
    """``CREATE VIEW`` over the Parquet files of a local table, partition columns read from the paths."""
    listed = ", ".join(_literal(f) for f in files)
    options = ["union_by_name = true"]
    if spec.partition_by:
        types = ", ".join(
            f"{_literal(c)}: {_literal(_duck_type(spec.schema.field(c).type))}" for c in spec.partition_by
        )
        options += ["hive_partitioning = true", f"hive_types = {{{types}}}"]
    columns = ", ".join(_quote(n) for n in spec.schema.names)
    relation = f"{SOURCE_SCHEMA}.{_quote(spec.name)}"
    return f"CREATE OR REPLACE VIEW {relation} AS SELECT {columns} FROM read_parquet([{listed}], {', '.join(options)})"


def _drop(connection: duckdb.DuckDBPyConnection, name: str) -> None:
    """Drop the source relation ``name`` (view or table) when it exists."""
    found = connection.execute(
        "SELECT table_type FROM information_schema.tables WHERE table_schema = ? AND table_name = ?",
        [SOURCE_SCHEMA, name],
    ).fetchall()
    for (kind,) in found:
        connection.execute(f"DROP {'VIEW' if kind == 'VIEW' else 'TABLE'} {SOURCE_SCHEMA}.{_quote(name)}")


def _copy(connection: duckdb.DuckDBPyConnection, spec: TableSpec, data: pa.Table) -> None:
    relation = f"{SOURCE_SCHEMA}.{_quote(spec.name)}"
    connection.register("_aihf_source", data)
    connection.execute(f"CREATE OR REPLACE TABLE {relation} AS SELECT * FROM _aihf_source")
    connection.unregister("_aihf_source")


def prepare_sources(lake: Lake, path: Path, sources: tuple[str, ...] = SOURCES) -> list[PreparedSource]:
    """Create (or refresh) schema ``lake`` of the DuckDB file ``path``: one relation per source table.

    Args:
        lake: The lake to read.
        path: The DuckDB file (created with its folder when missing).
        sources: Lake tables to expose (default :data:`SOURCES`).

    Returns:
        What was done for each table.
    """
    import duckdb

    path.parent.mkdir(parents=True, exist_ok=True)
    done: list[PreparedSource] = []
    with duckdb.connect(str(path)) as connection:
        connection.execute(f"CREATE SCHEMA IF NOT EXISTS {SOURCE_SCHEMA}")
        for name in sources:
            spec = table(name)
            files = file_uris(lake, spec)
            _drop(connection, name)
            if not files:
                _copy(connection, spec, spec.schema.empty_table())
                done.append(PreparedSource(name, "empty", 0))
            elif lake.is_s3:
                data = dataset(lake, spec).to_table(filter=COPY_FILTERS.get(name))
                _copy(connection, spec, data)
                done.append(PreparedSource(name, "copy", 0))
            else:
                connection.execute(_view_sql(spec, files))
                done.append(PreparedSource(name, "view", len(files)))
    return done


def read_mart(path: Path, spec: TableSpec) -> pa.Table:
    """The rows of mart ``spec.name`` in the DuckDB file, cast to the lake table's schema.

    Raises:
        FileNotFoundError: the DuckDB file does not exist (dbt has not run).
        ValueError: the mart is missing a column of the table's schema.
    """
    import duckdb

    if not path.is_file():
        raise FileNotFoundError(f"no dbt database at {path}: run dbt build first")
    with duckdb.connect(str(path), read_only=True) as connection:
        data = connection.sql(f"SELECT * FROM {MART_SCHEMA}.{_quote(spec.name)}").to_arrow_table()
    missing = [n for n in spec.schema.names if n not in data.column_names]
    if missing:
        raise ValueError(f"mart {spec.name} lacks column(s) {missing} of the lake table")
    return data.select(spec.schema.names).cast(spec.schema)


def publish_marts(lake: Lake, path: Path, marts: tuple[str, ...] = MARTS) -> dict[str, WriteResult]:
    """Write every mart of the DuckDB file to its lake table (whole-table overwrite, skipped when unchanged)."""
    return {name: overwrite_table(lake, table(name), read_mart(path, table(name))) for name in marts}
