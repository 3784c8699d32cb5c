"""`python -m tests.bench.facts`: XBRL fact extraction throughput on the whole offline mirror, with comparisons.

Measured in this run, printed, not asserted:

* ours: :func:`edgar.xbrl.parse_facts` on every instance and inline XBRL document of ``xbrl/`` and ``ixbrl/``
  (best of ``BENCH_ROUNDS`` rounds): MB, seconds, MB/s, facts/s. Instances and linkbases go through the C scanner
  (``edgar/xbrl/_scan.c``) when it is built; the lxml reader of instances is timed too, for reference;
* floor: a bare ``lxml.etree.iterparse`` of the same bytes that consumes and clears every element and extracts
  nothing (inline documents that are not well-formed XML are parsed in recovery mode);
* edgartools: ``XBRL.from_directory`` on each ``xbrl/<filing>/`` folder (instance + schema + linkbases), run in a
  subprocess with the interpreter named by ``EDGARTOOLS_PYTHON`` (edgartools' package is also called ``edgar``,
  so it cannot share this process); skipped with a note when the variable is unset. Compared with our parse of
  the same folders' instances plus their label/calculation/presentation linkbases;
* Arelle: ``Cntlr`` + ``modelManager.load`` of each instance, offline (it cannot fetch the standard taxonomies, so
  it loads the facts without their schemas), in a subprocess of this interpreter;
* peak memory of parsing the largest document and the largest instance: growth of the peak RSS (``VmHWM``, reset through
  ``/proc/self/clear_refs``) over the RSS before the parse, in a fresh subprocess (Linux only).

Targets (issue): >= 5x faster than edgartools, >= 30x faster than Arelle, within 2x of the bare parse.
"""

from __future__ import annotations

import io
import json
import os
import subprocess
import sys
import time
from pathlib import Path

from lxml import etree

from edgar.parse.detect import HEAD_BYTES, detect_kind
from edgar.xbrl import instance, parse_facts
from edgar.xbrl.linkbase import parse_calculation, parse_labels, parse_presentation
from edgar.xbrl.xmlread import prepare
from lake.settings import PROJECT_ROOT, Settings

ROUNDS = int(os.environ.get("BENCH_ROUNDS", "3"))

_EDGARTOOLS = r"""
import json, sys, time
from edgar.xbrl import XBRL
dirs = json.loads(sys.argv[1])
XBRL.from_directory(dirs[0])  # warm-up: imports, caches
out = {}
for d in dirs:
    t = time.perf_counter()
    x = XBRL.from_directory(d)
    n = len(x.facts)
    out[d] = (time.perf_counter() - t, n)
print(json.dumps(out))
"""

_ARELLE = r"""
import json, sys, time, logging
logging.disable(logging.CRITICAL)
from arelle import Cntlr
paths = json.loads(sys.argv[1])
cntlr = Cntlr.Cntlr(logFileName="logToBuffer")
cntlr.webCache.workOffline = True
out = {}
for p in paths:
    t = time.perf_counter()
    model = cntlr.modelManager.load(p)
    n = len(model.facts) if model is not None else 0
    out[p] = (time.perf_counter() - t, n)
    cntlr.modelManager.close()
print(json.dumps(out))
"""

_MEMORY = r"""
import sys
from pathlib import Path
from edgar.xbrl import parse_facts

def status(key):
    for line in open("/proc/self/status"):
        if line.startswith(key):
            return int(line.split()[1])

path = Path(sys.argv[1])
data = path.read_bytes()
with open("/proc/self/clear_refs", "w") as fh:
    fh.write("5")  # reset the peak (VmHWM) to the current RSS
before = status("VmRSS:")
fs = parse_facts(path.name, data)
print(before, status("VmHWM:"), len(fs.facts))
"""


def _documents(mirror: Path) -> list[Path]:
    docs = []
    for path in sorted([*mirror.glob("xbrl/**/*"), *mirror.glob("ixbrl/*")]):
        if path.is_file():
            with path.open("rb") as fh:
                kind = detect_kind(path.name, fh.read(HEAD_BYTES))
            if kind in ("xbrl-instance", "inline-xbrl"):
                docs.append(path)
    return docs


def _ours(blobs: list[tuple[Path, bytes]]) -> tuple[float, int]:
    started = time.perf_counter()
    n = sum(len(parse_facts(path.name, data).facts) for path, data in blobs)
    return time.perf_counter() - started, n


def _lxml_instances(blobs: list[tuple[Path, bytes]]) -> float:
    started = time.perf_counter()
    for path, data in blobs:
        body, offset = prepare(data)
        instance.parse_instance_lxml(body, offset, path.name)
    return time.perf_counter() - started


def _floor(blobs: list[tuple[Path, bytes]]) -> float:
    started = time.perf_counter()
    for _, data in blobs:
        body = data.lstrip()
        try:
            for _, elem in etree.iterparse(io.BytesIO(body), events=("end",), huge_tree=True):
                elem.clear()
        except etree.XMLSyntaxError:
            for _, elem in etree.iterparse(io.BytesIO(body), events=("end",), huge_tree=True, recover=True):
                elem.clear()
    return time.perf_counter() - started


def _folder_files(folders: list[Path]) -> list[tuple[str, str, bytes]]:
    """(role, name, bytes) of each folder's instance and label/calculation/presentation linkbases."""
    files = []
    for folder in folders:
        for path in sorted(folder.iterdir()):
            data = path.read_bytes()
            for suffix, role in (("_lab.xml", "lab"), ("_cal.xml", "cal"), ("_pre.xml", "pre")):
                if path.name.endswith(suffix):
                    files.append((role, path.name, data))
            if detect_kind(path.name, data[:HEAD_BYTES]) == "xbrl-instance":
                files.append(("instance", path.name, data))
    return files


def _ours_folders(files: list[tuple[str, str, bytes]]) -> float:
    started = time.perf_counter()
    for role, name, data in files:
        if role == "lab":
            parse_labels(data, name)
        elif role == "cal":
            parse_calculation(data, name)
        elif role == "pre":
            parse_presentation(data, name)
        else:
            parse_facts(name, data)
    return time.perf_counter() - started


def _subprocess(python: str, script: str, arg: str) -> dict[str, tuple[float, int]] | str:
    # edgartools' package is also called ``edgar``: keep this project's folder off the child's sys.path
    env = {k: v for k, v in os.environ.items() if k != "PYTHONPATH"}
    proc = subprocess.run(
        [python, "-c", script, arg],
        capture_output=True,
        text=True,
        cwd="/tmp",
        timeout=600,
        check=False,
        env=env,
    )
    if proc.returncode != 0:
        return f"failed: {proc.stderr.strip()[-500:]}"
    result: dict[str, tuple[float, int]] = json.loads(proc.stdout.strip().splitlines()[-1])
    return result


def main() -> None:
    """Run the benchmark and print figures and ratios."""
    mirror = Settings.from_env().edgar_mirror
    docs = _documents(mirror)
    blobs = [(p, p.read_bytes()) for p in docs]
    megabytes = sum(len(d) for _, d in blobs) / 1e6
    n_instances = sum(1 for p in docs if p.suffix == ".xml")
    print(
        f"corpus: {len(docs)} documents ({n_instances} instances, {len(docs) - n_instances} inline), {megabytes:.1f} MB"
    )

    built = instance._scan is not None
    print(
        "C scanner (edgar/xbrl/_scan.c): "
        + (
            "built: reads instances and linkbases"
            if built
            else "NOT built (no C compiler): lxml reads everything"
        )
    )
    runs = [_ours(blobs) for _ in range(ROUNDS)]
    ours, n_facts = min(runs)
    floor = min(_floor(blobs) for _ in range(ROUNDS))
    inst = [(p, d) for p, d in blobs if p.suffix == ".xml"]
    inline = [(p, d) for p, d in blobs if p.suffix != ".xml"]
    ours_inst = min(_ours(inst)[0] for _ in range(ROUNDS))
    ours_inline = min(_ours(inline)[0] for _ in range(ROUNDS))
    floor_inst = min(_floor(inst) for _ in range(ROUNDS))
    floor_inline = min(_floor(inline) for _ in range(ROUNDS))
    print(
        f"ours:  {ours:.3f} s  {megabytes / ours:.1f} MB/s  {n_facts / ours:,.0f} facts/s  ({n_facts:,} facts)"
    )
    print(f"floor (bare lxml iterparse): {floor:.3f} s -> ours / floor = {ours / floor:.2f}x  (target <= 2x)")
    print(f"  instances: ours {ours_inst:.3f} s, floor {floor_inst:.3f} s -> {ours_inst / floor_inst:.2f}x")
    print(
        f"  inline:    ours {ours_inline:.3f} s, floor {floor_inline:.3f} s -> {ours_inline / floor_inline:.2f}x"
    )
    lxml_inst = min(_lxml_instances(inst) for _ in range(ROUNDS))
    print(f"  instances with the lxml reader alone (reference): {lxml_inst:.3f} s")

    folders = sorted({p.parent for p in docs if p.parent.parent.name == "xbrl" and p.parent.name != "single"})
    edgartools = os.environ.get("EDGARTOOLS_PYTHON")
    if not edgartools:
        print("edgartools: skipped (set EDGARTOOLS_PYTHON to an interpreter with edgartools installed)")
    else:
        result = _subprocess(edgartools, _EDGARTOOLS, json.dumps([str(f) for f in folders]))
        if isinstance(result, str):
            print(f"edgartools: {result}")
        else:
            theirs = sum(t for t, _ in result.values())
            files = _folder_files(folders)
            mine = min(_ours_folders(files) for _ in range(ROUNDS))
            print(
                f"edgartools XBRL.from_directory on {len(folders)} xbrl/ folders: {theirs:.3f} s "
                f"({sum(n for _, n in result.values()):,} facts); ours (instance + lab/cal/pre) {mine:.3f} s "
                f"-> {theirs / mine:.1f}x faster (target >= 5x)"
            )

    instances = [str(p) for p in docs if p.suffix == ".xml"]
    result = _subprocess(sys.executable, _ARELLE, json.dumps(instances))
    if isinstance(result, str):
        print(f"Arelle: {result}")
    else:
        theirs = sum(t for t, _ in result.values())
        print(
            f"Arelle (offline, no taxonomies) on {len(instances)} instances: {theirs:.3f} s "
            f"({sum(n for _, n in result.values()):,} facts loaded); ours {ours_inst:.3f} s "
            f"-> {theirs / ours_inst:.1f}x faster (target >= 30x); lxml reader alone {theirs / lxml_inst:.1f}x"
        )

    largest_instance = max((p for p in docs if p.suffix == ".xml"), key=lambda p: p.stat().st_size)
    for largest in (max(docs, key=lambda p: p.stat().st_size), largest_instance):
        proc = subprocess.run(
            [sys.executable, "-c", _MEMORY, str(largest)],
            capture_output=True,
            text=True,
            cwd=PROJECT_ROOT,
            check=True,
        )
        before, after, n = (int(x) for x in proc.stdout.split())
        print(
            f"peak memory parsing {largest.relative_to(mirror)} ({largest.stat().st_size / 1e6:.1f} MB, {n} facts): "
            f"peak RSS +{(after - before) / 1024:.1f} MB over the {before / 1024:.1f} MB of the process before"
        )


if __name__ == "__main__":
    main()
