"""Polars over the lake: lazy scans of Delta tables."""

from __future__ import annotations

from typing import TYPE_CHECKING, Literal

from lake.delta import table_exists
from lake.registry import TableSpec, table
from lake.storage import Lake

if TYPE_CHECKING:
    import polars as pl


def polars_storage_options(lake: Lake) -> dict[str, str] | None:
    """Storage options for ``pl.scan_delta``.

    Polars hands the options both to deltalake (to read the log) and to its own object_store reader (for
    the Parquet files); both accept deltalake's upper-case ``AWS_*`` keys, including ``AWS_ENDPOINT_URL``
    and ``AWS_ALLOW_HTTP``, so they pass through unchanged.
    """
    return dict(lake.storage_options) or None


def scan(lake: Lake, spec_or_name: TableSpec | str) -> pl.LazyFrame:
    """A lazy polars scan of a table's latest version.

    Args:
        lake: The lake.
        spec_or_name: The spec, or a registered table name.

    Returns:
        The scan; an empty frame with the spec's schema when the table does not exist yet.
    """
    import polars as pl

    spec = spec_or_name if isinstance(spec_or_name, TableSpec) else table(spec_or_name)
    if not table_exists(lake, spec):
        frame = pl.from_arrow(spec.schema.empty_table())
        assert isinstance(frame, pl.DataFrame)
        return frame.lazy()
    options = polars_storage_options(lake)
    # explicit keys in the options: do not let polars look for other credentials
    provider: Literal["auto"] | None = None if options and "AWS_ACCESS_KEY_ID" in options else "auto"
    return pl.scan_delta(lake.table_uri(spec), storage_options=options, credential_provider=provider)
