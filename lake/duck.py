"""DuckDB over the lake: an in-memory connection with one view per table."""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING

from lake.delta import dataset
from lake.registry import TableSpec, all_tables, table
from lake.storage import Lake

if TYPE_CHECKING:
    import duckdb


def connect(lake: Lake, *, tables: Iterable[str | TableSpec] | None = None) -> duckdb.DuckDBPyConnection:
    """An in-memory DuckDB connection with each table registered as a view named after it.

    Each view is a pyarrow dataset of the table's latest version at connect time (DuckDB pushes column
    projection and filters down to the Parquet files). A table that does not exist yet is registered as an
    empty view with the spec's schema, so queries over it return no rows instead of failing.

    Args:
        lake: The lake.
        tables: Names (registered tables) or specs to expose; default every registered table.

    Returns:
        The connection; close it when done.
    """
    import duckdb

    specs = all_tables() if tables is None else [t if isinstance(t, TableSpec) else table(t) for t in tables]
    connection = duckdb.connect(":memory:")
    for spec in specs:
        connection.register(spec.name, dataset(lake, spec))
    return connection
