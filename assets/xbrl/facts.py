"""XBRL facts of every filing -> ``facts``, ``fact_footnotes`` and ``xbrl_filings`` (per filing quarter).

Facts are read from the documents stored in the lake (``raw_documents``), not from the source: the lake is the
record. Each filing's XBRL document is parsed once; a filing whose document (sha256) and parser version are
unchanged keeps its rows without being read or rewritten. Parsed filings go to Arrow columns and are committed
in batches of ``EDGAR_COMMIT_FILINGS`` filings / ``EDGAR_COMMIT_MB`` MB (:mod:`assets.xbrl.factwriter`), each
commit touching only its filings' rows, so memory is bounded by one batch, not by the quarter.
"""

__all__ = ["extract_filing", "fact_key", "fact_rows", "footnote_rows", "pick_document", "xbrl_facts"]

from collections.abc import Iterable
from typing import Any

import dagster as dg
import pyarrow as pa
import pyarrow.compute as pc

from assets.checks import table_check_specs
from assets.inputs import quarter_filings
from assets.partitions import context_quarters, filing_quarters
from assets.progress import Progress
from assets.publish import report, table_asset
from assets.resources import EdgarResource, LakeResource
from assets.xbrl.factrows import STAMP, fact_key, fact_rows, fact_table, footnote_rows, footnote_table
from assets.xbrl.factwriter import FactWriter
from edgar import urls
from edgar.errors import DocumentNotFound, EdgarError
from edgar.source import EdgarSource
from edgar.xbrl import parse_facts
from edgar.xbrl.crosscheck import compare_companyfacts
from lake.delta import read_table
from lake.storage import Lake
from lake.tables import FACT_FOOTNOTES, FACTS, FILING_QUARTER, XBRL_FILINGS

#: Bump when the fact parsers change what they extract: every filing is then parsed again.
PARSER_VERSION = "2"
_XBRL_KINDS = ("xbrl-instance", "inline-xbrl")
_PERIODIC = ("10-K", "10-Q", "10-K/A", "10-Q/A", "10-KT", "20-F", "40-F")


def xbrl_documents(docs: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """A filing's XBRL documents in the order to try them: instances (``*_htm.xml`` first), then inline XBRL."""
    candidates = [d for d in docs if d["kind"] in _XBRL_KINDS]
    return sorted(
        candidates,
        key=lambda d: (d["kind"] != "xbrl-instance", not d["name"].endswith("_htm.xml"), d["name"]),
    )


def pick_document(docs: list[dict[str, Any]]) -> dict[str, Any] | None:
    """The first XBRL document to read for a filing (see :func:`xbrl_documents`), or None."""
    ordered = xbrl_documents(docs)
    return ordered[0] if ordered else None


def parse_fingerprint(docs: list[dict[str, Any]]) -> str:
    """What a filing's extraction depends on: the parser version and the hashes of its XBRL documents."""
    return f"v{PARSER_VERSION}:" + ",".join(d["sha256"] for d in xbrl_documents(docs))


class _CompanyFacts:
    """The SEC's companyfacts JSON per CIK, fetched at most once per run (None when the source has none)."""

    def __init__(self, source: EdgarSource) -> None:
        self.source = source
        self.cache: dict[int, bytes | None] = {}

    def get(self, cik: int) -> bytes | None:
        if cik not in self.cache:
            try:
                self.cache[cik] = self.source.get(urls.companyfacts_path(cik))
            except (DocumentNotFound, EdgarError):
                self.cache[cik] = None
        return self.cache[cik]


def extract_filing(
    store: Lake, filing: dict[str, Any], docs: list[dict[str, Any]], companyfacts: _CompanyFacts
) -> tuple[dict[str, Any], pa.Table, pa.Table]:
    """Parse one filing's XBRL document: its ``xbrl_filings`` status row, ``facts`` and ``fact_footnotes`` rows."""
    doc = pick_document(docs)
    stamp = {k: filing[k] for k in STAMP}
    status: dict[str, Any] = {
        **stamp,
        "document": doc["name"] if doc else None,
        "document_kind": doc["kind"] if doc else None,
        "facts": 0,
        "status": "no-xbrl",
        "error": None,
        "warnings": [],
        "sec_compared": None,
        "sec_equal": None,
        "fingerprint": parse_fingerprint(docs),
        FILING_QUARTER: filing[FILING_QUARTER],
    }
    if doc is None:
        status["error"] = "the filing has no XBRL instance or inline XBRL document"
        return status, FACTS.schema.empty_table(), FACT_FOOTNOTES.schema.empty_table()
    failures: list[str] = []
    parsed = None
    for candidate in xbrl_documents(docs):
        try:
            parsed = parse_facts(candidate["name"], store.get_object(candidate["object_key"]))
        except EdgarError as exc:
            failures.append(str(exc))
            continue
        doc = candidate
        break
    if parsed is None:
        failed = {**status, "status": "error", "error": "; ".join(failures)}
        return failed, FACTS.schema.empty_table(), FACT_FOOTNOTES.schema.empty_table()
    status.update(document=doc["name"], document_kind=doc["kind"])
    rows = fact_table(filing, doc["name"], parsed.facts)
    warnings = [f"skipped unreadable XBRL document: {f}" for f in failures] + list(parsed.warnings)
    status.update(facts=rows.num_rows, warnings=warnings, status="ok" if rows.num_rows else "empty")
    if not rows.num_rows:
        status["error"] = f"{doc['name']}: no XBRL facts found ({'; '.join(parsed.warnings) or 'no ix tags'})"
    reference = companyfacts.get(filing["cik"]) if filing["accession"] and filing["cik"] else None
    if reference is not None and rows.num_rows:
        agreement = compare_companyfacts(reference, filing["accession"], parsed.facts)
        if agreement.compared:
            status.update(sec_compared=agreement.compared, sec_equal=agreement.equal)
    return status, rows, footnote_table(filing, parsed)


@dg.multi_asset(
    specs=[
        table_asset(FACTS, group="xbrl", code_version=PARSER_VERSION, deps=["raw_documents", "filings"]),
        table_asset(
            FACT_FOOTNOTES, group="xbrl", code_version=PARSER_VERSION, deps=["raw_documents", "filings"]
        ),
        table_asset(
            XBRL_FILINGS, group="xbrl", code_version=PARSER_VERSION, deps=["raw_documents", "filings"]
        ),
    ],
    check_specs=[
        *table_check_specs(FACTS),
        *table_check_specs(FACT_FOOTNOTES),
        *table_check_specs(XBRL_FILINGS),
    ],
    partitions_def=filing_quarters,
    backfill_policy=dg.BackfillPolicy.single_run(),
)
def xbrl_facts(context: dg.AssetExecutionContext, edgar: EdgarResource, lake: LakeResource) -> Iterable[Any]:
    """Every XBRL fact of the run's filings, the footnotes attached to them, and one status row per filing.

    A malformed or truncated document, or an HTML file without inline XBRL, is an ``error``/``empty`` status
    row for that filing with the reason; the other filings are extracted; rows of other quarters are untouched.
    Where the SEC's companyfacts covers a filing, the agreement of our values with the SEC's is recorded.
    """
    quarters = context_quarters(context)
    store = lake.lake()
    settings = edgar.settings()
    in_quarters = pc.field(FILING_QUARTER).isin(quarters)
    filings, docs = quarter_filings(store, quarters)
    previous = {r["filing_id"]: r for r in read_table(store, XBRL_FILINGS, filters=in_quarters).to_pylist()}
    companyfacts = _CompanyFacts(edgar.open())
    statuses: list[dict[str, Any]] = []
    wanted = [f for f in filings if f["form"] in _PERIODIC or pick_document(docs.get(f["filing_id"], []))]
    writer = FactWriter(
        store,
        quarters,
        set(previous),
        every_filings=settings.edgar_commit_filings,
        every_bytes=int(settings.edgar_commit_mb * 1e6),
        log=context.log.info,
    )
    progress = Progress("xbrl filings", len(wanted), context.log.info)
    for filing in wanted:
        filing_docs = docs.get(filing["filing_id"], [])
        doc = pick_document(filing_docs)
        old = previous.get(filing["filing_id"])
        if (
            old is not None
            and old["fingerprint"] == parse_fingerprint(filing_docs)
            and old["status"] in ("ok", "empty", "no-xbrl")
        ):
            statuses.append(old)
            progress.step()
            continue
        status, rows, filing_notes = extract_filing(store, filing, filing_docs, companyfacts)
        if status["status"] != "ok":
            context.log.warning(f"{filing['filing_id']}: {status['status']}: {status['error']}")
        statuses.append(status)
        if status != old or rows.num_rows or filing_notes.num_rows:
            writer.add(status, rows, filing_notes)
        progress.step(nbytes=doc["size"] if doc else 0)
    writer.finish({f["filing_id"] for f in wanted})
    compared = sum(s["sec_compared"] or 0 for s in statuses)
    equal = sum(s["sec_equal"] or 0 for s in statuses)
    problems = (
        "\n".join(f"{s['filing_id']}: {s['status']}: {s['error']}" for s in statuses if s["error"]) or "none"
    )
    for spec in (FACTS, FACT_FOOTNOTES, XBRL_FILINGS):
        yield report(
            store,
            spec,
            rows_written=writer.written[spec.name],
            unchanged=writer.commits[spec.name] == 0,
            quarters=quarters,
            filings=len(statuses),
            sec_facts_compared=compared,
            sec_facts_equal=equal,
            problems=problems,
            **progress.metadata(),
        )
