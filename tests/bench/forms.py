"""`python -m tests.bench.forms`: Forms 3/4/5 parsing throughput on the offline mirror.

Parses every ownership document of ``ownership/`` (stand-alone XML and full ``.txt``/``.nc`` submissions; the
row fragment is skipped) with :func:`edgar.ownership.parse_ownership` and turns each into insider-trade rows with
:func:`edgar.ownership.insider_trades`. Repeats the whole set until ``BENCH_SECONDS`` (default 2) have passed,
``BENCH_ROUNDS`` (default 3) times, and prints the best round's documents/s and rows/s (table rows and
InsiderTrade rows). Printed, not asserted.
"""

from __future__ import annotations

import os
import time
from pathlib import Path

from edgar.errors import ParseError
from edgar.ownership import insider_trades, parse_ownership
from lake.settings import Settings

ROUNDS = int(os.environ.get("BENCH_ROUNDS", "3"))
SECONDS = float(os.environ.get("BENCH_SECONDS", "2"))


def _documents(root: Path) -> list[tuple[str, bytes]]:
    out: list[tuple[str, bytes]] = []
    for path in sorted((root / "ownership").iterdir()):
        data = path.read_bytes()
        try:
            parse_ownership(data, path.name)
        except ParseError:
            continue
        out.append((path.name, data))
    return out


def _round(docs: list[tuple[str, bytes]]) -> tuple[int, int, int, float]:
    n_docs = n_rows = n_trades = 0
    start = time.perf_counter()
    while True:
        for name, data in docs:
            doc = parse_ownership(data, name)
            n_rows += len(doc.non_derivative) + len(doc.derivative)
            n_trades += len(insider_trades(doc, filing_date=doc.filing_date or "1970-01-01"))
            n_docs += 1
        elapsed = time.perf_counter() - start
        if elapsed >= SECONDS:
            return n_docs, n_rows, n_trades, elapsed


def main() -> None:
    """Run the benchmark and print its figures."""
    docs = _documents(Settings.from_env().edgar_mirror)
    size = sum(len(d) for _, d in docs)
    print(f"{len(docs)} ownership documents, {size / 1e3:.1f} kB")
    best: tuple[float, float, float] | None = None
    for i in range(ROUNDS):
        n_docs, n_rows, n_trades, elapsed = _round(docs)
        rates = (n_docs / elapsed, n_rows / elapsed, n_trades / elapsed)
        print(
            f"round {i + 1}: {rates[0]:,.0f} documents/s, {rates[1]:,.0f} table rows/s, {rates[2]:,.0f} trades/s"
        )
        if best is None or rates[0] > best[0]:
            best = rates
    assert best is not None
    print(f"best: {best[0]:,.0f} documents/s, {best[1]:,.0f} table rows/s, {best[2]:,.0f} trades/s")


if __name__ == "__main__":
    main()
