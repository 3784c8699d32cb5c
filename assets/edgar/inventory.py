"""The offline mirror's files, each with the identity it states -> ``edgar_inventory``."""

from collections import defaultdict
from collections.abc import Sequence
from typing import Any

import dagster as dg

from assets.checks import table_check_specs
from assets.progress import Progress
from assets.publish import publish
from assets.resources import EdgarResource, LakeResource
from edgar.identity import FilingIdentity, SubmissionMeta
from edgar.inventory import (
    InventoryEntry,
    MirrorFile,
    group_identity,
    group_of,
    inspect,
    list_mirror_files,
    unplaced_reason,
)
from edgar.source import OfflineSource
from lake.delta import read_table, table_version
from lake.storage import Lake
from lake.tables import EDGAR_INVENTORY, SEC_SUBMISSIONS

_IDENTITY_FIELDS = tuple(f for f in FilingIdentity.__struct_fields__ if f not in ("entity_name", "warnings"))


def submission_metas(lake: Lake) -> list[SubmissionMeta]:
    """The SEC filing metadata of ``sec_submissions``, as :class:`SubmissionMeta` for identity matching."""
    table = read_table(lake, SEC_SUBMISSIONS)
    return [
        SubmissionMeta(
            accession=r["accession"],
            cik=r["cik"],
            form=r["form"],
            filing_date=r["filing_date"],
            report_date=r["report_date"],
            acceptance_utc=r["acceptance_utc"],
            acceptance_basis=r["acceptance_basis"],
            acceptance_ambiguous=bool(r["acceptance_ambiguous"]),
            primary_document=r["primary_document"],
        )
        for r in table.to_pylist()
    ]


def entry_row(entry: InventoryEntry, metadata_version: int | None) -> dict[str, Any]:
    """One ``edgar_inventory`` row."""
    ident = entry.identity
    row: dict[str, Any] = {
        "source_path": entry.path,
        "size": entry.size,
        "mtime_ns": entry.mtime_ns,
        "sha256": entry.sha256,
        "kind": entry.kind,
        "group": entry.group,
        "entity_name": ident.entity_name if ident else None,
        "warnings": list(ident.warnings) if ident else [],
        "error": entry.error,
        "metadata_version": metadata_version,
    }
    for name in _IDENTITY_FIELDS:
        row[name] = getattr(ident, name) if ident else None
    return row


def row_entry(row: dict[str, Any]) -> InventoryEntry:
    """Rebuild an :class:`InventoryEntry` from its ``edgar_inventory`` row."""
    identity = None
    if row["metadata_source"] is not None:
        fields = {name: row[name] for name in _IDENTITY_FIELDS}
        identity = FilingIdentity(
            **fields, entity_name=row["entity_name"], warnings=tuple(row["warnings"] or ())
        )
    return InventoryEntry(
        path=row["source_path"],
        size=row["size"],
        mtime_ns=row["mtime_ns"],
        sha256=row["sha256"],
        kind=row["kind"],
        group=row["group"],
        identity=identity,
        error=row["error"],
    )


def read_inventory(lake: Lake) -> dict[str, list[InventoryEntry]]:
    """The stored inventory, grouped by filing group."""
    groups: dict[str, list[InventoryEntry]] = defaultdict(list)
    for row in read_table(lake, EDGAR_INVENTORY).to_pylist():
        entry = row_entry(row)
        groups[entry.group].append(entry)
    return groups


def _reusable(row: dict[str, Any] | None, file: MirrorFile, group: str, version: int | None) -> bool:
    return (
        row is not None
        and row["size"] == file.size
        and row["mtime_ns"] == file.mtime_ns
        and row["group"] == group
        and row["metadata_version"] == version
    )


def build_inventory(
    source: OfflineSource, lake: Lake, log: Any, files: Sequence[MirrorFile] | None = None
) -> tuple[list[dict[str, Any]], int]:
    """Inventory rows for every mirror file; unchanged files (size, mtime, metadata version) are not re-read.

    Returns the rows and how many files were (re)inspected.
    """
    files = list(files if files is not None else list_mirror_files(source.root))
    version = table_version(lake, SEC_SUBMISSIONS)
    previous = {r["source_path"]: r for r in read_table(lake, EDGAR_INVENTORY).to_pylist()}
    paths = [f.path for f in files]
    metas: list[SubmissionMeta] | None = None
    rows, inspected = [], 0
    progress = Progress("mirror files", len(files), log)
    for file in files:
        group = group_of(file.path, paths)
        old = previous.get(file.path)
        if old is not None and _reusable(old, file, group, version):
            rows.append(old)
            progress.step()
            continue
        if metas is None:
            metas = submission_metas(lake)
        entry, data = inspect(source.root, file, group, metas)
        rows.append(entry_row(entry, version))
        inspected += 1
        progress.step(nbytes=len(data))
    return place_groups(rows), inspected


def place_groups(rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Set each row's ``group_quarter`` (its filing group's quarter) or ``unplaced_reason``."""
    groups: dict[str, list[InventoryEntry]] = defaultdict(list)
    for row in rows:
        groups[row["group"]].append(row_entry(row))
    placed: dict[str, tuple[str | None, str | None]] = {}
    for group, entries in groups.items():
        identity = group_identity(entries)
        if identity is not None and identity.filing_quarter is not None:
            placed[group] = (identity.filing_quarter, None)
        else:
            placed[group] = (None, unplaced_reason(entries))
    return [
        {**row, "group_quarter": placed[row["group"]][0], "unplaced_reason": placed[row["group"]][1]}
        for row in rows
    ]


@dg.asset(
    name="edgar_inventory",
    group_name="edgar",
    kinds={"delta", "python"},
    code_version="1",
    deps=["sec_submissions"],
    check_specs=table_check_specs(EDGAR_INVENTORY),
)
def edgar_inventory(
    context: dg.AssetExecutionContext, edgar: EdgarResource, lake: LakeResource
) -> dg.MaterializeResult:
    """Every filing file of the offline mirror with its kind, sha256, filing group and the identity it states.

    Identity comes from the document (dei facts, SGML header, ownership/13F cover), completed with SEC
    metadata from ``sec_submissions`` when CIK, form and period match one filing. Files whose size, mtime and
    the metadata's table version are unchanged are not read again. Live mode has no mirror: the table is
    empty and discovery uses the daily indexes.
    """
    source = edgar.open()
    store = lake.lake()
    rows: list[dict[str, Any]] = []
    inspected = 0
    if isinstance(source, OfflineSource):
        rows, inspected = build_inventory(source, store, context.log.info)
    unplaced = sorted({f"{r['group']}: {r['unplaced_reason']}" for r in rows if r["unplaced_reason"]})
    errors = [f"{r['source_path']}: {r['error']}" for r in rows if r["error"]]
    return publish(
        store,
        EDGAR_INVENTORY,
        rows,
        files_inspected=inspected,
        files_reused=len(rows) - inspected,
        errors="\n".join(errors) or "none",
        unplaced_groups="\n".join(unplaced) or "none",
    )
