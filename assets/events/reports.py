"""10-K and 10-Q filings of every filing quarter -> ``report_items`` (item sections) and ``report_item_filings``."""

from collections.abc import Iterable
from typing import Any

import dagster as dg
import msgspec

from assets.checks import table_check_specs
from assets.inputs import quarter_filings
from assets.partitions import context_quarters, filing_quarters
from assets.progress import Progress
from assets.publish import publish, table_asset
from assets.resources import LakeResource
from edgar.sections import Sections, parse_sections
from lake.items import REPORT_FORMS, item_name
from lake.storage import Lake
from lake.tables import FILING_QUARTER, REPORT_ITEM_FILINGS, REPORT_ITEMS

_HTML_KINDS = ("html", "inline-xbrl")
_TABLES = (REPORT_ITEMS, REPORT_ITEM_FILINGS)
_DEPS = ["filings", "raw_documents"]
_STAMP = ("filing_id", "accession", "cik", "form", "filing_date", "acceptance_utc", "period_of_report",
          "fiscal_year", "fiscal_period")  # fmt: skip


def report_document(filing: dict[str, Any], docs: list[dict[str, Any]]) -> dict[str, Any] | None:
    """The stored HTML document that is the report itself.

    The filing's primary document, else its first HTML / inline XBRL document that is not an exhibit (the
    documents of a full submission included).
    """
    html = [
        d for d in docs if d["kind"] in _HTML_KINDS and not (d["doc_type"] or "").upper().startswith("EX-")
    ]
    ordered = sorted(
        html,
        key=lambda d: (
            d["name"] != filing["primary_document"],
            (d["doc_type"] or "").upper() not in REPORT_FORMS,
            d["name"],
        ),
    )
    return ordered[0] if ordered else None


class Read(msgspec.Struct, frozen=True, kw_only=True):
    """One report as read: the document read (None when none is stored), its sections, status and error."""

    document: str | None
    sections: Sections | None
    status: str
    error: str | None


def read_report(store: Lake, filing: dict[str, Any], docs: list[dict[str, Any]]) -> Read:
    """Parse the item sections of one 10-K / 10-Q; whatever goes wrong is this filing's status, never a stop."""
    doc = report_document(filing, docs)
    if doc is None:
        kinds = sorted({d["kind"] for d in docs})
        found = f"among the {len(docs)} stored: {', '.join(kinds)}" if docs else "no document stored"
        return Read(document=None, sections=None, status="no-document", error=f"no HTML document ({found})")
    try:
        sections = parse_sections(doc["name"], store.get_object(doc["object_key"]), filing["form"])
    except Exception as exc:  # one unreadable document is this filing's error, not the run's
        return Read(document=doc["name"], sections=None, status="error", error=f"{type(exc).__name__}: {exc}")
    if not sections.sections:
        return Read(document=doc["name"], sections=sections, status="empty", error=sections.reason)
    return Read(document=doc["name"], sections=sections, status="ok", error=None)


def filing_rows(filing: dict[str, Any], read: Read) -> tuple[list[dict[str, Any]], dict[str, Any]]:
    """The ``report_items`` rows of one report and its ``report_item_filings`` row."""
    stamp = {k: filing[k] for k in _STAMP}
    quarter = {FILING_QUARTER: filing[FILING_QUARTER]}
    items: dict[str, dict[str, Any]] = {}
    for ordinal, s in enumerate(read.sections.sections if read.sections else [], start=1):
        name = item_name(filing["form"], s.part, s.item)
        items.setdefault(
            name,
            {
                **stamp,
                "document": read.document,
                "name": name,
                "part": s.part,
                "item": s.item,
                "title": s.title,
                "text": s.text,
                "ordinal": ordinal,
                **quarter,
            },
        )
    status = {
        **stamp,
        "document": read.document,
        "items": len(items) if read.sections else None,
        "toc_entries": read.sections.toc_entries if read.sections else None,
        "status": read.status,
        "error": read.error,
        **quarter,
    }
    return list(items.values()), status


@dg.multi_asset(
    specs=[table_asset(spec, group="events", deps=_DEPS) for spec in _TABLES],
    check_specs=[check for spec in _TABLES for check in table_check_specs(spec)],
    partitions_def=filing_quarters,
    backfill_policy=dg.BackfillPolicy.single_run(),
)
def report_items(context: dg.AssetExecutionContext, lake: LakeResource) -> Iterable[Any]:
    """Item sections (Item 1A Risk Factors, Part I Item 2 MD&A...) of every 10-K and 10-Q of the run's quarters.

    Each report's primary HTML or inline XBRL document is read with ``edgar.sections.parse_sections`` (the table
    of contents skipped); each section is named as FinancialDatasets names items (``lake.items``). Every report
    gets a ``report_item_filings`` row: ``ok``, ``empty`` (no item heading, with the reason), ``error`` (the
    document could not be read, with the error) or ``no-document`` (only XBRL stored); one bad document never
    stops the others.
    """
    quarters = context_quarters(context)
    store = lake.lake()
    filings, docs = quarter_filings(store, quarters)
    wanted = [f for f in filings if (f["form"] or "").upper() in REPORT_FORMS]
    items: list[dict[str, Any]] = []
    statuses: list[dict[str, Any]] = []
    progress = Progress("10-K/10-Q reports", len(wanted), context.log.info)
    for filing in sorted(wanted, key=lambda f: f["filing_id"]):
        read = read_report(store, filing, docs.get(filing["filing_id"], []))
        if read.status == "error":
            context.log.warning(f"{filing['form']} {filing['filing_id']}: {read.error}")
        rows, status = filing_rows(filing, read)
        items.extend(rows)
        statuses.append(status)
        progress.step()
    counts: dict[str, int] = {}
    for s in statuses:
        counts[s["status"]] = counts.get(s["status"], 0) + 1
    summary = ", ".join(f"{k} {v}" for k, v in sorted(counts.items())) or "none"
    errors = (
        "\n".join(f"{s['filing_id']}: {s['error']}" for s in statuses if s["status"] == "error") or "none"
    )
    yield publish(
        store,
        REPORT_ITEMS,
        items,
        quarters=quarters,
        reports=len(wanted),
        statuses=summary,
        **progress.metadata(),
    )
    yield publish(store, REPORT_ITEM_FILINGS, statuses, quarters=quarters, statuses=summary, errors=errors)
