"""Forms 3/4/5 of every filing quarter -> ``insider_trades`` (FinancialDatasets' InsiderTrade rows)."""

from datetime import date
from typing import Any

import dagster as dg

from assets.checks import table_check_specs
from assets.inputs import quarter_filings
from assets.partitions import context_quarters, filing_quarters
from assets.progress import Progress
from assets.publish import publish
from assets.resources import LakeResource
from edgar.errors import EdgarError
from edgar.ownership import InsiderTrade, parse_ownership
from edgar.ownership import insider_trades as trades_of
from lake.storage import Lake
from lake.tables import FILING_QUARTER, INSIDER_TRADES

OWNERSHIP_FORMS = ("3", "4", "5", "3/A", "4/A", "5/A")
#: ``filing_date_flag`` of rows whose filing date no source states (stand-alone XML, no SGML header, no feed match).
UNKNOWN_FILING_DATE = "unknown"


def ownership_document(docs: list[dict[str, Any]]) -> dict[str, Any] | None:
    """The document to read: the ownership XML (stand-alone or embedded), else the full submission."""
    xml = [d for d in docs if d["kind"] == "ownership-xml"]
    sgml = [d for d in docs if d["kind"] == "sgml-submission" and d["container"] is None]
    ordered = sorted(xml, key=lambda d: d["name"]) + sgml
    return ordered[0] if ordered else None


def trade_row(trade: InsiderTrade, filing: dict[str, Any]) -> dict[str, Any]:
    """One ``insider_trades`` row: the FD fields, typed, plus the filing's identity and acceptance time."""
    row = {f: getattr(trade, f) for f in InsiderTrade.__struct_fields__}
    for key in ("transaction_date", "filing_date"):
        row[key] = date.fromisoformat(row[key]) if row[key] else None
    return {
        **row,
        "filing_id": filing["filing_id"],
        "accession": filing["accession"],
        "issuer_cik": filing["cik"],
        "form": filing["form"],
        "acceptance_utc": filing["acceptance_utc"],
        "metadata_source": filing.get("metadata_source"),
        "filing_date_flag": None if row["filing_date"] else UNKNOWN_FILING_DATE,
        FILING_QUARTER: filing[FILING_QUARTER],
    }


def filing_trades(store: Lake, filing: dict[str, Any], docs: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The insider-trade rows of one ownership filing.

    The filing date is the filing's (SGML header, else the submissions feed matched in ``filings``); a
    stand-alone XML that no source dates keeps its rows with ``filing_date`` null and ``filing_date_flag``
    ``unknown`` (FinancialDatasets rows require a date: readers that need one filter on it). Such rows' ids are
    keyed by the lake filing id, since no accession is known.

    Raises:
        EdgarError: the filing's document cannot be parsed.
        ValueError: the filing has no ownership document.
    """
    doc = ownership_document(docs)
    if doc is None:
        raise ValueError(f"{filing['filing_id']}: no ownership document stored")
    source = doc["name"] if filing["accession"] else f"{filing['filing_id']}/{doc['name']}"
    parsed = parse_ownership(store.get_object(doc["object_key"]), source)
    trades = trades_of(parsed, filing_date=filing["filing_date"], allow_unknown_date=True)
    return [trade_row(t, filing) for t in trades]


@dg.asset(
    name="insider_trades",
    group_name="ownership",
    kinds={"delta", "python"},
    code_version="1",
    deps=["filings", "raw_documents"],
    check_specs=table_check_specs(INSIDER_TRADES),
    partitions_def=filing_quarters,
    backfill_policy=dg.BackfillPolicy.single_run(),
)
def insider_trades(context: dg.AssetExecutionContext, lake: LakeResource) -> dg.MaterializeResult:
    """Insider trades and holdings from every Form 3/4/5 of the run's quarters, in FinancialDatasets' shape.

    A Form 4 that cannot be parsed is reported in the metadata and skipped; the other filings are read. Rows of
    a stand-alone XML with no SEC metadata are kept with a null filing date, flagged (counted in the metadata).
    """
    quarters = context_quarters(context)
    store = lake.lake()
    filings, docs = quarter_filings(store, quarters)
    wanted = [f for f in filings if f["form"] in OWNERSHIP_FORMS]
    rows: list[dict[str, Any]] = []
    skipped: list[str] = []
    progress = Progress("ownership filings", len(wanted), context.log.info)
    for filing in wanted:
        try:
            rows.extend(filing_trades(store, filing, docs.get(filing["filing_id"], [])))
        except (EdgarError, ValueError) as exc:
            skipped.append(f"{filing['filing_id']}: {exc}")
            context.log.warning(f"insider trades of {filing['filing_id']} skipped: {exc}")
        progress.step()
    unique = {r["row_id"]: r for r in rows}
    return publish(
        store,
        INSIDER_TRADES,
        list(unique.values()),
        quarters=quarters,
        filings=len(wanted),
        skipped="\n".join(skipped) or "none",
        undated_rows=sum(1 for r in unique.values() if r["filing_date_flag"]),
        **progress.metadata(),
    )
