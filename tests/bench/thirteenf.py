"""`python -m tests.bench.thirteenf`: 13F information table parsing throughput (rows/s) on the offline mirror.

Parses each information table in ``13f/`` (XML: ``13f-hr-infotable.xml``, ``sec-samples/information_table.xml``,
and the two full submissions through :func:`edgar.thirteenf.parse_13f`; HTML: ``privateportfolio-infotable.html``,
``form-13fhr.xml``) ``BENCH_REPEAT`` times per round (default 200) and prints the best of ``BENCH_ROUNDS`` rounds
(default 3). Measured in this run, printed, not asserted.
"""

from __future__ import annotations

import os
import time
from collections.abc import Callable
from pathlib import Path

from edgar.thirteenf import parse_13f, parse_information_table, parse_information_table_html
from lake.settings import Settings

ROUNDS = int(os.environ.get("BENCH_ROUNDS", "3"))
REPEAT = int(os.environ.get("BENCH_REPEAT", "200"))


def _rows_parse_13f(data: bytes, name: str) -> int:
    return len(parse_13f(name, data).holdings)


def _bench(label: str, files: dict[str, bytes], parse: Callable[[bytes, str], int]) -> None:
    best = float("inf")
    rows = 0
    size = sum(len(b) for b in files.values())
    for _ in range(ROUNDS):
        rows = 0
        started = time.perf_counter()
        for _ in range(REPEAT):
            for name, data in files.items():
                rows += parse(data, name)
        best = min(best, time.perf_counter() - started)
    print(
        f"{label:<34} {rows / REPEAT:>6.0f} rows x {REPEAT}: {best:7.3f} s  "
        f"{rows / best:>10,.0f} rows/s  {size * REPEAT / best / 1e6:6.1f} MB/s"
    )


def main() -> None:
    """Print rows/s for the XML, HTML and full-submission 13F parsers."""
    root: Path = Settings.from_env().edgar_mirror / "13f"
    xml = {n: (root / n).read_bytes() for n in ("13f-hr-infotable.xml", "sec-samples/information_table.xml")}
    html = {n: (root / n).read_bytes() for n in ("privateportfolio-infotable.html", "form-13fhr.xml")}
    subs = {n: (root / n).read_bytes() for n in ("0001894188-23-000007.txt", "0001951757-25-000093.nc")}
    print(f"13F information tables, best of {ROUNDS} rounds")
    _bench("XML parse_information_table", xml, lambda d, n: len(parse_information_table(d, n)))
    _bench("HTML parse_information_table_html", html, lambda d, n: len(parse_information_table_html(d, n)))
    _bench("SGML submissions parse_13f", subs, _rows_parse_13f)


if __name__ == "__main__":
    main()
