"""The filer's linkbases of every filing -> ``concept_labels`` and ``linkbase_arcs`` (per filing quarter).

Linkbases are read from the documents stored in the lake (``raw_documents`` of kind ``xbrl-linkbase``): labels
from ``*_lab.xml``, calculation arcs from ``*_cal.xml``, presentation arcs from ``*_pre.xml``; definition
linkbases (``*_def.xml``) are not read. Inline-only filings have no linkbase documents and so no rows.
"""

from collections.abc import Iterable
from typing import Any

import dagster as dg

from assets.checks import table_check_specs
from assets.inputs import quarter_filings
from assets.partitions import context_quarters, filing_quarters
from assets.progress import Progress
from assets.publish import publish, table_asset
from assets.resources import LakeResource
from edgar.errors import EdgarError
from edgar.xbrl.linkbase import parse_calculation, parse_labels, parse_presentation
from lake.storage import Lake
from lake.tables import CONCEPT_LABELS, FILING_QUARTER, LINKBASE_ARCS

#: Bump when what is extracted from linkbases changes.
PARSER_VERSION = "1"
_LINKBASE_KIND = "xbrl-linkbase"
#: file name suffix -> which linkbase it is (``_def.xml`` is not read)
_SUFFIXES = {"_lab.xml": "label", "_cal.xml": "calculation", "_pre.xml": "presentation"}
_STAMP = ("filing_id", "accession", "cik", "form", "filing_date", "acceptance_utc")


def linkbase_of(name: str) -> str | None:
    """``"aapl-20230930_cal.xml"`` -> ``"calculation"``; None for a definition linkbase or another name."""
    lower = name.lower()
    for suffix, linkbase in _SUFFIXES.items():
        if lower.endswith(suffix):
            return linkbase
    return None


def role_name(role_uri: str) -> str:
    """The short name of a label role: ``"http://www.xbrl.org/2003/role/terseLabel"`` -> ``"terseLabel"``."""
    return role_uri.rstrip("/").rpartition("/")[2] or role_uri


class FilingLinkbases:
    """The rows of one filing's linkbases, the duplicates dropped and the documents that failed to parse."""

    def __init__(self, filing: dict[str, Any]) -> None:
        self.stamp = {k: filing[k] for k in _STAMP}
        self.quarter = filing[FILING_QUARTER]
        self.labels: dict[tuple[str, str], dict[str, Any]] = {}
        self.arcs: dict[tuple[str, str, str, str], dict[str, Any]] = {}
        self.duplicate_labels = 0
        self.duplicate_arcs = 0
        self.errors: list[str] = []

    def add_labels(self, document: str, labels: dict[str, dict[str, str]]) -> None:
        """Add a label linkbase's labels, one per concept and short role name (the first one kept)."""
        for concept, by_role in labels.items():
            for role_uri, text in by_role.items():
                key = (concept, role_name(role_uri))
                if key in self.labels:
                    self.duplicate_labels += 1
                    continue
                self.labels[key] = {
                    **self.stamp,
                    "concept": concept,
                    "role": key[1],
                    "role_uri": role_uri,
                    "label": text,
                    "document": document,
                    FILING_QUARTER: self.quarter,
                }

    def add_arc(
        self,
        document: str,
        linkbase: str,
        role: str,
        parent: str,
        child: str,
        weight: float | None,
        order: float,
        preferred_label: str | None,
    ) -> None:
        """Add one arc unless an arc with the same key was already added (then count it)."""
        key = (linkbase, role, parent, child)
        if key in self.arcs:
            self.duplicate_arcs += 1
            return
        self.arcs[key] = {
            **self.stamp,
            "linkbase": linkbase,
            "role": role,
            "parent": parent,
            "child": child,
            "weight": weight,
            "order": order,
            "preferred_label": preferred_label,
            "document": document,
            FILING_QUARTER: self.quarter,
        }


def linkbase_documents(docs: list[dict[str, Any]]) -> list[tuple[str, dict[str, Any]]]:
    """A filing's label, calculation and presentation linkbases with their kind, by name."""
    found = [(linkbase_of(d["name"]), d) for d in docs if d["kind"] == _LINKBASE_KIND]
    return sorted(((lb, d) for lb, d in found if lb is not None), key=lambda item: item[1]["name"])


def extract_linkbases(store: Lake, filing: dict[str, Any], docs: list[dict[str, Any]]) -> FilingLinkbases:
    """Parse one filing's linkbases; a document that cannot be read is an error of the result, not raised."""
    out = FilingLinkbases(filing)
    for linkbase, doc in linkbase_documents(docs):
        name = doc["name"]
        try:
            data = store.get_object(doc["object_key"])
            # each document is parsed whole before any of its rows is added
            if linkbase == "label":
                out.add_labels(name, parse_labels(data, name))
            elif linkbase == "calculation":
                for c in parse_calculation(data, name):
                    out.add_arc(name, linkbase, c.role, c.parent, c.child, c.weight, c.order, None)
            else:
                for p in parse_presentation(data, name):
                    out.add_arc(name, linkbase, p.role, p.parent, p.child, None, p.order, p.preferred_label)
        except (EdgarError, FileNotFoundError) as exc:
            out.errors.append(f"{filing['filing_id']}: {name}: {exc}")
    return out


@dg.multi_asset(
    specs=[
        table_asset(
            CONCEPT_LABELS, group="xbrl", code_version=PARSER_VERSION, deps=["raw_documents", "filings"]
        ),
        table_asset(
            LINKBASE_ARCS, group="xbrl", code_version=PARSER_VERSION, deps=["raw_documents", "filings"]
        ),
    ],
    check_specs=[*table_check_specs(CONCEPT_LABELS), *table_check_specs(LINKBASE_ARCS)],
    partitions_def=filing_quarters,
    backfill_policy=dg.BackfillPolicy.single_run(),
)
def xbrl_linkbases(context: dg.AssetExecutionContext, lake: LakeResource) -> Iterable[Any]:
    """The filer's as-reported labels and its calculation and presentation hierarchy for the run's filings.

    A linkbase that cannot be parsed is logged as a warning and gives no rows (its error is in the report's
    metadata); the filing's other linkbases and the other filings are read; rows of other quarters are untouched.
    A second arc or label with the same key within a filing is dropped and counted.
    """
    quarters = context_quarters(context)
    store = lake.lake()
    filings, all_docs = quarter_filings(store, quarters)
    docs = {fid: [d for d in ds if d["kind"] == _LINKBASE_KIND] for fid, ds in all_docs.items()}
    wanted = [f for f in filings if linkbase_documents(docs.get(f["filing_id"], []))]
    progress = Progress("linkbase filings", len(wanted), context.log.info)
    labels: list[dict[str, Any]] = []
    arcs: list[dict[str, Any]] = []
    errors: list[str] = []
    duplicate_labels = duplicate_arcs = 0
    for filing in wanted:
        filing_docs = docs[filing["filing_id"]]
        result = extract_linkbases(store, filing, filing_docs)
        for error in result.errors:
            context.log.warning(f"unreadable linkbase skipped: {error}")
        errors.extend(result.errors)
        labels.extend(result.labels.values())
        arcs.extend(result.arcs.values())
        duplicate_labels += result.duplicate_labels
        duplicate_arcs += result.duplicate_arcs
        progress.step(nbytes=sum(d["size"] or 0 for _, d in linkbase_documents(filing_docs)))
    metadata = {
        "filings": len(wanted),
        "linkbase_errors": "\n".join(errors) or "none",
        "unreadable_linkbases": len(errors),
    }
    for spec, rows, duplicates in (
        (CONCEPT_LABELS, labels, duplicate_labels),
        (LINKBASE_ARCS, arcs, duplicate_arcs),
    ):
        yield publish(
            store,
            spec,
            rows,
            quarters=quarters,
            duplicates_dropped=duplicates,
            **metadata,
            **progress.metadata(),
        )
