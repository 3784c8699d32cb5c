"""`make bench`: rebuilding the dbt metrics models, and reading one ticker's metric history (mart vs raw scan).

Lake: ``BENCH_LAKE`` when set (an already built lake, e.g. ``./lakehouse`` after ``make lake``), else the offline
lake built once into ``.bench/metrics/lakehouse`` (statements, prices, metrics). Figures are medians of
``BENCH_ROUNDS`` runs (default 3) measured in this run; printed, not asserted.

- rebuild: ``prepare_sources`` (views over the Delta files), ``dbt run`` (all models) and ``dbt build`` (models and
  tests) from the command line (a fresh process each: dbt's own start-up included), and the write-back of the
  marts to the lake.
- history query: AAPL's annual metrics of the last 10 years from the ``financial_metrics`` table (DuckDB over the
  lake), against a raw DuckDB scan of the statements and prices tables computing the same rows' margins, returns,
  liquidity, leverage and valuation at filing (first close at or after acceptance x cover shares).
"""

from __future__ import annotations

import json
import os
import statistics
import subprocess
import time
from collections.abc import Callable
from pathlib import Path

from assets.metrics.project import DBT_DIR, dbt_executable
from lake.duck import connect
from lake.marts import prepare_sources, publish_marts
from lake.settings import PROJECT_ROOT
from lake.storage import Lake

ROUNDS = int(os.environ.get("BENCH_ROUNDS", "3"))
TICKER = "AAPL"

MART_QUERY = """
SELECT * FROM financial_metrics
WHERE ticker = ? AND period = 'annual' AND version = 'first' AND report_period >= current_date - INTERVAL 10 YEAR
ORDER BY report_period DESC
"""

RAW_QUERY = """
WITH i AS (SELECT * FROM income_statements WHERE ticker = ? AND period = 'annual' AND version = 'first'
           AND report_period >= current_date - INTERVAL 10 YEAR),
b AS (SELECT * FROM balance_sheets WHERE period = 'annual' AND version = 'first'),
c AS (SELECT * FROM cash_flow_statements WHERE period = 'annual' AND version = 'first'),
cover AS (SELECT coalesce(accession, filing_id) AS accession, sum(value_num) AS shares FROM facts
          WHERE concept = 'dei:EntityCommonStockSharesOutstanding' GROUP BY 1),
rows AS (
    SELECT i.*, b.total_assets, b.current_assets, b.current_liabilities, b.shareholders_equity, b.total_debt,
           b.cash_and_equivalents, c.free_cash_flow, cover.shares,
           CAST(timezone('America/New_York', i.accepted_at) - INTERVAL 16 HOUR AS DATE)
             + CASE WHEN CAST(timezone('America/New_York', i.accepted_at) - INTERVAL 16 HOUR AS TIME) = TIME '00:00:00'
                    THEN 0 ELSE 1 END AS effective_from
    FROM i
    LEFT JOIN b USING (cik, fiscal_period, report_period)
    LEFT JOIN c USING (cik, fiscal_period, report_period)
    LEFT JOIN cover ON cover.accession = i.accession_number
),
priced AS (
    SELECT r.*, p.close, p.split_factor FROM rows r
    ASOF LEFT JOIN (SELECT * FROM prices WHERE ticker = ?) p ON p.date >= r.effective_from
)
SELECT ticker, report_period, gross_profit / nullif(revenue, 0) AS gross_margin,
       operating_income / nullif(revenue, 0) AS operating_margin, net_income / nullif(revenue, 0) AS net_margin,
       net_income / nullif(shareholders_equity, 0) AS return_on_equity,
       net_income / nullif(total_assets, 0) AS return_on_assets,
       current_assets / nullif(current_liabilities, 0) AS current_ratio,
       total_debt / nullif(shareholders_equity, 0) AS debt_to_equity,
       shares * split_factor * close AS market_cap,
       shares * split_factor * close / nullif(net_income, 0) AS price_to_earnings_ratio,
       free_cash_flow / nullif(shares * split_factor * close, 0) AS free_cash_flow_yield
FROM priced ORDER BY report_period DESC
"""


def _lake() -> Lake:
    given = os.environ.get("BENCH_LAKE")
    if given:
        return Lake(given)
    uri = PROJECT_ROOT / ".bench" / "metrics" / "lakehouse"
    if not (uri / "gold" / "financial_metrics").exists():
        from tests.support.build import build_lake

        print(f"building the offline lake into {uri} (once) ...")
        if not build_lake(str(uri)).success:
            raise SystemExit("lake build failed")
    return Lake(str(uri))


def _median(action: Callable[[], object], rounds: int = ROUNDS) -> float:
    times = []
    for _ in range(rounds):
        started = time.perf_counter()
        action()
        times.append(time.perf_counter() - started)
    return statistics.median(times)


def _dbt(command: str, database: Path) -> None:
    done = subprocess.run(
        [dbt_executable(), command, "--project-dir", str(DBT_DIR), "--profiles-dir", str(DBT_DIR), "--quiet",
         "--vars", json.dumps({"duckdb_path": str(database)})],
        cwd=DBT_DIR,
        capture_output=True,
        text=True,
        check=False,
    )  # fmt: skip
    if done.returncode != 0:
        raise SystemExit(f"dbt {command} failed:\n{done.stdout[-3000:]}")


def main() -> None:
    """Run the benchmark and print the figures."""
    lake = _lake()
    database = PROJECT_ROOT / ".bench" / "metrics" / "metrics.duckdb"
    prepare = _median(lambda: prepare_sources(lake, database))
    run = _median(lambda: _dbt("run", database))
    build = _median(lambda: _dbt("build", database))
    write = _median(lambda: publish_marts(lake, database))
    connection = connect(
        lake,
        tables=[
            "financial_metrics",
            "income_statements",
            "balance_sheets",
            "cash_flow_statements",
            "facts",
            "prices",
        ],
    )
    mart_rows = connection.execute(MART_QUERY, [TICKER]).fetchall()
    raw_rows = connection.execute(RAW_QUERY, [TICKER, TICKER]).fetchall()
    rounds = max(ROUNDS, 20)
    mart = _median(lambda: connection.execute(MART_QUERY, [TICKER]).fetchall(), rounds)
    raw = _median(lambda: connection.execute(RAW_QUERY, [TICKER, TICKER]).fetchall(), rounds)
    connection.close()
    print(f"metrics benchmark (lake {lake.uri}; medians of {ROUNDS} runs, queries of {rounds})")
    print(f"  prepare sources (views over Delta files)   {prepare * 1000:8.1f} ms")
    print(f"  dbt run   (all models, fresh process)      {run:8.2f} s")
    print(f"  dbt build (models + tests, fresh process)  {build:8.2f} s")
    print(f"  write marts back to the lake               {write * 1000:8.1f} ms")
    print(
        f"  {TICKER} 10-year annual metrics: mart       {mart * 1000:8.2f} ms  ({len(mart_rows)} rows, 39 metrics)"
    )
    print(
        f"  {TICKER} 10-year annual metrics: raw scan   {raw * 1000:8.2f} ms  ({len(raw_rows)} rows, 10 metrics)"
    )
    print(f"  raw scan / mart                            {raw / mart:8.1f} x")


if __name__ == "__main__":
    main()
