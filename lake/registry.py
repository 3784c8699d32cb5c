"""The table registry: one :class:`TableSpec` per lake table, declared in ``lake.tables``.

``lake.registry`` never imports ``lake.tables`` at import time; :func:`all_tables` and :func:`table` import it
lazily so that the declarations register themselves on first use.
"""

from __future__ import annotations

import importlib
import re
from collections.abc import MutableMapping
from dataclasses import dataclass
from typing import Literal, get_args

import pyarrow as pa

Layer = Literal["raw", "bronze", "silver", "gold"]
LAYERS: tuple[str, ...] = get_args(Layer)

_SNAKE_CASE = re.compile(r"^[a-z][a-z0-9]*(?:_[a-z0-9]+)*$")
_TABLES_MODULE = "lake.tables"


@dataclass(frozen=True, eq=False)
class TableSpec:
    """The declaration of one lake table.

    Attributes:
        name: Unique snake_case name; also the DuckDB view name.
        layer: Medallion layer: ``raw``, ``bronze``, ``silver`` or ``gold``.
        schema: The Arrow schema every write is validated and cast against.
        partition_by: Delta partition columns (in order).
        primary_key: Columns that identify a row; unique within the table and never null.
        description: One sentence on what a row is.

    Raises:
        ValueError: the name is not snake_case, the layer is unknown, or a partition/primary-key column is
            not in the schema (or is listed twice).
    """

    name: str
    layer: Layer
    schema: pa.Schema
    partition_by: tuple[str, ...] = ()
    primary_key: tuple[str, ...] = ()
    description: str = ""

    def __post_init__(self) -> None:
        if not _SNAKE_CASE.match(self.name):
            raise ValueError(f"table name {self.name!r} is not snake_case")
        if self.layer not in LAYERS:
            raise ValueError(f"table {self.name}: layer {self.layer!r} is not one of {', '.join(LAYERS)}")
        if not isinstance(self.schema, pa.Schema):
            raise ValueError(
                f"table {self.name}: schema must be a pyarrow.Schema, not {type(self.schema).__name__}"
            )
        names = self.schema.names
        if len(set(names)) != len(names):
            raise ValueError(f"table {self.name}: schema has duplicate column names: {names}")
        for role, columns in (("partition", self.partition_by), ("primary key", self.primary_key)):
            if len(set(columns)) != len(columns):
                raise ValueError(f"table {self.name}: {role} columns repeat: {columns}")
            missing = [c for c in columns if c not in names]
            if missing:
                raise ValueError(f"table {self.name}: {role} column(s) {missing} not in schema {names}")

    @property
    def path(self) -> str:
        """The table's folder relative to the lake root, ``{layer}/{name}``."""
        return f"{self.layer}/{self.name}"

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, TableSpec):
            return NotImplemented
        return (
            self.name == other.name
            and self.layer == other.layer
            and self.schema.equals(other.schema, check_metadata=True)
            and self.partition_by == other.partition_by
            and self.primary_key == other.primary_key
            and self.description == other.description
        )

    def __hash__(self) -> int:
        return hash((self.name, self.layer, self.partition_by, self.primary_key))


#: name -> spec of every registered table (filled by ``lake.tables`` through :func:`register`).
TABLES: dict[str, TableSpec] = {}


def register(spec: TableSpec, *, registry: MutableMapping[str, TableSpec] | None = None) -> TableSpec:
    """Add ``spec`` to the registry and return it.

    Args:
        spec: The table declaration.
        registry: The mapping to add to; default the global :data:`TABLES` (tests pass a fresh dict).

    Returns:
        ``spec`` itself, so declarations read ``FILINGS = register(TableSpec(...))``.

    Raises:
        ValueError: a table of that name is already registered.
    """
    target = TABLES if registry is None else registry
    if spec.name in target:
        raise ValueError(f"table {spec.name!r} is already registered ({target[spec.name].path})")
    target[spec.name] = spec
    return spec


def _load_declarations() -> None:
    """Import ``lake.tables`` (which registers the tables) if it exists."""
    try:
        importlib.import_module(_TABLES_MODULE)
    except ModuleNotFoundError as exc:
        if exc.name != _TABLES_MODULE:
            raise


def table(name: str) -> TableSpec:
    """The registered spec named ``name``.

    Raises:
        KeyError: no such table; the message lists the known names.
    """
    _load_declarations()
    try:
        return TABLES[name]
    except KeyError:
        known = ", ".join(sorted(TABLES)) or "(none)"
        raise KeyError(f"unknown table {name!r}; known tables: {known}") from None


def all_tables() -> list[TableSpec]:
    """Every registered table, in registration order (imports ``lake.tables`` lazily)."""
    _load_declarations()
    return list(TABLES.values())
