"""`make scanner-asan`: the C scanner built with AddressSanitizer and UBSan, run over the mirror and damaged variants.

Not part of `make test` (it needs libasan and a second build); run it after changing ``edgar/xbrl/_scan.c``. It
builds ``_scan.c`` into a temporary folder with ``-fsanitize=address,undefined``, re-runs this script with libasan
preloaded, loads that build in place of the installed one, and feeds it every instance and linkbase of the mirror,
thousands of damaged variants and the edited text blocks of ``test_xbrl_scan``. Any memory error or undefined
behaviour aborts with the sanitizer's report; a clean run prints the number of documents scanned.
"""

from __future__ import annotations

import importlib.util
import os
import random
import subprocess
import sys
import sysconfig
import tempfile
from pathlib import Path

SOURCE = Path(__file__).resolve().parents[2] / "edgar" / "xbrl" / "_scan.c"


def _scan_everything(library: str) -> int:
    spec = importlib.util.spec_from_file_location("edgar.xbrl._scan", library)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    from edgar.xbrl import instance, linkbase
    from tests.edgar import test_xbrl_scan as t

    instance._scan = module
    linkbase._scan = module
    t._scan = module
    n = 0
    for rel in sorted(t.COUNTS):
        t._both(t.prepare((t.MIRROR / rel).read_bytes())[0])
        n += 1
    for rel in t.LINKBASES:
        t._links_both(t.prepare((t.MIRROR / rel).read_bytes())[0], rel[-7:-4])
        n += 1
    for rel, count, kind in (
        ("xbrl/single/waters-8k-instance.xml", 3000, None),
        ("xbrl/nflx-10q-2010-09-30/nflx-20100930.xml", 300, None),
        ("xbrl/nflx-10q-2010-09-30/nflx-20100930_cal.xml", 1500, "cal"),
    ):
        body = t.prepare((t.MIRROR / rel).read_bytes())[0]
        for variant in t._variants(body, random.Random(rel), count):
            if kind is None:
                t._both(variant)
            else:
                t._links_both(variant, kind)
            n += 1
    body = t.prepare((t.MIRROR / "xbrl/aapl-10q-2023-07-01/aapl-20230701_htm.xml").read_bytes())[0]
    at = body.index(b">", body.index(b"TextBlock")) + 1
    for text in t._TEXTS:
        t._both(body[:at] + text.encode() + body[at:])
        n += 1
    return n


def main() -> None:
    """Build the sanitized scanner, then scan everything with it in a child process."""
    if len(sys.argv) > 1:  # the child, with libasan preloaded
        print(f"scanner-asan: {_scan_everything(sys.argv[1])} documents scanned, no sanitizer report")
        return
    out = Path(tempfile.mkdtemp(prefix="scan-asan-")) / "_scan.so"
    include = sysconfig.get_paths()["include"]
    flags = ["-O1", "-g", "-fsanitize=address,undefined", "-fno-omit-frame-pointer", "-fPIC", "-shared"]
    subprocess.run(["gcc", *flags, f"-I{include}", str(SOURCE), "-o", str(out)], check=True)
    runtimes = [
        subprocess.run(
            ["gcc", f"-print-file-name={lib}"], capture_output=True, text=True, check=True
        ).stdout.strip()
        for lib in ("libasan.so", "libubsan.so")
    ]
    env = {
        **os.environ,
        "LD_PRELOAD": ":".join(runtimes),
        "ASAN_OPTIONS": "detect_leaks=0",  # CPython's own allocations are not leaks
        "UBSAN_OPTIONS": "halt_on_error=1:print_stacktrace=1",
    }
    sys.exit(
        subprocess.run(
            [sys.executable, "-m", "tests.edgar.asan_scan", str(out)], env=env, check=False
        ).returncode
    )


if __name__ == "__main__":
    main()
