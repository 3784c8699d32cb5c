"""13F filings of every filing quarter -> ``institutional_holdings`` and ``thirteenf_filings``."""

from collections.abc import Iterable
from typing import Any

import dagster as dg

from assets.checks import table_check_specs
from assets.edgar.fetch import stored_submission
from assets.inputs import quarter_filings
from assets.partitions import context_quarters, filing_quarters
from assets.progress import Progress
from assets.publish import publish, table_asset
from assets.resources import LakeResource
from edgar.errors import EdgarError
from edgar.thirteenf import Filing13F, parse_13f, value_usd
from lake.storage import Lake
from lake.tables import FILING_QUARTER, INSTITUTIONAL_HOLDINGS, THIRTEENF_FILINGS

THIRTEENF_FORMS = ("13F-HR", "13F-HR/A", "13F-NT", "13F-NT/A")
_KINDS = ("sgml-submission", "13f-primary", "13f-infotable")


def thirteenf_document(docs: list[dict[str, Any]]) -> dict[str, Any] | None:
    """The document to read: the full submission (cover + table), else the primary document."""
    top = [d for d in docs if d["kind"] in _KINDS and d["container"] is None]
    ordered = sorted(top, key=lambda d: (_KINDS.index(d["kind"]), d["name"]))
    return ordered[0] if ordered else None


def holding_rows(parsed: Filing13F, filing: dict[str, Any]) -> list[dict[str, Any]]:
    """``institutional_holdings`` rows of one 13F; ``value_usd`` only when the filing date is known.

    The unit of VALUE depends on the filing date (thousands before 2023-01-03, dollars from then on); the period
    alone does not decide it (late filers report old quarters in dollars), so without a filing date it is null.
    """
    when = filing["filing_date"] or parsed.filing_date
    rows = []
    for h in parsed.holdings:
        usd = None
        if h.value is not None and when is not None:
            usd = value_usd(h.value, filing_date=when)
        rows.append(
            {
                "filing_id": filing["filing_id"],
                "row": h.row,
                "accession": filing["accession"],
                "filer_cik": filing["cik"],
                "form": filing["form"],
                "period_of_report": parsed.period,
                "filing_date": when,
                "acceptance_utc": filing["acceptance_utc"],
                "issuer_name": h.issuer_name,
                "title_of_class": h.title_of_class,
                "cusip": h.cusip,
                "figi": h.figi,
                "value_reported": h.value,
                "value_usd": usd,
                "shares_or_principal": h.shares_or_principal,
                "sh_prn": h.sh_prn,
                "put_call": h.put_call,
                "investment_discretion": h.investment_discretion,
                "other_managers": [str(m) for m in h.other_managers],
                "voting_sole": h.voting_sole,
                "voting_shared": h.voting_shared,
                "voting_none": h.voting_none,
                FILING_QUARTER: filing[FILING_QUARTER],
            }
        )
    return rows


def filing_row(filing: dict[str, Any], parsed: Filing13F | None, error: str | None) -> dict[str, Any]:
    """The ``thirteenf_filings`` row: cover, amendment and the table's reconciliation (or the error)."""
    cover = parsed.cover if parsed else None
    check = parsed.validation if parsed else None
    return {
        "filing_id": filing["filing_id"],
        "accession": filing["accession"],
        "filer_cik": filing["cik"],
        "filer_name": cover.filer_name if cover else filing["company_name"],
        "form": filing["form"],
        "period_of_report": parsed.period if parsed else filing["period_of_report"],
        "filing_date": filing["filing_date"],
        "acceptance_utc": filing["acceptance_utc"],
        "amendment_type": cover.amendment_type if cover else None,
        "report_type": cover.report_type if cover else None,
        "table_entry_total": check.table_entry_total if check else None,
        "table_value_total": check.table_value_total if check else None,
        "rows": check.rows if check else None,
        "value_sum": check.value_sum if check else None,
        "rows_match": check.rows_match if check else None,
        "value_match": check.value_match if check else None,
        "mismatches": list(check.mismatches) if check else [],
        "status": "error" if error else "ok",
        "error": error,
        FILING_QUARTER: filing[FILING_QUARTER],
    }


def read_13f(
    store: Lake, filing: dict[str, Any], docs: list[dict[str, Any]]
) -> tuple[Filing13F | None, str | None]:
    """Parse one 13F filing from its stored document; the error text instead when it cannot be read."""
    doc = thirteenf_document(docs)
    whole = stored_submission(store, docs)  # fetched document by document: the submission rebuilt
    if doc is None and whole is None:
        return None, "no 13F document stored"
    name, data = whole or (doc["name"], store.get_object(doc["object_key"]))  # type: ignore[index]
    try:
        parsed = parse_13f(
            name,
            data,
            accession=filing["accession"],
            filing_date=filing["filing_date"],
            acceptance_utc=filing["acceptance_utc"],
        )
    except EdgarError as exc:
        return None, str(exc)
    return parsed, None


@dg.multi_asset(
    specs=[
        table_asset(INSTITUTIONAL_HOLDINGS, group="ownership", deps=["filings", "raw_documents"]),
        table_asset(THIRTEENF_FILINGS, group="ownership", deps=["filings", "raw_documents"]),
    ],
    check_specs=[*table_check_specs(INSTITUTIONAL_HOLDINGS), *table_check_specs(THIRTEENF_FILINGS)],
    partitions_def=filing_quarters,
    backfill_policy=dg.BackfillPolicy.single_run(),
)
def institutional_holdings(context: dg.AssetExecutionContext, lake: LakeResource) -> Iterable[Any]:
    """13F holdings of the run's quarters and one row per 13F filing with its cover-total reconciliation.

    A 13F that cannot be parsed is an ``error`` row in ``thirteenf_filings`` with the reason; a table whose rows
    or value sum differ from the cover page is stored with the mismatch recorded, not hidden.
    """
    quarters = context_quarters(context)
    store = lake.lake()
    filings, docs = quarter_filings(store, quarters)
    wanted = [f for f in filings if f["form"] in THIRTEENF_FORMS]
    holdings: list[dict[str, Any]] = []
    statuses: list[dict[str, Any]] = []
    progress = Progress("13F filings", len(wanted), context.log.info)
    for filing in wanted:
        parsed, error = read_13f(store, filing, docs.get(filing["filing_id"], []))
        if error:
            context.log.warning(f"13F {filing['filing_id']}: {error}")
        statuses.append(filing_row(filing, parsed, error))
        if parsed is not None:
            holdings.extend(holding_rows(parsed, filing))
        progress.step()
    mismatched = [s["filing_id"] for s in statuses if s["mismatches"]]
    for spec, rows in ((INSTITUTIONAL_HOLDINGS, holdings), (THIRTEENF_FILINGS, statuses)):
        yield publish(
            store,
            spec,
            rows,
            quarters=quarters,
            filings=len(wanted),
            unreconciled="\n".join(mismatched) or "none",
            **progress.metadata(),
        )
