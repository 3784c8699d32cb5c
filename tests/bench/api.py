"""`make bench`: the API's requests/s and latency, against the framework floor and the bare DuckDB query.

Two granian workers serve the lake on a loopback port; wrk (32 connections, 1 thread, after a 2-second warm-up)
loads one URL at a time:

- ``/financials/income-statements?ticker=AAPL&period=quarterly&limit=8`` and ``/prices?ticker=AAPL&...`` (a
  month of daily bars);
- (a) ``/health/floor``: constant bytes from the same app — what Litestar on granian costs by itself;
- (b) the same query run directly in DuckDB over the lake (``lake.duck.connect``), one query at a time in this
  process — what a request would cost if it were only the query.

Two lakes: the offline lake (``.bench/api/offline``, built from ../shared once), and a scaled lake
(``.bench/api/scaled``) with an income statement table of 5,000 companies x 40 quarters and 5,000 tickers x 250
daily bars. The scaled rows are SYNTHETIC: every company is AAPL's real quarterly rows shifted in time and scaled
by a per-company factor, every ticker's bars are AAPL's real 2023 bars scaled likewise (the files have no 5,000
companies). Targets (issue #7), at both sizes: >= 2,000 req/s, >= 1/3 of the floor, p99 < 20 ms. Printed, not
asserted.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import re
import shutil
import subprocess
import sys
import time
import urllib.request

import pyarrow as pa
import pyarrow.compute as pc

from lake.delta import overwrite_table, read_table, table_exists, write_partition
from lake.duck import connect
from lake.registry import table
from lake.settings import PROJECT_ROOT
from lake.storage import Lake
from tests.support.api_server import api_server

BENCH = PROJECT_ROOT / ".bench" / "api"
DURATION = int(os.environ.get("BENCH_SECONDS", "10"))
CONNECTIONS = 32
COMPANIES, QUARTERS, BARS = 5000, 40, 250

STATEMENT_PATH = "/financials/income-statements?ticker={t}&period=quarterly&limit=8"
PRICES_PATH = (
    "/prices?ticker={t}&interval=day&interval_multiplier=1&start_date=2023-03-01&end_date=2023-03-31"
)
STATEMENT_SQL = (
    "SELECT * FROM income_statements WHERE cik = ? AND period = 'quarterly' AND version = 'latest' "
    "ORDER BY report_period DESC LIMIT 8"
)
PRICES_SQL = "SELECT * FROM prices WHERE ticker = ? AND date BETWEEN DATE '2023-03-01' AND DATE '2023-03-31' ORDER BY date "


def offline_lake() -> Lake:
    """The offline lake, built once under .bench/api/offline."""
    lake = Lake(str(BENCH / "offline"))
    if not table_exists(lake, table("prices")):
        from tests.support.build import build_lake

        shutil.rmtree(BENCH / "offline", ignore_errors=True)
        print("building the offline lake (once) ...", flush=True)
        build_lake(lake.uri)
    return lake


def scaled_lake(source: Lake) -> Lake:
    """5,000 synthetic companies x 40 quarters and 250 bars each, derived from AAPL's real rows (see module doc)."""
    lake = Lake(str(BENCH / "scaled"))
    if table_exists(lake, table("income_statements")):
        return lake
    print("building the scaled lake (once) ...", flush=True)
    spec = table("income_statements")
    aapl = read_table(
        source, spec, filters=[("cik", "=", 320193), ("period", "=", "quarterly"), ("version", "=", "latest")]
    )
    rows = aapl.to_pylist()
    numeric = [f.name for f in spec.schema if pa.types.is_floating(f.type)]
    out = []
    for i in range(COMPANIES):
        factor = 0.5 + (i % 97) / 50
        for q in range(QUARTERS):
            base = dict(rows[q % len(rows)])
            period_end = dt.date(2015, 3, 31) + dt.timedelta(days=91 * q)
            base.update(
                cik=10_000_000 + i,
                ticker=f"S{i:04d}",
                report_period=period_end,
                fiscal_period=f"{period_end.year}-Q{(period_end.month - 1) // 3 + 1}",
                filing_date=period_end + dt.timedelta(days=35),
                accepted_at=dt.datetime.combine(period_end + dt.timedelta(days=35), dt.time(20), dt.UTC),
            )
            for name in numeric:
                if base[name] is not None:
                    base[name] = base[name] * factor
            out.append(base)
        out.extend([{**r, "version": "first"} for r in out[-QUARTERS:]])
    overwrite_table(lake, spec, pa.Table.from_pylist(out, schema=spec.schema))
    companies = [
        {"cik": 10_000_000 + i, "name": f"Synthetic {i}", "tickers": [f"S{i:04d}"]} for i in range(COMPANIES)
    ]
    companies.append({"cik": 320193, "name": "Apple Inc.", "tickers": ["AAPL"]})
    overwrite_table(
        lake, table("companies"), pa.Table.from_pylist(companies, schema=table("companies").schema)
    )
    prices_spec = table("prices")
    bars = read_table(source, prices_spec, filters=[("ticker", "=", "AAPL"), ("year", "=", 2023)]).slice(
        0, BARS
    )
    parts = []
    for i in range(COMPANIES):
        factor = 0.5 + (i % 97) / 50
        part = bars.set_column(0, "ticker", pa.array([f"S{i:04d}"] * bars.num_rows))
        for name in ("open", "high", "low", "close"):
            idx = part.schema.get_field_index(name)
            part = part.set_column(idx, name, pc.multiply(part.column(name), factor))
        parts.append(part)
    write_partition(lake, prices_spec, pa.concat_tables(parts), partitions={"year": [2023]})
    return lake


_UNITS = {"us": 1e-3, "ms": 1.0, "s": 1000.0}


#: a wrk script asking for a different company on every request, in turn (``{template}`` holds ``%04d``)
_ROUND_ROBIN = """
counter = {start}
request = function()
  counter = counter + 1
  return wrk.format("GET", string.format("{template}", counter % {companies}))
end
"""


def wrk(url: str, *, script: str | None = None) -> tuple[float, float, float]:
    """(requests/s, p50 ms, p99 ms) of ``url`` under wrk with 32 connections for DURATION seconds.

    A 2-second run first warms both workers (their response caches, code paths) and is not counted. wrk runs
    one thread (32 connections on one epoll loop is far from its limit), so the two server workers keep the
    machine's other cores. ``script``: a wrk Lua script choosing each request's path (then no warm-up).
    """
    extra: list[str] = []
    if script is not None:
        path = BENCH / "wrk.lua"
        path.write_text(script)
        extra = ["-s", str(path)]
    else:
        subprocess.run(["wrk", "-t1", f"-c{CONNECTIONS}", "-d2s", url], capture_output=True, check=True)
    proc = subprocess.run(
        ["wrk", "-t1", f"-c{CONNECTIONS}", f"-d{DURATION}s", "--latency", *extra, url],
        capture_output=True,
        text=True,
        check=True,
    )
    text = proc.stdout
    if "Non-2xx" in text:
        sys.exit(f"non-2xx responses from {url}:\n{text}")
    rps = float(re.search(r"Requests/sec:\s+([\d.]+)", text).group(1))  # type: ignore[union-attr]

    def pct(p: str) -> float:
        value, unit = re.search(rf"\s{p}%\s+([\d.]+)(us|ms|s)", text).groups()  # type: ignore[union-attr]
        return float(value) * _UNITS[unit]

    return rps, pct("50"), pct("99")


def duck(
    lake: Lake, sql: str, arg: object, tables: list[str], *, in_memory: bool = False
) -> tuple[float, float, float]:
    """(queries/s, p50 ms, p99 ms) of ``sql`` run directly in DuckDB, one at a time: over the lake's files, or
    (``in_memory``) over DuckDB tables copied from them first (the query alone, no Parquet scan)."""
    connection = connect(lake, tables=tables)
    if in_memory:
        for name in tables:
            connection.execute(f"CREATE TABLE mem_{name} AS SELECT * FROM {name}")
        for name in tables:
            sql = sql.replace(f"FROM {name} ", f"FROM mem_{name} ")
    times = []
    deadline = time.perf_counter() + min(DURATION, 5)
    while time.perf_counter() < deadline:
        started = time.perf_counter()
        connection.execute(sql, [arg]).fetchall()
        times.append(time.perf_counter() - started)
    connection.close()
    times.sort()
    return len(times) / sum(times), times[len(times) // 2] * 1000, times[int(len(times) * 0.99)] * 1000


def run(label: str, lake: Lake, ticker: str, cik: int) -> list[tuple[str, float, float, float]]:
    """Every figure of one lake."""
    results = []
    with api_server(lake.uri, workers=2, log=BENCH / f"{label}.log") as url:
        ready = 0
        while ready < 20:  # both workers report their tables loaded (requests land on either worker)
            ready = ready + 1 if json.loads(urllib.request.urlopen(url + "/health").read())["ready"] else 0
            time.sleep(0.05)
        results.append(("floor: /health/floor (constant bytes)", *wrk(url + "/health/floor")))
        results.append(("/financials/income-statements", *wrk(url + STATEMENT_PATH.format(t=ticker))))
        results.append(("/prices (a month of bars)", *wrk(url + PRICES_PATH.format(t=ticker))))
        if label == "scaled":  # informational: no response cache can help when every request is new
            template = STATEMENT_PATH.format(t="S%04d")
            script = _ROUND_ROBIN.format(start=0, template=template, companies=COMPANIES)
            results.append(("statements, a new company each request", *wrk(url, script=script)))
    results.append(
        ("DuckDB direct: statements query", *duck(lake, STATEMENT_SQL, cik, ["income_statements"]))
    )
    results.append(("DuckDB direct: prices query", *duck(lake, PRICES_SQL, ticker, ["prices"])))
    results.append(
        (
            "DuckDB in-memory table: statements",
            *duck(lake, STATEMENT_SQL, cik, ["income_statements"], in_memory=True),
        )
    )
    results.append(
        ("DuckDB in-memory table: prices", *duck(lake, PRICES_SQL, ticker, ["prices"], in_memory=True))
    )
    return results


def report(label: str, results: list[tuple[str, float, float, float]]) -> None:
    """Print one lake's figures with the ratios the targets name."""
    floor = results[0][1]
    print(f"\n{label}")
    print(f"  {'figure':44} {'req/s':>9} {'p50 ms':>8} {'p99 ms':>8} {'vs floor':>9}")
    for name, rps, p50, p99 in results:
        print(f"  {name:44} {rps:9.0f} {p50:8.2f} {p99:8.2f} {rps / floor:8.0%}")
    cached, rest = results[1:3], results[3:]
    uncached = [r for r in rest if r[0].startswith("statements, a new")]
    direct = [r for r in rest if r not in uncached]
    for (name, rps, _, p99), (_, duck_rps, _, _), (_, mem_rps, _, _) in zip(
        cached, direct[0:2], direct[2:4], strict=True
    ):
        ok = rps >= 2000 and rps >= floor / 3 and p99 < 20
        print(
            f"  {name}: {rps / floor:.0%} of the floor, {rps / duck_rps:.0f}x the DuckDB-over-files rate, "
            f"{rps / mem_rps:.1f}x the in-memory DuckDB rate; targets {'met' if ok else 'NOT met'}"
        )
    for name, rps, _, p99 in uncached:
        print(
            f"  {name} (every response computed, none cached): {rps:.0f} req/s, p99 {p99:.1f} ms, "
            f"{rps / direct[2][1]:.1f}x the in-memory DuckDB rate (informational: the targets are for the "
            "endpoints above)"
        )


def main() -> None:
    """Build (once) both lakes, load them, print the figures."""
    if shutil.which("wrk") is None:
        sys.exit("wrk is not installed (make bench installs it with apt-get)")
    BENCH.mkdir(parents=True, exist_ok=True)
    source = offline_lake()
    scaled = scaled_lake(source)
    print(
        f"API bench: granian, 2 workers, wrk -t1 -c{CONNECTIONS} -d{DURATION}s (after 2 s of warm-up), loopback; "
        f"{os.cpu_count()} CPU cores"
    )
    report("offline lake (real rows)", run("offline", source, "AAPL", 320193))
    report(
        f"scaled lake ({COMPANIES} companies x {QUARTERS} quarters, synthetic)",
        run("scaled", scaled, "S2345", 10_002_345),
    )


if __name__ == "__main__":
    main()
