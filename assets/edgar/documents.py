"""Filings and their documents, per filing quarter -> ``raw_documents`` and ``filings``.

Offline, filings are the mirror's file groups (see ``edgar_inventory``); live, they are the discovered filings
(``edgar_index``) that an ingestion scope wants (see :mod:`assets.edgar.plans`), fetched document by document
or as full SGML submissions (``EDGAR_FETCH``, see :mod:`assets.edgar.fetch`); a stored filing no scope wants any
more is kept as it is (only ``assets.edgar.prune`` deletes). Every document is stored once, content-addressed, under ``filings/{cik}/{filing_id}/{sha256}/{name}``. A filing that was stored before with
the same fingerprint (its source files' hashes, or its accession, and the pipeline version) is not read again.
Stored filings are committed in batches while the run goes on (``EDGAR_COMMIT_FILINGS``/``EDGAR_COMMIT_MB``,
see :mod:`assets.edgar.batches`): a killed run loses at most one batch, and its re-run fetches nothing committed.
"""

import time
from collections.abc import Iterable
from typing import Any

import dagster as dg
import pyarrow.compute as pc

from assets.checks import table_check_specs
from assets.edgar.batches import BatchCommitter, filing_directory, intact, stored_container
from assets.edgar.fetch import fetch_documents, fetch_mode, lake_reader, prefetched, store_filing
from assets.edgar.inventory import read_inventory
from assets.edgar.plans import PIPELINE_VERSION, FilingPlan, live_plans, offline_plans, resolve_scopes
from assets.partitions import context_quarters, filing_quarters
from assets.progress import Progress
from assets.publish import publish, table_asset
from assets.resources import EdgarResource, LakeResource
from edgar import urls
from edgar.identity import FilingIdentity
from edgar.source import EdgarSource, LiveSource, OfflineSource
from lake.delta import read_table
from lake.scopes import load_scopes
from lake.settings import Settings
from lake.storage import Lake
from lake.tables import EDGAR_INDEX, FILING_QUARTER, FILINGS, RAW_DOCUMENTS


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
        "source": (
            urls.index_headers_path(plan.identity.cik or 0, plan.identity.accession or "")
            if plan.fetch == "documents"
            else plan.sec_path
        )
        or ", ".join(sorted({e.group for e in plan.entries})),
        "fingerprint": plan.fingerprint(),
        "status": "error" if errors and not docs else "partial" if errors else "ok",
        "errors": errors,
        "warnings": list(identity.warnings),
        FILING_QUARTER: plan.identity.filing_quarter,
        "scopes": list(plan.scopes) or None,
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


def carry_over(
    old_filings: dict[str, dict[str, Any]], old_docs: dict[str, list[dict[str, Any]]], planned: set[str]
) -> list[dict[str, Any]]:
    """The stored ``filings`` rows of the run's quarters that no plan covers, kept as they are (never fetched)."""
    return [row for fid, row in sorted(old_filings.items()) if fid not in planned]


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
        plans = live_plans(index, resolve_scopes(load_scopes(settings), source))
        read = source.get
        for plan in plans:
            plan.fetch = fetch_mode(settings.edgar_fetch, plan.identity.form, settings.edgar_fetch_full_forms)
    plans = [p for p in plans if p.identity.filing_quarter in wanted]
    old_filings, old_docs = _previous(store, quarters)
    filings, documents = [], []
    stats: dict[str, Any] = {
        "filings": len(plans),
        "reused": 0,
        "stored": 0,
        "recovered": 0,
        "errors": 0,
        "carried_over": 0,
        "bytes_read": 0,
        "requests": 0,
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
            and plan.accepts(old["fingerprint"])
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
        and p.fetch == "full"
        and p.filing_id() not in reuse
        and (
            key := stored_container(
                store,
                p.sec_path,
                old_docs.get(p.filing_id(), []),
                filing_directory(p.identity.cik, p.filing_id()),
            )
        )
    }
    # live: the submissions to fetch, several in flight at once, in plan order, parsed as they arrive
    fetched = (
        source.get_many(
            [
                p.sec_path
                for p in plans
                if p.sec_path and p.fetch == "full" and p.filing_id() not in {*reuse, *recover}
            ]
        )
        if isinstance(source, LiveSource)
        else None
    )
    # live, EDGAR_FETCH=documents: per filing its index-headers page, then only the documents parsed
    selective = (
        fetch_documents(
            source,
            store,
            [p for p in plans if p.fetch == "documents" and p.filing_id() not in reuse],
            old_docs,
        )
        if isinstance(source, LiveSource)
        else None
    )
    for plan in plans:
        old = reuse.get(plan.filing_id())
        if old is not None:
            filings.append({**old, "scopes": list(plan.scopes) or None})
            documents.extend(old_docs.get(old["filing_id"], []))
            stats["reused"] += 1
            committer.skip()
            progress.step()
            continue
        if selective is not None and plan.fetch == "documents":
            got = next(selective)
            identity, docs, errors, nbytes = got.identity, got.rows, got.errors, got.nbytes
            from_source, requests = got.requests > 0, got.requests
        else:
            from_source = plan.filing_id() not in recover
            if plan.sec_path and not from_source:
                read = lake_reader(store, plan.sec_path, recover[plan.filing_id()])
            elif fetched is not None and plan.sec_path:
                read = prefetched(plan.sec_path, next(fetched))
            identity, docs, errors, nbytes = store_filing(store, plan, read)
            requests = int(from_source and bool(plan.sec_path))
        stats["recovered"] += not from_source
        stats["requests"] += requests
        row = filing_row(plan, identity, docs, errors)
        filings.append(row)
        documents.extend(docs)
        committer.add(row, docs, nbytes, fetched=from_source)
        stats["stored"] += 1
        stats["errors"] += bool(errors)
        stats["bytes_read"] += nbytes
        progress.step(nbytes=nbytes, requests=int(from_source and plan.sec_path is not None))
    committer.flush()
    if not isinstance(source, OfflineSource):
        # a filing no scope plans any more (scope changed or removed) keeps its rows: only prune deletes
        carried = carry_over(old_filings, old_docs, {p.filing_id() for p in plans})
        filings.extend(carried)
        documents.extend(d for f in carried for d in old_docs.get(f["filing_id"], []))
        stats["carried_over"] = len(carried)
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
            filings_carried_over=stats["carried_over"],
            commit_batches=stats["batches"],
            bytes_read=stats["bytes_read"],
            mb_per_s=round(stats["bytes_read"] / 1e6 / seconds, 2),
            requests_per_s=round(stats["fetched"] / seconds, 2),
            filing_errors="\n".join(failed) or "none",
            **stats["progress"],
            unplaced_mirror_groups="\n".join(stats["unplaced_groups"]) or "none",
        )
