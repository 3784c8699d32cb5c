"""Standardized financial statements from the facts of every 10-K/10-Q.

Outputs: income statements, balance sheets, cash-flow statements (annual, quarterly, TTM; first-reported and
latest), the per-filing values behind them, and restatements.

The mapping from XBRL concepts to FinancialDatasets' fields is ``edgar/statements/line_items.csv`` (one table);
the rules (periods, derived Q4 and quarterly cash flows, TTM, versions) are in ``edgar.statements``.
"""

import json
from collections import defaultdict
from collections.abc import Iterable, Iterator
from typing import Any

import dagster as dg
import pyarrow as pa
import pyarrow.compute as pc

from assets.checks import table_check_specs
from assets.progress import Progress
from assets.publish import publish, table_asset
from assets.resources import LakeResource
from edgar.statements.model import FilingRef, StatementValue
from edgar.statements.rows import prepare, statement_rows
from edgar.statements.standardize import standardize
from edgar.statements.versions import restatements
from edgar.xbrl.model import Fact
from lake.delta import read_table
from lake.registry import TableSpec
from lake.storage import Lake
from lake.tables import (
    BALANCE_SHEETS,
    CASH_FLOW_STATEMENTS,
    COMPANIES,
    FACTS,
    FILING_QUARTER,
    INCOME_STATEMENTS,
    RESTATEMENTS,
    STATEMENT_VALUES,
    XBRL_FILINGS,
)

#: Forms whose XBRL carries the periodic financial statements.
STATEMENT_FORMS = ("10-K", "10-Q", "10-K/A", "10-Q/A", "10-KT")
_TABLES: dict[str, TableSpec] = {
    "income": INCOME_STATEMENTS,
    "balance_sheet": BALANCE_SHEETS,
    "cash_flow": CASH_FLOW_STATEMENTS,
}
_PERIODS = ("annual", "quarterly", "ttm")
#: Facts read at a time: whole companies are added to a batch until it holds this many facts (a company larger
#: than this is a batch of its own), so memory is bounded by the largest company, not by the lake.
BATCH_FACTS = 200_000
_FACT_COLUMNS = [
    "filing_id",
    "fact_key",
    "concept",
    "value",
    "numeric",
    "decimals",
    "unit",
    "period_type",
    "period_start",
    "period_end",
    "dimensions",
    "is_nil",
]


def row_fact(row: dict[str, Any]) -> Fact:
    """Rebuild a :class:`Fact` from its ``facts`` row."""
    return Fact(
        concept=row["concept"],
        value=row["value"],
        numeric=bool(row["numeric"]),
        decimals=row["decimals"],
        unit=row["unit"],
        period_type=row["period_type"],
        start=row["period_start"],
        end=row["period_end"],
        dimensions=tuple((d["axis"], d["member"]) for d in row["dimensions"] or ()),
        context_id=row["fact_key"],
        is_nil=bool(row["is_nil"]),
    )


def _sic(text: str | None) -> int | None:
    return int(text) if text and text.isdigit() else None


def reported_values(
    facts: Iterable[dict[str, Any]], filings: Iterable[dict[str, Any]], companies: dict[int, dict[str, Any]]
) -> list[StatementValue]:
    """Standardize each filing's facts into FD line items (version ``reported``)."""
    by_filing: dict[str, list[Fact]] = defaultdict(list)
    for row in facts:
        by_filing[row["filing_id"]].append(row_fact(row))
    values: list[StatementValue] = []
    for filing in filings:
        company = companies.get(filing["cik"], {})
        ref = FilingRef(
            cik=filing["cik"],
            accession_number=filing["accession"] or filing["filing_id"],
            form=filing["form"],
            filing_date=filing["filing_date"],
            accepted_at=filing["acceptance_utc"],
        )
        values.extend(
            standardize(
                by_filing.get(filing["filing_id"], []),
                filing=ref,
                fiscal_year_end=company.get("fiscal_year_end"),
                sic=_sic(company.get("sic")),
            )
        )
    return values


def table_rows(
    values: list[StatementValue], statement: str, tickers: dict[int, str | None]
) -> list[dict[str, Any]]:
    """Rows of one statement table: every period kind, both versions, provenance as JSON."""
    rows = []
    for period in _PERIODS:
        for row in statement_rows(values, statement, period):  # type: ignore[arg-type]
            row.pop("statement")
            row["ticker"] = tickers.get(row["cik"])
            row["sources"] = json.dumps(row["sources"], sort_keys=True)
            row["accessions"] = json.dumps(row["accessions"], sort_keys=True)
            rows.append(row)
    return rows


def value_rows(values: Iterable[StatementValue]) -> list[dict[str, Any]]:
    """Rows of ``statement_values``: each value as a filing reported it."""
    return [
        {
            "cik": v.cik,
            "statement": v.statement,
            "field": v.field,
            "period": v.period,
            "fiscal_period": v.fiscal_period,
            "report_period": v.report_period,
            "period_start": v.start,
            "value": v.value,
            "unit": v.unit,
            "method": v.method,
            "source": v.source,
            "accession_number": v.filing.accession_number,
            "form": v.filing.form,
            "filing_date": v.filing.filing_date,
            "accepted_at": v.filing.accepted_at,
        }
        for v in values
    ]


def restatement_rows(values: Iterable[StatementValue]) -> list[dict[str, Any]]:
    """Rows of ``restatements``."""
    return [
        {
            "cik": r.cik,
            "statement": r.statement,
            "field": r.field,
            "period": r.period,
            "fiscal_period": r.fiscal_period,
            "report_period": r.report_period,
            "period_start": r.start,
            "old_value": r.old_value,
            "new_value": r.new_value,
            "old_source": r.old_source,
            "new_source": r.new_source,
            "old_accession": r.old_filing.accession_number,
            "new_accession": r.new_filing.accession_number,
            "old_accepted_at": r.old_filing.accepted_at,
            "new_accepted_at": r.new_filing.accepted_at,
        }
        for r in restatements(values)
    ]


@dg.multi_asset(
    specs=[
        *(
            table_asset(spec, group="statements", deps=["facts", "xbrl_filings", "companies"])
            for spec in _TABLES.values()
        ),
        table_asset(STATEMENT_VALUES, group="statements", deps=["facts", "xbrl_filings", "companies"]),
        table_asset(RESTATEMENTS, group="statements", deps=["facts", "xbrl_filings", "companies"]),
    ],
    check_specs=[
        *(c for spec in (*_TABLES.values(), STATEMENT_VALUES, RESTATEMENTS) for c in table_check_specs(spec)),
    ],
)
def financial_statements(context: dg.AssetExecutionContext, lake: LakeResource) -> Iterable[Any]:
    """Income statements, balance sheets and cash-flow statements of every company with 10-K/10-Q facts.

    Reported values are standardized per filing through the mapping table; Q4 and quarterly cash flows are
    derived from year-to-date values, TTM from four quarters; each row exists as first reported and as latest;
    every value that a later filing changed is a restatement row.
    """
    store = lake.lake()
    status = read_table(store, XBRL_FILINGS).to_pylist()
    filings = [
        s for s in status if s["status"] == "ok" and s["form"] in STATEMENT_FORMS and s["cik"] is not None
    ]
    companies = {c["cik"]: c for c in read_table(store, COMPANIES).to_pylist()}
    tickers = {cik: (c["tickers"] or [None])[0] for cik, c in companies.items()}
    batches = list(company_batches(filings))
    progress = Progress("statements (company batches)", len(batches), context.log.info)
    parts: dict[str, list[pa.Table]] = defaultdict(list)
    for batch in batches:
        for spec, rows in statement_tables(store, batch, companies, tickers):
            parts[spec.name].append(pa.Table.from_pylist(rows, schema=spec.schema))
        progress.step()
    for spec in (*_TABLES.values(), STATEMENT_VALUES, RESTATEMENTS):
        data = pa.concat_tables(parts[spec.name]) if parts[spec.name] else spec.schema.empty_table()
        yield publish(store, spec, data, filings=len(filings), companies=len({f["cik"] for f in filings}))


def company_batches(
    filings: list[dict[str, Any]], limit: int = BATCH_FACTS
) -> Iterator[list[dict[str, Any]]]:
    """The filings grouped into batches of whole companies (by CIK) of about ``limit`` facts each.

    Within a company the filings keep their order in ``filings`` (the statements do not depend on other
    companies, so batching changes no value).
    """
    by_cik: dict[int, list[dict[str, Any]]] = defaultdict(list)
    for filing in filings:
        by_cik[filing["cik"]].append(filing)
    batch: list[dict[str, Any]] = []
    size = 0
    for cik in sorted(by_cik):
        batch.extend(by_cik[cik])
        size += sum(f["facts"] or 0 for f in by_cik[cik])
        if size >= limit:
            yield batch
            batch, size = [], 0
    if batch:
        yield batch


def batch_facts(store: Lake, filings: list[dict[str, Any]]) -> Iterator[dict[str, Any]]:
    """The ``facts`` rows of ``filings`` in stored order, only these companies' rows materialized.

    The filings' quarters, CIKs and ids are a filter pushed down to the Delta files.
    """
    ids = sorted({f["filing_id"] for f in filings})
    expression = (
        pc.field(FILING_QUARTER).isin(sorted({f[FILING_QUARTER] for f in filings}))
        & pc.field("cik").isin(sorted({f["cik"] for f in filings}))
        & pc.field("filing_id").isin(ids)
    )
    columns = read_table(store, FACTS, filters=expression, columns=_FACT_COLUMNS).to_pydict()
    names = list(columns)
    for values in zip(*columns.values(), strict=True):
        yield dict(zip(names, values, strict=True))


def statement_tables(
    store: Lake,
    filings: list[dict[str, Any]],
    companies: dict[int, dict[str, Any]],
    tickers: dict[int, str | None],
) -> list[tuple[TableSpec, list[dict[str, Any]]]]:
    """Every statement table's rows for the companies of ``filings`` (a batch of whole companies)."""
    reported = reported_values(batch_facts(store, filings), filings, companies)
    values = prepare(reported)
    outputs: list[tuple[TableSpec, list[dict[str, Any]]]] = [
        (spec, table_rows(values, statement, tickers)) for statement, spec in _TABLES.items()
    ]
    outputs += [(STATEMENT_VALUES, value_rows(reported)), (RESTATEMENTS, restatement_rows(reported))]
    return outputs
