"""A synthetic, replicating loopback SEC: the mirror's real 10-K/10-Q XBRL filings served N times over as new filers.

How replication works (all deterministic; bytes are generated on request, nothing is copied to disk):

* **Base filings.** The mirror's 10-K/10-Q XBRL document sets, found as the offline inventory finds them
  (:func:`edgar.inventory.group_of` / ``inspect`` / ``group_identity`` over ``xbrl/`` and ``ixbrl/``): each
  ``xbrl/<set>/`` folder (instance + schema + linkbases, and an inline primary document where there is one),
  each single instance of ``xbrl/single/`` and each inline document of ``ixbrl/`` whose cover states a CIK and
  a 10-K/10-Q form (29 filings of 8 filers). Base filing ``i`` is the ``i``-th in path order; the distinct base
  CIKs, sorted, get a ``cik_index`` 0, 1, ...
* **Replicas.** Replica ``k`` (0-based) of base filing ``i`` is filed by CIK ``9_000_000 + k * 10_000 +
  cik_index`` (one new filer per base filer and replica: a replica filer has as many filings as the base filer)
  under accession ``{9_000_000 + k * 10_000:010d}-{yy}-{i + 1:06d}``, named ``<BASE NAME> SCALE REPLICA k``.
* **Filing days.** Everything is filed in one quarter (``quarter``, default 2024Q3; the real filing dates span
  2010-2025, so they are moved): base filing ``i`` of ``B`` is filed on business day ``i * (D - 3) // B`` of
  the quarter's ``D`` weekdays, for every replica ``k < n``. The last 3 weekdays are kept for increments:
  with ``increments = j``, replicas ``n .. n + j - 1`` (one full replica block per day, ``B`` filings) are filed
  on weekdays ``D - 3 .. D - 3 + j - 1`` (so a daily update adds one day's ``B`` new filings). Acceptance is
  16:00 Eastern plus ``i`` minutes.
* **Rewritten bytes.** In every served document the entity CIK is the replica's: ``dei:EntityCentralIndexKey``
  and every ``<identifier scheme="http://www.sec.gov/CIK">`` of the XBRL / inline XBRL; the SGML header
  (ACCESSION NUMBER, CENTRAL INDEX KEY, COMPANY CONFORMED NAME, FILED AS OF DATE, ACCEPTANCE-DATETIME) is
  generated; paths carry the new CIK and accession. Facts, contexts and linkbases are otherwise unchanged.

Paths served (anything else falls back to the mirror, e.g. ``/files/company_tickers.json``, else 404):

* ``/Archives/edgar/daily-index/YYYY/QTRn/form.YYYYMMDD.idx``: every weekday of the quarter, listing that day's
  replicas plus one filler ``S-8`` line (a form nobody tracks, so no business day is unpublished); reserved
  increment days are 404 until published;
* ``/Archives/edgar/data/{cik}/{acc}.txt`` and ``.../{acc-no-dashes}/{acc}.txt``: the full SGML submission;
* ``.../{acc-no-dashes}/index.json`` (and ``{acc}-index.json``): the folder listing; ``{acc}.hdr.sgml``: the
  header in EDGAR's tag format; ``{acc}-index-headers.html``: the header page live mode reads (rendered
  like :func:`edgar.mirror.render_index_headers`); ``.../{acc-no-dashes}/{name}``: one document;
* ``/submissions/CIK##########.json``: the replica filer's feed (``filings.recent`` columns, no overflow);
* ``/api/xbrl/companyfacts/CIK##########.json``: the filer's non-dimensional numeric facts (us-gaap, dei,
  srt, ifrs-full, invest) of its replica filings, parsed from the base documents with :mod:`edgar.xbrl`.

Each response waits ``latency_s`` (a ``(low, high)`` range: uniform random, seeded). Every response is logged in
:attr:`ScaleSec.served` (path, status, body bytes, bytes on the wire): the bench counts requests and bytes
from it. Use the real ``SecHttpClient`` (live mode, ``SEC_WWW_URL``/``SEC_DATA_URL`` = :attr:`base_url`).
"""

from __future__ import annotations

import gzip
import json
import random
import re
import threading
import time
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from functools import cache
from http.server import ThreadingHTTPServer
from pathlib import Path
from typing import Any

from edgar.mirror import NotInMirror, render_index_headers, resolve
from edgar.parse.sgml import parse_sgml_submission
from edgar.xbrl import parse_facts
from tests.support import scale_filings as sf
from tests.support.sec_server import RecordedRequest, SecServer, _content_type, _Handler, _HTTPServer

_INDEX = re.compile(r"^/Archives/edgar/daily-index/(\d{4})/QTR([1-4])/form\.(\d{8})\.idx$")
_FLAT_TXT = re.compile(r"^/Archives/edgar/data/(\d+)/(\d{10}-\d{2}-\d{6})\.txt$")
_FOLDER = re.compile(r"^/Archives/edgar/data/(\d+)/(\d{18})/([^/]+)$")
_SUBMISSIONS = re.compile(r"^/submissions/CIK(\d{10})\.json$")
_COMPANYFACTS = re.compile(r"^/api/xbrl/companyfacts/CIK(\d{10})\.json$")
_TAXONOMIES = ("us-gaap", "dei", "srt", "ifrs-full", "invest")


@dataclass(frozen=True)
class Served:
    """One response: when (monotonic), the path, the status, body bytes and bytes sent (gzip)."""

    t: float
    path: str
    status: int
    body_bytes: int
    wire_bytes: int


class _ScaleHandler(_Handler):
    server: Any

    def do_GET(self) -> None:
        sec: ScaleSec = self.server.sec
        sec._record(
            RecordedRequest(time.monotonic(), self.path, dict(self.headers.items()), self.client_address[:2])
        )
        if not sec.keep_alive:
            self.close_connection = True
        time.sleep(sec.next_latency())
        path = self.path.split("?", 1)[0]
        try:
            body, ctype = sec.respond(path)
            code = 200
        except LookupError as exc:
            body, ctype, code = f"{exc}\n".encode(), "text/plain", 404
        wire = self._send(code, body, ctype)
        sec._served(Served(time.monotonic(), path, code, len(body), wire))

    def _send(  # type: ignore[override]
        self,
        code: int,
        body: bytes,
        content_type: str,
        headers: dict[str, str] | None = None,
        truncate_to: Any = None,
    ) -> int:
        accepted = {
            t.split(";", 1)[0].strip().lower() for t in self.headers.get("Accept-Encoding", "").split(",")
        }
        if "gzip" in accepted:
            body = gzip.compress(body, compresslevel=1, mtime=0)
        self.send_response(code)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(body)))
        if "gzip" in accepted:
            self.send_header("Content-Encoding", "gzip")
        if self.close_connection:
            self.send_header("Connection", "close")
        self.end_headers()
        self.wfile.write(body)
        self.wfile.flush()
        return len(body)


class ScaleSec(SecServer):
    """The replicating loopback SEC: ``ScaleSec(mirror, n=20).start()``; ``increments`` publishes new days."""

    def __init__(
        self,
        mirror_root: Path,
        n: int,
        *,
        quarter: str = "2024Q3",
        latency_s: tuple[float, float] = (0.05, 0.15),
        increments: int = 0,
        seed: int = 15,
        keep_alive: bool = True,
    ) -> None:
        """Serve ``n`` replicas of the mirror's base filings (and ``increments`` extra days) in ``quarter``."""
        super().__init__(mirror_root, keep_alive=keep_alive)
        self.n, self.quarter, self.latency_range, self.increments = n, quarter, latency_s, increments
        self.bases = sf.base_filings(self.mirror_root)
        self._random = random.Random(seed)
        self._served_log: list[Served] = []
        self._served_lock = threading.Lock()

    # --- what is published ------------------------------------------------------------------------------
    def replicas(self) -> list[sf.Replica]:
        """Every published replica: blocks ``0 .. n - 1`` and the ``increments`` day blocks after them."""
        return [
            sf.replica(b, k, self.n, self.quarter, len(self.bases))
            for k in range(self.n + min(self.increments, sf.RESERVED_DAYS))
            for b in self.bases
        ]

    def _replica_of(self, cik: int, accession: str | None = None, nodash: str | None = None) -> sf.Replica:
        k, cik_index = divmod(cik - sf.BASE_CIK, sf.BLOCK)
        if cik < sf.BASE_CIK or not 0 <= k < self.n + min(self.increments, sf.RESERVED_DAYS):
            raise LookupError(f"CIK {cik} is not a replica filer")
        for base in self.bases:
            if base.cik_index != cik_index:
                continue
            rep = sf.replica(base, k, self.n, self.quarter, len(self.bases))
            if rep.accession == accession or rep.accession.replace("-", "") == nodash:
                return rep
        raise LookupError(f"no replica filing {accession or nodash} of CIK {cik}")

    def filer_replicas(self, cik: int) -> list[sf.Replica]:
        """The published replica filings of one replica filer."""
        return [r for r in self.replicas() if r.cik == cik]

    # --- responses ----------------------------------------------------------------------------------------
    def next_latency(self) -> float:
        """The delay of the next response (uniform in ``latency_s``)."""
        low, high = self.latency_range
        with self._lock:
            return self._random.uniform(low, high) if high > 0 else 0.0

    def respond(self, path: str) -> tuple[bytes, str]:
        """The body and content type of ``path``; ``LookupError`` for a 404."""
        if m := _INDEX.match(path):
            day = date(int(m.group(3)[:4]), int(m.group(3)[4:6]), int(m.group(3)[6:]))
            days = sf.business_days(self.quarter)
            published = days[: len(days) - sf.RESERVED_DAYS + min(self.increments, sf.RESERVED_DAYS)]
            if day not in published:
                raise LookupError(f"{path}: not published")
            return sf.daily_index(day, [r for r in self.replicas() if r.day == day]), "text/plain"
        if m := _FLAT_TXT.match(path):
            return sf.submission(self._replica_of(int(m.group(1)), m.group(2))), "text/plain"
        if m := _FOLDER.match(path):
            cik, nodash, name = int(m.group(1)), m.group(2), m.group(3)
            rep = self._replica_of(cik, nodash=nodash)
            if name == f"{rep.accession}.txt":
                return sf.submission(rep), "text/plain"
            if name in ("index.json", f"{rep.accession}-index.json"):
                return sf.folder_index(rep), "application/json"
            if name == f"{rep.accession}.hdr.sgml":
                return sf.hdr_sgml(rep), "text/plain"
            if name == f"{rep.accession}-index-headers.html":
                data = sf.submission(rep)
                folder = path.rsplit("/", 1)[0] + "/"
                return render_index_headers(data, parse_sgml_submission(data, name), folder), "text/html"
            body = sf.document(rep, name)
            if body is None:
                raise LookupError(f"{path}: no such document")
            return body, _content_type(name)
        if m := _SUBMISSIONS.match(path):
            return self.submissions_feed(int(m.group(1))), "application/json"
        if m := _COMPANYFACTS.match(path):
            return self.companyfacts(int(m.group(1))), "application/json"
        try:
            return resolve(self.mirror_root, path).read_bytes(), _content_type(path)
        except NotInMirror as exc:
            raise LookupError(str(exc)) from exc

    def submissions_feed(self, cik: int) -> bytes:
        """``data.sec.gov/submissions/CIK##########.json`` of a replica filer (newest filing first)."""
        reps = sorted(self.filer_replicas(cik), key=lambda r: (r.day, r.acceptance), reverse=True)
        if not reps:
            raise LookupError(f"CIK {cik} is not a replica filer")
        cols: dict[str, list[Any]] = {
            "accessionNumber": [r.accession for r in reps],
            "filingDate": [f"{r.day:%Y-%m-%d}" for r in reps],
            "reportDate": [f"{r.base.period:%Y-%m-%d}" if r.base.period else "" for r in reps],
            "acceptanceDateTime": [
                f"{r.day:%Y-%m-%d}T{r.acceptance[8:10]}:{r.acceptance[10:12]}:00.000Z" for r in reps
            ],
            "act": ["34"] * len(reps),
            "form": [r.base.form for r in reps],
            "fileNumber": [f"001-{r.cik % 100000:05d}" for r in reps],
            "filmNumber": [""] * len(reps),
            "items": [""] * len(reps),
            "size": [sum(d.path.stat().st_size for d in r.base.docs) for r in reps],
            "isXBRL": [1] * len(reps),
            "isInlineXBRL": [int(any(d.kind == "inline-xbrl" for d in r.base.docs)) for r in reps],
            "primaryDocument": [r.base.docs[0].name for r in reps],
            "primaryDocDescription": [r.base.form for r in reps],
        }
        feed = {
            "cik": str(cik),
            "entityType": "operating",
            "sic": "",
            "sicDescription": "",
            "name": reps[0].company,
            "tickers": [],
            "exchanges": [],
            "fiscalYearEnd": "1231",
            "filings": {"recent": cols, "files": []},
        }
        return json.dumps(feed).encode()

    def companyfacts(self, cik: int) -> bytes:
        """``data.sec.gov/api/xbrl/companyfacts/CIK##########.json`` of a replica filer."""
        reps = self.filer_replicas(cik)
        if not reps:
            raise LookupError(f"CIK {cik} is not a replica filer")
        facts: dict[str, dict[str, Any]] = {}
        for rep in reps:
            for taxonomy, concept, unit, start, end, val in _base_facts(rep.base.docs):
                entry: dict[str, Any] = {"end": end, "val": val, "accn": rep.accession}
                if start:
                    entry["start"] = start
                entry.update(form=rep.base.form, filed=f"{rep.day:%Y-%m-%d}")
                node = facts.setdefault(taxonomy, {}).setdefault(concept, {"label": concept, "units": {}})
                node["units"].setdefault(unit, []).append(entry)
        return json.dumps({"cik": cik, "entityName": reps[0].company, "facts": facts}).encode()

    # --- the log ------------------------------------------------------------------------------------------
    @property
    def served(self) -> list[Served]:
        """Every response so far, in order (a copy)."""
        with self._served_lock:
            return list(self._served_log)

    def _served(self, item: Served) -> None:
        with self._served_lock:
            self._served_log.append(item)

    def start(self) -> ScaleSec:
        """Listen on 127.0.0.1 (a free port) and serve in a background thread."""
        httpd: ThreadingHTTPServer = _HTTPServer(("127.0.0.1", 0), _ScaleHandler)
        httpd.sec = self  # type: ignore[attr-defined]
        self._httpd = httpd  # type: ignore[assignment]
        self._thread = threading.Thread(
            target=httpd.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True
        )
        self._thread.start()
        return self


def _number(value: str) -> int | float:
    d = Decimal(value)
    return int(d) if d == d.to_integral_value() else float(d)


@cache
def _base_facts(
    docs: tuple[sf.BaseDoc, ...],
) -> tuple[tuple[str, str, str, str | None, str, int | float], ...]:
    """(taxonomy, concept, unit, start, end, value) of a base filing's non-dimensional numeric facts."""
    doc = next((d for d in docs if d.kind == "xbrl-instance"), None) or next(
        (d for d in docs if d.kind == "inline-xbrl"), None
    )
    if doc is None:
        return ()
    out = []
    for fact in parse_facts(doc.name, doc.path.read_bytes()).facts:
        prefix, _, name = fact.concept.partition(":")
        if (
            prefix not in _TAXONOMIES
            or fact.dimensions
            or not fact.numeric
            or fact.value is None
            or not fact.end
        ):
            continue
        try:
            value = _number(fact.value)
        except ArithmeticError:
            continue
        start = f"{fact.start:%Y-%m-%d}" if fact.start else None
        out.append((prefix, name, fact.unit or "pure", start, f"{fact.end:%Y-%m-%d}", value))
    return tuple(out)
