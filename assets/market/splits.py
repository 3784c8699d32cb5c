"""Stock splits -> ``splits``: the override file plus the split ratios tagged in filings."""

from pathlib import Path

import dagster as dg
import pyarrow.compute as pc

from assets.checks import table_check_specs
from assets.publish import publish
from assets.resources import LakeResource
from lake.delta import read_table
from lake.prices.splits import SPLIT_CONCEPTS, merge_splits, parse_overrides, splits_from_facts
from lake.tables import COMPANIES, FACTS, SPLITS


@dg.asset(
    name="splits",
    group_name="market",
    kinds={"delta", "python"},
    code_version="1",
    description=SPLITS.description,
    deps=["facts", "companies"],
    check_specs=table_check_specs(SPLITS),
)
def splits(context: dg.AssetExecutionContext, lake: LakeResource) -> dg.MaterializeResult:
    """Every known split: ``SPLITS_OVERRIDES`` (exact ex-dates) plus the ratios filings tag.

    A filing's ``StockholdersEquityNoteStockSplitConversionRatio1`` confirms an override of the same ratio
    (its note names the filing) or, when no override covers it, is a row of its own dated by the fact's period
    end. A malformed override row fails the run with its line number.
    """
    settings = lake.settings()
    store = lake.lake()
    path = Path(settings.splits_overrides)
    overrides = parse_overrides(path.read_text(encoding="utf-8"), str(path)) if path.is_file() else []
    facts = read_table(
        store,
        FACTS,
        filters=pc.field("concept").isin(list(SPLIT_CONCEPTS)),
        columns=["cik", "accession", "form", "concept", "value_num", "period_end", "dimensions"],
    ).to_pylist()
    companies = read_table(store, COMPANIES, columns=["cik", "tickers"]).to_pylist()
    tickers = {c["cik"]: c["tickers"][0] for c in companies if c["tickers"]}
    ciks = {t: c["cik"] for c in companies for t in (c["tickers"] or ())}
    filed = splits_from_facts(facts, tickers)
    merged = merge_splits(overrides, filed, ciks)
    context.log.info(
        f"splits: {len(overrides)} override(s) from {path}, {len(facts)} split fact(s) in filings "
        f"-> {len(filed)} filing split(s), {len(merged)} row(s)"
    )
    return publish(
        store,
        SPLITS,
        [s.row() for s in merged],
        overrides=len(overrides),
        split_facts=len(facts),
        filing_splits=len(filed),
    )
