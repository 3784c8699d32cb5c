"""Daily bars of every ticker the price provider has -> ``prices`` (split factors filled, bad bars flagged)."""

from collections import defaultdict

import dagster as dg
import pyarrow as pa

from assets.checks import table_check_results, table_check_specs
from assets.progress import Progress
from assets.publish import publish
from assets.resources import LakeResource, PricesResource
from lake.delta import read_table
from lake.prices import PriceError, PriceProvider
from lake.prices.provider import concat
from lake.prices.quality import RULES, flag_bars, summarize
from lake.prices.splits import Split, split_factors
from lake.tables import PRICES, SPLITS

#: The benchmark ETF both FinancialDatasets clients use; loaded first and reported on its own.
BENCHMARK = "SPY"

_RULE_DESCRIPTIONS = {
    "non_positive_price": "no bar has a zero or negative open, high, low, close or adj_close",
    "high_below_low": "no bar has high < low",
    "ohlc_outside_range": "every open and close lies within [low, high]",
    "duplicate_date": "the provider gave each ticker's dates once (a repeated date keeps its last bar)",
    "gap_before": "no more than 5 weekdays without a bar between two bars of a ticker",
}


def bar_check_specs() -> list[dg.AssetCheckSpec]:
    """One warning check per bar quality rule (``lake.prices.quality``)."""
    return [
        dg.AssetCheckSpec(f"bars_{rule}", asset=PRICES.name, description=_RULE_DESCRIPTIONS[rule])
        for rule in RULES
    ]


def bar_check_results(stored: pa.Table) -> list[dg.AssetCheckResult]:
    """The rule checks on the stored table: flagged rows, tickers and examples; failing ones warn."""
    return [
        dg.AssetCheckResult(
            asset_key=PRICES.name,
            check_name=f"bars_{rule}",
            passed=summary.rows == 0,
            severity=dg.AssetCheckSeverity.WARN,
            metadata={
                "rows_flagged": summary.rows,
                "tickers_flagged": summary.tickers,
                "examples": ", ".join(summary.examples) or "none",
            },
        )
        for rule, summary in summarize(stored).items()
    ]


def load_ticker(provider: PriceProvider, ticker: str, splits: list[Split]) -> pa.Table:
    """One ticker's bars from the provider, quality-flagged, with ``split_factor`` from ``splits``."""
    bars = flag_bars(provider.fetch(ticker))
    if bars.num_rows == 0:
        return bars
    as_of = bars.column("adjusted_as_of")[0].as_py()
    factors = split_factors(bars.column("date"), splits, as_of)
    return bars.set_column(bars.schema.get_field_index("split_factor"), "split_factor", factors)


@dg.asset(
    name="prices",
    group_name="market",
    kinds={"delta", "python"},
    code_version="1",
    description=PRICES.description,
    deps=["splits"],
    check_specs=[*table_check_specs(PRICES), *bar_check_specs()],
)
def prices(
    context: dg.AssetExecutionContext, lake: LakeResource, market: PricesResource
) -> dg.MaterializeResult:
    """Load every ticker of the provider (``PRICES_PROVIDER``; SPY first) and replace the ``prices`` table.

    A ticker whose data cannot be read is skipped and named in the metadata (the others load); a run where no
    ticker loads fails and leaves the stored table as it was, and so does a provider that cannot list its
    tickers (e.g. no prices folder), with a warning instead of a failure. Bad bars are flagged in ``flags``,
    not dropped.
    """
    provider = market.open()
    store = lake.lake()
    try:
        tickers = provider.tickers()
    except PriceError as exc:
        # no price source (e.g. no prices folder next to a live EDGAR build): keep what is stored, say why
        context.log.warning(f"prices not loaded, the stored table is kept: {exc}")
        stored = read_table(store, PRICES)
        return dg.MaterializeResult(
            asset_key=PRICES.name,
            metadata={"provider": provider.name, "unavailable": str(exc), "rows_in_table": stored.num_rows},
            check_results=[*table_check_results(PRICES, stored), *bar_check_results(stored)],
        )
    tickers.sort(key=lambda t: (t != BENCHMARK, t))
    if BENCHMARK not in tickers:
        context.log.warning(f"{provider.name} has no {BENCHMARK}: benchmark comparisons will have no prices")
    by_ticker: dict[str, list[Split]] = defaultdict(list)
    for row in read_table(store, SPLITS).to_pylist():
        by_ticker[row["ticker"]].append(Split(**row))
    tables: list[pa.Table] = []
    skipped: list[str] = []
    progress = Progress(f"prices from {provider.name}", len(tickers), context.log.info)
    for ticker in tickers:
        try:
            tables.append(load_ticker(provider, ticker, by_ticker.get(ticker, [])))
        except PriceError as exc:
            skipped.append(f"{ticker}: {exc}")
            context.log.warning(f"prices of {ticker} skipped: {exc}")
        progress.step()
    if tickers and not tables:
        raise PriceError(f"no ticker of {provider.name} could be loaded: {'; '.join(skipped[:5])}")
    table = concat(tables)
    spy = [t for t in tables if t.num_rows and t.column("ticker")[0].as_py() == BENCHMARK]
    benchmark = (
        f"{spy[0].num_rows} bars {spy[0].column('date')[0]}..{spy[0].column('date')[-1]}" if spy else "absent"
    )
    stored_check = summarize(table)
    context.log.info(
        f"prices: {len(tables)} ticker(s), {table.num_rows} bars; flagged: "
        + ", ".join(f"{r}={s.rows}" for r, s in stored_check.items())
    )
    result = publish(
        store,
        PRICES,
        table,
        provider=provider.name,
        tickers=len(tables),
        skipped="\n".join(skipped) or "none",
        benchmark_spy=benchmark,
    )
    stored = read_table(store, PRICES, columns=["ticker", "date", "flags"])
    checks = [*(result.check_results or []), *bar_check_results(stored)]
    return dg.MaterializeResult(asset_key=PRICES.name, metadata=result.metadata, check_results=checks)
