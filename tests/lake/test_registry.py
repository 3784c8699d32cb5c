from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pyarrow as pa
import pytest

from lake import registry
from lake.registry import TableSpec, all_tables, register, table

SCHEMA = pa.schema([("cik", pa.int64()), ("quarter", pa.string()), ("value", pa.float64())])


def _spec(name: str = "test_things", **overrides: object) -> TableSpec:
    fields: dict[str, object] = {
        "name": name,
        "layer": "silver",
        "schema": SCHEMA,
        "partition_by": ("quarter",),
        "primary_key": ("cik", "quarter"),
        "description": "Things.",
    }
    fields.update(overrides)
    return TableSpec(**fields)  # type: ignore[arg-type]


def test_spec_path_and_fields() -> None:
    spec = _spec()
    assert spec.path == "silver/test_things"
    assert spec.partition_by == ("quarter",)
    assert spec.primary_key == ("cik", "quarter")
    assert spec == _spec()
    assert spec != _spec(description="Other.")


def test_register_into_a_fresh_registry() -> None:
    fresh: dict[str, TableSpec] = {}
    spec = _spec()
    assert register(spec, registry=fresh) is spec
    assert fresh == {"test_things": spec}
    with pytest.raises(ValueError, match="'test_things' is already registered"):
        register(_spec(), registry=fresh)
    assert list(fresh) == ["test_things"]


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"partition_by": ("year",)}, r"partition column\(s\) \['year'\] not in schema"),
        ({"primary_key": ("cik", "accession")}, r"primary key column\(s\) \['accession'\] not in schema"),
        ({"primary_key": ("cik", "cik")}, "primary key columns repeat"),
        ({"layer": "platinum"}, "layer 'platinum' is not one of raw, bronze, silver, gold"),
        ({"name": "TestThings"}, "'TestThings' is not snake_case"),
        ({"name": "test-things"}, "'test-things' is not snake_case"),
    ],
)
def test_invalid_specs_are_rejected(overrides: dict[str, object], message: str) -> None:
    with pytest.raises(ValueError, match=message):
        _spec(**overrides)


def test_table_lookup_and_unknown_names(monkeypatch: pytest.MonkeyPatch) -> None:
    all_tables()  # load lake.tables (if present) before patching the global registry
    spec = _spec("test_lookup")
    monkeypatch.setitem(registry.TABLES, spec.name, spec)
    assert table("test_lookup") is spec
    assert spec in all_tables()
    with pytest.raises(KeyError, match=r"unknown table 'nope'; known tables: .*test_lookup"):
        table("nope")


def test_missing_declarations_module_is_tolerated(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(registry, "_TABLES_MODULE", "lake.no_such_tables_module")
    assert all_tables() == list(registry.TABLES.values())


def test_broken_declarations_module_is_not_hidden(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    (tmp_path / "broken_lake_tables.py").write_text("import no_such_dependency_xyz\n")
    monkeypatch.syspath_prepend(str(tmp_path))
    monkeypatch.setattr(registry, "_TABLES_MODULE", "broken_lake_tables")
    with pytest.raises(ModuleNotFoundError, match="no_such_dependency_xyz"):
        all_tables()


def test_import_lake_stays_light() -> None:
    code = "import sys, lake; print(sorted(m for m in ('polars', 'duckdb', 'dagster') if m in sys.modules))"
    result = subprocess.run(
        [sys.executable, "-c", code],
        capture_output=True,
        text=True,
        check=True,
        cwd=Path(__file__).parents[2],
    )
    assert result.stdout.strip() == "[]"
