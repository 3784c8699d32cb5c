"""Filings and their documents, per filing quarter -> ``raw_documents`` and ``filings``.

Offline, filings are the mirror's file groups (see ``edgar_inventory``); live, they are the daily index's
filings of the configured forms, fetched as full SGML submissions. Every document is stored once,
content-addressed, under ``filings/{cik}/{filing_id}/{sha256}/{name}``. A filing that was stored before with
the same fingerprint (its source files' hashes, or its accession, and the pipeline version) is not read again.
Stored filings are committed in batches while the run goes on (``EDGAR_COMMIT_FILINGS``/``EDGAR_COMMIT_MB``,
see :mod:`assets.edgar.batches`): a killed run loses at most one batch, and its re-run fetches nothing committed.
"""

import hashlib
import time
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import PurePosixPath
from typing import Any

import dagster as dg
import pyarrow.compute as pc

from assets.checks import table_check_specs
from assets.edgar.batches import BatchCommitter, intact, stored_container
from assets.edgar.inventory import read_inventory
from assets.partitions import context_quarters, filing_quarters
from assets.progress import Progress
from assets.publish import publish, table_asset
from assets.resources import EdgarResource, LakeResource
from edgar import urls
from edgar.errors import EdgarError
from edgar.identity import FilingIdentity, identity_from_sgml, local_filing_id
from edgar.inventory import InventoryEntry, group_identity
from edgar.parse.detect import HEAD_BYTES, detect_kind
from edgar.parse.sgml import parse_sgml_submission
from edgar.source import EdgarSource, LiveSource, OfflineSource
from lake.delta import read_table
from lake.settings import Settings
from lake.storage import Lake
from lake.tables import EDGAR_INDEX, FILING_QUARTER, FILINGS, RAW_DOCUMENTS

#: Bump when what is stored for a filing changes: every filing is then re-read on the next run.
PIPELINE_VERSION = "1"
_RANK = {"sgml-header": 0, "submissions-json": 1, "document": 2}


@dataclass
class FilingPlan:
    """A filing to store: its identity and where its bytes come from (mirror files or an SEC path)."""

    identity: FilingIdentity
    entries: list[InventoryEntry] = field(default_factory=list)
    sec_path: str | None = None
    index_row: dict[str, Any] | None = None

    def fingerprint(self) -> str:
        """Hash of what the filing was built from: the pipeline version and its sources."""
        digest = hashlib.sha256(f"v{PIPELINE_VERSION}\n{self.sec_path or ''}\n".encode())
        for entry in sorted(self.entries, key=lambda e: e.path):
            digest.update(f"{entry.path}\0{entry.sha256}\n".encode())
        return digest.hexdigest()

    def filing_id(self) -> str:
        """The accession number, or a local id derived from the documents' names and hashes."""
        if self.identity.accession:
            return self.identity.accession
        return local_filing_id((PurePosixPath(e.path).name, e.sha256) for e in self.entries)


def offline_plans(groups: dict[str, list[InventoryEntry]]) -> tuple[list[FilingPlan], list[str]]:
    """Filings of the mirror: one per group, groups naming the same accession merged. Also the unplaced groups."""
    plans: dict[str, FilingPlan] = {}
    unplaced: list[str] = []
    for group, entries in sorted(groups.items()):
        identity = group_identity(entries)
        if identity is None or identity.filing_quarter is None:
            unplaced.append(group)
            continue
        key = identity.accession or group
        plan = plans.get(key)
        if plan is None:
            plans[key] = FilingPlan(identity=identity, entries=list(entries))
            continue
        plan.entries.extend(entries)
        if _RANK[identity.metadata_source] < _RANK[plan.identity.metadata_source]:
            plan.identity = identity
    return list(plans.values()), unplaced


def live_plans(
    index_rows: Sequence[dict[str, Any]], forms: Sequence[str], ciks: Sequence[int]
) -> list[FilingPlan]:
    """Filings of the daily index to fetch: the configured forms (and CIKs), one per accession."""
    wanted_forms, wanted_ciks = set(forms), set(ciks)
    plans: dict[str, FilingPlan] = {}
    for row in index_rows:
        if row["form"] not in wanted_forms or (wanted_ciks and row["cik"] not in wanted_ciks):
            continue
        if row["accession"] in plans:
            continue
        identity = FilingIdentity(
            accession=row["accession"],
            cik=row["cik"],
            entity_name=row["company"],
            form=row["form"],
            filing_date=row["date_filed"],
            metadata_source="edgar-index",
            filing_quarter=row[FILING_QUARTER],
            partition_basis="filing_date",
            warnings=("acceptance time unknown until the submission is read",),
        )
        path = urls.full_submission_path(row["cik"], row["accession"])
        plans[row["accession"]] = FilingPlan(identity=identity, sec_path=path, index_row=row)
    return list(plans.values())


def _doc_row(
    store: Lake,
    directory: str,
    filing_id: str,
    cik: int | None,
    quarter: str,
    name: str,
    data: bytes,
    **extra: Any,
) -> dict[str, Any]:
    stored = store.put_object(directory, name, data)
    return {
        "filing_id": filing_id,
        "name": name,
        "cik": cik,
        "sequence": extra.get("sequence"),
        "doc_type": extra.get("doc_type"),
        "description": extra.get("description"),
        "kind": detect_kind(name, data[:HEAD_BYTES]),
        "sha256": stored.sha256,
        "size": len(data),
        "object_key": stored.key,
        "container": extra.get("container"),
        "source": extra.get("source"),
        FILING_QUARTER: quarter,
    }


def _sgml_documents(data: bytes, name: str) -> Iterable[tuple[str, bytes, dict[str, Any]]]:
    sub = parse_sgml_submission(data, name)
    for i, doc in enumerate(sub.documents, start=1):
        body = doc.decoded if doc.uuencoded and doc.decoded is not None else doc.body
        doc_name = doc.filename or f"{doc.sequence or i}-{doc.type}.txt"
        yield (
            doc_name,
            body,
            {
                "sequence": doc.sequence,
                "doc_type": doc.type,
                "description": doc.description,
                "container": name,
            },
        )


def store_filing(
    store: Lake, plan: FilingPlan, read: Any
) -> tuple[FilingIdentity, list[dict[str, Any]], list[str], int]:
    """Store every document of one filing; return its (final) identity, document rows, errors and bytes read.

    ``read(path) -> bytes`` reads a mirror file or fetches an SEC path. An unreadable or unparsable document
    is an error of this filing only; the documents that could be stored are kept.
    """
    identity = plan.identity
    filing_id = plan.filing_id()
    quarter = identity.filing_quarter or ""
    rows: list[dict[str, Any]] = []
    errors: list[str] = [f"{e.path}: {e.error}" for e in plan.entries if e.error]
    nbytes = 0
    sources_: list[tuple[str, str]] = [(e.path, e.kind) for e in plan.entries]
    if plan.sec_path:
        sources_ = [(plan.sec_path, "sgml-submission")]
    directory = f"filings/{identity.cik if identity.cik is not None else 'unknown'}/{filing_id}"
    for path, kind in sources_:
        name = PurePosixPath(path).name
        try:
            data = read(path)
        except EdgarError as exc:
            errors.append(f"{path}: {exc}")
            continue
        nbytes += len(data)
        rows.append(_doc_row(store, directory, filing_id, identity.cik, quarter, name, data, source=path))
        if kind != "sgml-submission":
            continue
        try:
            if plan.sec_path:
                identity = identity_from_sgml(parse_sgml_submission(data, name))
            for doc_name, body, extra in _sgml_documents(data, name):
                rows.append(
                    _doc_row(
                        store,
                        directory,
                        filing_id,
                        identity.cik,
                        quarter,
                        doc_name,
                        body,
                        source=path,
                        **extra,
                    )
                )
        except EdgarError as exc:
            errors.append(str(exc))
    unique = {r["name"]: r for r in rows}
    return identity, list(unique.values()), errors, nbytes


def filing_row(
    plan: FilingPlan, identity: FilingIdentity, docs: list[dict[str, Any]], errors: list[str]
) -> dict[str, Any]:
    """The ``filings`` row of a stored filing."""
    return {
        "filing_id": plan.filing_id(),
        "accession": identity.accession,
        "cik": identity.cik,
        "company_name": identity.entity_name,
        "form": identity.form,
        "period_of_report": identity.period_of_report,
        "fiscal_year": identity.fiscal_year,
        "fiscal_period": identity.fiscal_period,
        "filing_date": identity.filing_date,
        "acceptance_utc": identity.acceptance_utc,
        "acceptance_basis": identity.acceptance_basis,
        "acceptance_flag": identity.acceptance_flag,
        "metadata_source": identity.metadata_source,
        "partition_basis": identity.partition_basis,
        "primary_document": identity.primary_document,
        "document_count": len(docs),
        "total_bytes": sum(d["size"] for d in docs),
        "source": plan.sec_path or ", ".join(sorted({e.group for e in plan.entries})),
        "fingerprint": plan.fingerprint(),
        "status": "error" if errors and not docs else "partial" if errors else "ok",
        "errors": errors,
        "warnings": list(identity.warnings),
        FILING_QUARTER: plan.identity.filing_quarter,
    }


def _previous(
    store: Lake, quarters: list[str]
) -> tuple[dict[str, dict[str, Any]], dict[str, list[dict[str, Any]]]]:
    flt = pc.field(FILING_QUARTER).isin(quarters)
    filings = {r["filing_id"]: r for r in read_table(store, FILINGS, filters=flt).to_pylist()}
    docs: dict[str, list[dict[str, Any]]] = {}
    for row in read_table(store, RAW_DOCUMENTS, filters=flt).to_pylist():
        docs.setdefault(row["filing_id"], []).append(row)
    return filings, docs


def _prefetched(path: str, fetched: tuple[str, bytes | Exception]) -> Any:
    """A ``read`` for :func:`store_filing` that returns (or raises) what was fetched for ``path``."""
    got_path, result = fetched
    assert got_path == path, (got_path, path)

    def read(wanted: str) -> bytes:
        assert wanted == path, (wanted, path)
        if isinstance(result, Exception):
            raise result
        return result

    return read


def _lake_reader(store: Lake, path: str, key: str) -> Any:
    """A ``read`` for :func:`store_filing` that returns the stored object ``key`` for ``path``."""

    def read(wanted: str) -> bytes:
        assert wanted == path, (wanted, path)
        return store.get_object(key)

    return read


def collect(
    source: EdgarSource, store: Lake, settings: Settings, quarters: list[str], log: Any
) -> tuple[list[dict[str, Any]], list[dict[str, Any]], dict[str, Any]]:
    """Filings and document rows of ``quarters``, storing new documents; plus run statistics.

    New filings are committed in batches as they are stored (see :mod:`assets.edgar.batches`). A filing is
    reused as stored when its ``filings`` row is ``ok`` with the same fingerprint and all its documents are
    present; a live filing whose full submission is stored intact (a run that stopped between its two
    commits) is rebuilt from the stored submission; only the others are read from the source.
    """
    wanted = set(quarters)
    unplaced: list[str] = []
    if isinstance(source, OfflineSource):
        plans, unplaced = offline_plans(read_inventory(store))
        root = source.root

        def read(path: str) -> bytes:
            return (root / path).read_bytes()

    else:
        index = read_table(store, EDGAR_INDEX, filters=pc.field(FILING_QUARTER).isin(quarters)).to_pylist()
        plans = live_plans(index, settings.edgar_forms, settings.edgar_ciks)
        read = source.get
    plans = [p for p in plans if p.identity.filing_quarter in wanted]
    old_filings, old_docs = _previous(store, quarters)
    filings, documents = [], []
    stats: dict[str, Any] = {
        "filings": len(plans),
        "reused": 0,
        "stored": 0,
        "recovered": 0,
        "errors": 0,
        "bytes_read": 0,
        "unplaced_groups": unplaced,
    }
    progress = Progress("filings", len(plans), log)
    committer = BatchCommitter(
        store,
        every_filings=settings.edgar_commit_filings,
        every_bytes=int(settings.edgar_commit_mb * 1e6),
        known=set(old_filings) | set(old_docs),
        total=len(plans),
        log=log,
    )

    def reusable(plan: FilingPlan) -> dict[str, Any] | None:
        old = old_filings.get(plan.filing_id())
        docs = old_docs.get(plan.filing_id(), [])
        ok = (
            old is not None
            and old["fingerprint"] == plan.fingerprint()
            and old["status"] == "ok"
            and old["document_count"] == len(docs)
            and intact(store, docs)
        )
        return old if ok else None

    reuse = {p.filing_id(): old for p in plans if (old := reusable(p)) is not None}
    recover = {
        p.filing_id(): key
        for p in plans
        if p.sec_path
        and p.filing_id() not in reuse
        and (key := stored_container(store, p.sec_path, old_docs.get(p.filing_id(), [])))
    }
    # live: the submissions to fetch, several in flight at once, in plan order, parsed as they arrive
    fetched = (
        source.get_many([p.sec_path for p in plans if p.sec_path and p.filing_id() not in {*reuse, *recover}])
        if isinstance(source, LiveSource)
        else None
    )
    for plan in plans:
        old = reuse.get(plan.filing_id())
        if old is not None:
            filings.append(old)
            documents.extend(old_docs.get(old["filing_id"], []))
            stats["reused"] += 1
            committer.skip()
            progress.step()
            continue
        from_source = plan.filing_id() not in recover
        if plan.sec_path and not from_source:
            read = _lake_reader(store, plan.sec_path, recover[plan.filing_id()])
            stats["recovered"] += 1
        elif fetched is not None and plan.sec_path:
            read = _prefetched(plan.sec_path, next(fetched))
        identity, docs, errors, nbytes = store_filing(store, plan, read)
        row = filing_row(plan, identity, docs, errors)
        filings.append(row)
        documents.extend(docs)
        committer.add(row, docs, nbytes, fetched=from_source)
        stats["stored"] += 1
        stats["errors"] += bool(errors)
        stats["bytes_read"] += nbytes
        progress.step(nbytes=nbytes, requests=int(from_source and plan.sec_path is not None))
    committer.flush()
    stats["fetched"], stats["batches"] = committer.fetched, committer.batches
    stats["progress"] = progress.metadata()
    return filings, documents, stats


@dg.multi_asset(
    specs=[
        table_asset(
            RAW_DOCUMENTS,
            group="edgar",
            code_version=PIPELINE_VERSION,
            deps=["edgar_inventory", "edgar_index"],
        ),
        table_asset(
            FILINGS,
            group="edgar",
            code_version=PIPELINE_VERSION,
            deps=["edgar_inventory", "edgar_index", "sec_submissions", "raw_documents"],
        ),
    ],
    check_specs=[*table_check_specs(RAW_DOCUMENTS), *table_check_specs(FILINGS)],
    partitions_def=filing_quarters,
    backfill_policy=dg.BackfillPolicy.single_run(),
)
def filing_documents(
    context: dg.AssetExecutionContext, edgar: EdgarResource, lake: LakeResource
) -> Iterable[Any]:
    """Store each filing of the run's quarters with all its documents, and one status row per filing.

    A document that cannot be read or parsed marks its filing ``partial``/``error`` with the reason; the
    other filings of the run are stored; nothing stored before is deleted from the object store.
    """
    quarters = context_quarters(context)
    source = edgar.open()
    store = lake.lake()
    started = time.monotonic()
    filings, documents, stats = collect(source, store, edgar.settings(), quarters, context.log.info)
    seconds = max(time.monotonic() - started, 1e-9)
    failed = [f"{f['filing_id']}: {'; '.join(f['errors'])}" for f in filings if f["errors"]]
    for spec, rows in ((RAW_DOCUMENTS, documents), (FILINGS, filings)):
        yield publish(
            store,
            spec,
            rows,
            quarters=quarters,
            filings_stored=stats["stored"],
            filings_reused=stats["reused"],
            filings_fetched=stats["fetched"],
            filings_rebuilt_from_lake=stats["recovered"],
            commit_batches=stats["batches"],
            bytes_read=stats["bytes_read"],
            mb_per_s=round(stats["bytes_read"] / 1e6 / seconds, 2),
            requests_per_s=round(stats["fetched"] / seconds, 2),
            filing_errors="\n".join(failed) or "none",
            **stats["progress"],
            unplaced_mirror_groups="\n".join(stats["unplaced_groups"]) or "none",
        )
