"""Delete stored filings that no ingestion scope wants any more: the one command that removes EDGAR data.

Changing or removing a scope never deletes anything (``filing_documents`` carries such filings over as they
are). This command does, explicitly: it selects the stored ``filings`` that the current scopes no longer plan
(see :func:`outside_scopes`), narrowed by ``--scope`` (filings a given, e.g. removed, scope brought in),
``--forms``, ``--ciks`` and ``--quarters``, prints them and every row of every table derived from them, and
deletes those rows only with ``--yes``::

    python -m assets.edgar.prune --forms 10-K --dry-run
    python -m assets.edgar.prune --scope old-universe --yes

Tables touched: every lake table with a ``filing_id`` column (``filings``, ``raw_documents``, ``facts``,
``fact_footnotes``, ``xbrl_filings``, ``concept_labels``, ``linkbase_arcs``, the ownership, 13F and 8-K
tables...; :func:`filing_tables` lists them). The document files stay in the object store (content-addressed;
a later fetch of the same filing finds them). Derived tables without ``filing_id`` (statements, metrics) are
recomputed by the next run.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable, Sequence
from typing import Any

import pyarrow as pa
import pyarrow.compute as pc

from assets.edgar.plans import live_plans, resolve_scopes
from assets.resources import open_source
from lake.delta import overwrite_table, read_table, table_exists, write_partition
from lake.registry import TableSpec, all_tables
from lake.scopes import Scope, load_scopes
from lake.settings import Settings
from lake.storage import Lake
from lake.tables import EDGAR_INDEX, FILING_QUARTER, FILINGS


def filing_tables() -> list[TableSpec]:
    """Every registered table with a ``filing_id`` column (``filings`` and everything derived per filing)."""
    return [spec for spec in all_tables() if "filing_id" in spec.schema.names]


def outside_scopes(
    filings: list[dict[str, Any]], index_rows: list[dict[str, Any]], scopes: Sequence[Scope]
) -> list[dict[str, Any]]:
    """The stored filings the scopes no longer plan.

    Not planned from the discovered index rows, and no scope covers their own (form, CIK) either (Forms 3/4/5
    are stored under the issuer, discovered under either party).
    """
    planned = {p.filing_id() for p in live_plans(index_rows, scopes)}
    return [
        f
        for f in filings
        if f["filing_id"] not in planned and not any(s.covers(f["form"] or "", f["cik"] or 0) for s in scopes)
    ]


def select(
    filings: list[dict[str, Any]],
    *,
    scope: Sequence[str] = (),
    forms: Sequence[str] = (),
    ciks: Sequence[int] = (),
) -> list[dict[str, Any]]:
    """Narrow ``filings`` to those a listed scope brought in, of a listed form, of a listed CIK (empty = any)."""
    return [
        f
        for f in filings
        if (not scope or set(scope) & set(f.get("scopes") or ()))
        and (not forms or f["form"] in forms)
        and (not ciks or f["cik"] in ciks)
    ]


def prune(
    store: Lake, doomed: list[dict[str, Any]], *, delete: bool, out: Callable[[str], None] = print
) -> dict[str, int]:
    """Print (and with ``delete``, remove) the rows of ``doomed`` filings in every filing table; rows per table."""
    ids = pa.array(sorted({f["filing_id"] for f in doomed}), pa.string())
    quarters = sorted({f[FILING_QUARTER] for f in doomed})
    removed: dict[str, int] = {}
    for spec in filing_tables():
        if not table_exists(store, spec) or not len(ids):
            continue
        by_quarter = FILING_QUARTER in spec.partition_by
        scope = pc.field(FILING_QUARTER).isin(quarters) if by_quarter else None
        table = read_table(store, spec, filters=scope)
        gone = pc.is_in(table["filing_id"], value_set=ids)
        count = pc.sum(gone).as_py() or 0
        if not count:
            continue
        removed[spec.name] = count
        out(f"{spec.name}: {count} row(s)")
        if delete:
            kept = table.filter(pc.invert(gone))
            if by_quarter:
                write_partition(store, spec, kept, partitions={FILING_QUARTER: quarters})
            else:
                overwrite_table(store, spec, kept)
    return removed


def main(argv: Sequence[str] | None = None, settings: Settings | None = None) -> int:
    """The command line (see the module docstring); returns the exit status."""
    parser = argparse.ArgumentParser(prog="python -m assets.edgar.prune", description=__doc__.split("\n")[0])
    parser.add_argument("--scope", action="append", default=[], help="only filings this scope brought in")
    parser.add_argument("--forms", default="", help="only these forms (comma-separated)")
    parser.add_argument("--ciks", default="", help="only these CIKs (comma-separated)")
    parser.add_argument("--quarters", default="", help="only these filing quarters (2024Q3,...)")
    parser.add_argument("--dry-run", action="store_true", help="print what would be removed (the default)")
    parser.add_argument("--yes", action="store_true", help="really delete")
    args = parser.parse_args(argv)
    settings = settings or Settings.from_env()
    if settings.edgar_source != "live":
        print("prune works on a live lake (EDGAR_SOURCE=live); the offline lake is rebuilt from the mirror")
        return 2
    store = Lake.from_settings(settings)
    scopes = load_scopes(settings)
    if any(s.companies == "sec-tickers" for s in scopes):
        scopes = resolve_scopes(scopes, open_source(settings))
    quarters = [q.strip() for q in args.quarters.split(",") if q.strip()]
    flt = pc.field(FILING_QUARTER).isin(quarters) if quarters else None
    filings = read_table(store, FILINGS, filters=flt).to_pylist() if table_exists(store, FILINGS) else []
    index = (
        read_table(store, EDGAR_INDEX, filters=flt).to_pylist() if table_exists(store, EDGAR_INDEX) else []
    )
    doomed = select(
        outside_scopes(filings, index, scopes),
        scope=args.scope,
        forms=[f.strip() for f in args.forms.split(",") if f.strip()],
        ciks=[int(c) for c in args.ciks.split(",") if c.strip()],
    )
    print(
        f"scopes: {', '.join(s.name for s in scopes)}; {len(doomed)} of {len(filings)} filing(s) outside them"
    )
    for f in sorted(doomed, key=lambda f: (f[FILING_QUARTER], f["cik"] or 0, f["filing_id"])):
        print(
            f"  {f[FILING_QUARTER]} {f['filing_id']} cik={f['cik']} form={f['form']} scopes={f.get('scopes')}"
        )
    delete = args.yes and not args.dry_run
    removed = prune(store, doomed, delete=delete)
    total = sum(removed.values())
    print(f"{'removed' if delete else 'would remove'} {total} row(s) from {len(removed)} table(s)")
    if not delete and doomed:
        print("nothing deleted: run again with --yes to delete")
    return 0


if __name__ == "__main__":
    sys.exit(main())
