"""Live mode with ``EDGAR_FETCH=documents`` against the loopback SEC: per filing its index-headers page and the
documents the pipeline parses; the downstream tables equal those of ``EDGAR_FETCH=full`` for the same filings.

The loopback SEC serves a generated mirror: the mirror's real Form 4, 8-K and 13F full submissions, and Apple's
10-Q for 2025-03-29 (accession 0000320193-25-000057) assembled as a full submission from the mirror's real
documents of that filing (``xbrl/aapl-10q-2025-03-29/``: the inline primary document, the extracted instance,
schema, four linkbases, FilingSummary.xml) under an SGML header written from Apple's submissions feed (accession,
dates, acceptance 06:00:46 as the feed gives it). The SEC would also hold R pages, the Excel report and the zip.
"""

from __future__ import annotations

import shutil
import tempfile
from collections import defaultdict
from collections.abc import Iterator
from datetime import date
from pathlib import Path
from typing import Any

import dagster as dg
import pyarrow as pa
import pytest

from assets.edgar.documents import filing_documents
from assets.events.eightk import eightk_events
from assets.events.reports import report_items
from assets.ownership.holdings import institutional_holdings
from assets.ownership.insiders import insider_trades
from assets.partitions import quarter_to_partition_key
from assets.resources import EdgarResource, LakeResource
from assets.xbrl.facts import xbrl_facts
from assets.xbrl.linkbases import xbrl_linkbases
from assets.xbrl.statements import financial_statements
from edgar import mirror, urls
from lake.delta import read_table, write_partition
from lake.settings import Settings
from lake.storage import Lake
from lake.tables import EDGAR_INDEX, FILING_QUARTER, FILINGS, RAW_DOCUMENTS
from tests.support.sec_server import SecServer

QUARTER = "2025Q2"
UA = "AIHF Tests aihf-tests@example.com"
APPLE, APPLE_10Q = 320193, "0000320193-25-000057"
FILINGS_ = [  # (cik, accession, form, mirror file)
    (APPLE, APPLE_10Q, "10-Q", None),
    (1750, "0001127602-25-001055", "4", "ownership/0001127602-25-001055.txt"),
    (1173313, "0001213900-25-032135", "8-K", "8k/0001213900-25-032135.txt"),
    (1894188, "0001894188-23-000007", "13F-HR", "13f/0001894188-23-000007.txt"),
]
_APPLE_DOCS = [  # (type, file, description) in the order EDGAR lists them
    ("10-Q", "aapl-20250329.htm", "10-Q"),
    ("EX-101.SCH", "aapl-20250329.xsd", "XBRL TAXONOMY EXTENSION SCHEMA DOCUMENT"),
    ("EX-101.CAL", "aapl-20250329_cal.xml", "XBRL TAXONOMY EXTENSION CALCULATION LINKBASE DOCUMENT"),
    ("EX-101.DEF", "aapl-20250329_def.xml", "XBRL TAXONOMY EXTENSION DEFINITION LINKBASE DOCUMENT"),
    ("EX-101.LAB", "aapl-20250329_lab.xml", "XBRL TAXONOMY EXTENSION LABEL LINKBASE DOCUMENT"),
    ("EX-101.PRE", "aapl-20250329_pre.xml", "XBRL TAXONOMY EXTENSION PRESENTATION LINKBASE DOCUMENT"),
    ("XML", "FilingSummary.xml", "IDEA: XBRL DOCUMENT"),
    ("XML", "aapl-20250329_htm.xml", "IDEA: XBRL DOCUMENT"),
]
_APPLE_HEADER = """<SEC-DOCUMENT>{a}.txt : 20250502
<SEC-HEADER>{a}.hdr.sgml : 20250502
<ACCEPTANCE-DATETIME>20250502060046
ACCESSION NUMBER:\t\t{a}
CONFORMED SUBMISSION TYPE:\t10-Q
PUBLIC DOCUMENT COUNT:\t\t{n}
CONFORMED PERIOD OF REPORT:\t20250329
FILED AS OF DATE:\t\t20250502
DATE AS OF CHANGE:\t\t20250502

FILER:

\tCOMPANY DATA:\t
\t\tCOMPANY CONFORMED NAME:\t\t\tApple Inc.
\t\tCENTRAL INDEX KEY:\t\t\t0000320193
\t\tFISCAL YEAR END:\t\t\t0927

\tFILING VALUES:
\t\tFORM TYPE:\t\t10-Q
\t\tSEC ACT:\t\t1934 Act
\t\tSEC FILE NUMBER:\t001-36743
</SEC-HEADER>
"""


def _apple_submission(folder: Path) -> bytes:
    parts = [_APPLE_HEADER.format(a=APPLE_10Q, n=len(_APPLE_DOCS)).encode()]
    for seq, (dtype, name, description) in enumerate(_APPLE_DOCS, start=1):
        body = (folder / name).read_bytes()
        parts.append(
            f"<DOCUMENT>\n<TYPE>{dtype}\n<SEQUENCE>{seq}\n<FILENAME>{name}\n<DESCRIPTION>{description}\n"
            "<TEXT>\n<XBRL>\n".encode()
            + body
            + b"\n</XBRL>\n</TEXT>\n</DOCUMENT>\n"
        )
    return b"".join(parts) + b"</SEC-DOCUMENT>\n"


@pytest.fixture(scope="module")
def sec() -> Iterator[SecServer]:
    """The loopback SEC over the generated mirror."""
    source = Settings.from_env().edgar_mirror
    with tempfile.TemporaryDirectory(prefix="selective-mirror-") as tmp:
        root = Path(tmp)
        (root / "filings").mkdir()
        (root / "filings" / f"{APPLE_10Q}.txt").write_bytes(
            _apple_submission(source / "xbrl" / "aapl-10q-2025-03-29")
        )
        for _, _, _, file in FILINGS_:
            if file:
                shutil.copy(source / file, root / "filings")
        server = SecServer(root).start()
        try:
            yield server
        finally:
            server.stop()


def _lake(uri: str) -> Lake:
    return Lake.from_settings(Settings.from_env(env={"LAKE_URI": uri}, dotenv=Path("/nonexistent/.env")))


def _seed_index(uri: str) -> None:
    rows = [
        {
            "accession": accession,
            "cik": cik,
            "form": form,
            "company": f"Filer {cik}",
            "date_filed": date(2025, 5, 2),
            "file_name": urls.full_submission_path(cik, accession).removeprefix("/Archives/"),
            "index_file": "/Archives/edgar/daily-index/2025/QTR2/form.20250502.idx",
            "line": i + 12,
            FILING_QUARTER: QUARTER,
        }
        for i, (cik, accession, form, _) in enumerate(FILINGS_)
    ]
    table = pa.Table.from_pylist(rows, schema=EDGAR_INDEX.schema)
    write_partition(_lake(uri), EDGAR_INDEX, table, partitions={FILING_QUARTER: [QUARTER]})


_ASSETS = [
    filing_documents,
    xbrl_facts,
    xbrl_linkbases,
    financial_statements,
    insider_trades,
    institutional_holdings,
    eightk_events,
    report_items,
]
_DOWNSTREAM = [
    "facts",
    "fact_footnotes",
    "xbrl_filings",
    "concept_labels",
    "linkbase_arcs",
    "statement_values",
    "income_statements",
    "balance_sheets",
    "cash_flow_statements",
    "insider_trades",
    "institutional_holdings",
    "thirteenf_filings",
    "eightk_items",
    "press_releases",
    "earnings",
    "news",
    "report_items",
]


def _build(
    sec: SecServer, uri: str, mode: str, monkeypatch: pytest.MonkeyPatch, full_forms: str = ""
) -> list[Any]:
    """Materialize the documents and what is parsed from them; return the requests the SEC received."""
    env = {
        "EDGAR_SOURCE": "live",
        "SEC_USER_AGENT": UA,
        "SEC_WWW_URL": sec.base_url,
        "SEC_DATA_URL": sec.base_url,
        "SEC_RATE_LIMITER": "process",
        "SEC_MAX_IN_FLIGHT": "3",
        "SEC_MAX_RETRIES": "0",
        "EDGAR_CIKS": "",
        "EDGAR_FORMS": "10-Q,4,8-K,13F-HR",
        "EDGAR_FETCH": mode,
        "EDGAR_FETCH_FULL_FORMS": full_forms,
    }
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    _seed_index(uri)
    seen = len(sec.requests)
    result = dg.materialize(
        _ASSETS,
        resources={"lake": LakeResource(uri=uri), "edgar": EdgarResource()},
        partition_key=quarter_to_partition_key(QUARTER),
        instance=dg.DagsterInstance.ephemeral(),
        raise_on_error=False,
    )
    assert result.success
    return sec.requests[seen:]


def _per_filing(sec: SecServer, requests: list[Any]) -> dict[str, tuple[list[str], int]]:
    """accession -> (file names requested, bytes they hold)."""
    out: dict[str, tuple[list[str], int]] = defaultdict(lambda: ([], 0))
    for r in requests:
        if not r.path.startswith("/Archives/edgar/data/"):
            continue  # the statements' companyfacts (not in this mirror)
        folder, name = r.path.rsplit("/", 1)
        nodash = folder.rsplit("/", 1)[1]
        accession = f"{nodash[:10]}-{nodash[10:12]}-{nodash[12:]}"
        names, nbytes = out[accession]
        out[accession] = ([*names, name], nbytes + len(mirror.read(sec.mirror_root, r.path)))
    return dict(out)


def _rows(uri: str, name: str, drop: tuple[str, ...] = ()) -> list[dict[str, Any]]:
    table = read_table(_lake(uri), name)
    table = table.drop_columns([c for c in drop if c in table.column_names])
    return sorted(table.to_pylist(), key=repr)


def test_documents_mode_fetches_only_what_is_parsed_and_builds_the_same_tables(
    sec: SecServer, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    full_uri, docs_uri = str(tmp_path / "full"), str(tmp_path / "documents")
    full = _per_filing(sec, _build(sec, full_uri, "full", monkeypatch))
    selective = _per_filing(sec, _build(sec, docs_uri, "documents", monkeypatch))

    # full: one request per filing, the complete submission
    assert {a: names for a, (names, _) in full.items()} == {a: [f"{a}.txt"] for _, a, _, _ in FILINGS_}
    # documents: the index-headers page, then the parsed documents (a 10-Q: primary, instance, 3 linkbases)
    assert {a: sorted(names) for a, (names, _) in selective.items()} == {
        APPLE_10Q: sorted(
            [
                f"{APPLE_10Q}-index-headers.html",
                "aapl-20250329.htm",
                "aapl-20250329_htm.xml",
                "aapl-20250329_cal.xml",
                "aapl-20250329_lab.xml",
                "aapl-20250329_pre.xml",
            ]
        ),
        "0001127602-25-001055": ["0001127602-25-001055-index-headers.html", "form4.xml"],
        "0001213900-25-032135": sorted(
            [
                "0001213900-25-032135-index-headers.html",
                "ea0238372-8k_abvcbio.htm",
                "ea023837201ex99-1_abvcbio.htm",
                "abvc-20250415_pre.xml",
                "abvc-20250415_lab.xml",
                "ea0238372-8k_abvcbio_htm.xml",
            ]
        ),
        "0001894188-23-000007": ["0001894188-23-000007-index-headers.html", "index.xml", "primary_doc.xml"],
    }
    for accession in sorted(full):
        print(  # the figures of the report: requests and bytes per filing in both modes
            f"{accession}: full {len(full[accession][0])} request(s), {full[accession][1]:,} B; "
            f"documents {len(selective[accession][0])} requests, {selective[accession][1]:,} B"
        )
    assert (full[APPLE_10Q][1], selective[APPLE_10Q][1]) == (2_749_435, 2_536_735)
    assert (full["0001127602-25-001055"][1], selective["0001127602-25-001055"][1]) == (9_555, 5_292)

    # what documents mode stored for the 10-Q: each fetched document once, the header page included
    docs = [r for r in read_table(_lake(docs_uri), RAW_DOCUMENTS).to_pylist() if r["filing_id"] == APPLE_10Q]
    assert sorted((r["name"], r["kind"], r["doc_type"], r["container"]) for r in docs) == [
        (f"{APPLE_10Q}-index-headers.html", "filing-index", None, None),
        ("aapl-20250329.htm", "inline-xbrl", "10-Q", None),
        ("aapl-20250329_cal.xml", "xbrl-linkbase", "EX-101.CAL", None),
        ("aapl-20250329_htm.xml", "xbrl-instance", "XML", None),
        ("aapl-20250329_lab.xml", "xbrl-linkbase", "EX-101.LAB", None),
        ("aapl-20250329_pre.xml", "xbrl-linkbase", "EX-101.PRE", None),
    ]
    full_docs = {
        r["name"]: r
        for r in read_table(_lake(full_uri), RAW_DOCUMENTS).to_pylist()
        if r["filing_id"] == APPLE_10Q
    }
    assert len(full_docs) == 1 + len(_APPLE_DOCS)  # the container and each of its documents
    for row in docs[1:]:  # the same bytes as the part decoded from the full submission
        assert (row["sha256"], row["size"]) == (
            full_docs[row["name"]]["sha256"],
            full_docs[row["name"]]["size"],
        )

    # raw store: documents mode stores what it fetched once (x1.0); full mode twice (container + parts)
    stored = {uri: sum(_lake(uri).object_sizes("filings").values()) for uri in (full_uri, docs_uri)}
    fetched = {uri: sum(b for _, b in got.values()) for uri, got in ((full_uri, full), (docs_uri, selective))}
    apple_stored = sum(r["size"] for r in docs)
    assert apple_stored == selective[APPLE_10Q][1]
    assert stored[full_uri] > 1.99 * fetched[full_uri]
    assert stored[docs_uri] <= 1.1 * fetched[docs_uri]
    print(
        f"raw store: full {stored[full_uri]:,} B for {fetched[full_uri]:,} B fetched; "
        f"documents {stored[docs_uri]:,} B for {fetched[docs_uri]:,} B fetched"
    )

    # the filings rows: the same identity (acceptance time from the header page); only the source differs
    varying = ("source", "fingerprint", "document_count", "total_bytes")
    assert _rows(docs_uri, FILINGS.name, varying) == _rows(full_uri, FILINGS.name, varying)
    apple = next(r for r in read_table(_lake(docs_uri), FILINGS).to_pylist() if r["filing_id"] == APPLE_10Q)
    assert (apple["status"], apple["form"], apple["acceptance_basis"]) == ("ok", "10-Q", "sgml-header")
    assert apple["source"] == urls.index_headers_path(APPLE, APPLE_10Q)
    # and everything parsed from the documents is identical
    for name in _DOWNSTREAM:
        assert _rows(docs_uri, name) == _rows(full_uri, name), name
    counts = {name: len(_rows(docs_uri, name)) for name in _DOWNSTREAM}
    assert counts == {
        "facts": 722,
        "fact_footnotes": 0,
        "xbrl_filings": 2,
        "concept_labels": 1014,
        "linkbase_arcs": 646,
        "statement_values": 175,
        "income_statements": 4,
        "balance_sheets": 28,
        "cash_flow_statements": 4,
        "insider_trades": 1,
        "institutional_holdings": 14,
        "thirteenf_filings": 1,
        "eightk_items": 4,
        "press_releases": 1,
        "earnings": 1,
        "news": 1,
        "report_items": 11,
    }

    # a re-run fetches nothing: every filing is reused as stored
    seen = len(sec.requests)
    _build(sec, docs_uri, "documents", monkeypatch)
    assert sec.requests[seen:] == []
    # a lake built in full mode is not fetched again in documents mode (full stored all documents mode reads)
    _build(sec, full_uri, "documents", monkeypatch)
    assert sec.requests[seen:] == []


def test_forms_named_in_edgar_fetch_full_forms_are_fetched_whole_in_documents_mode(
    sec: SecServer, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    uri = str(tmp_path / "mixed")
    got = _per_filing(sec, _build(sec, uri, "documents", monkeypatch, full_forms="4, 8-K"))
    form4, eightk, thirteenf = "0001127602-25-001055", "0001213900-25-032135", "0001894188-23-000007"
    # one request each for the Form 4 and the 8-K (their .txt), the index page + parsed documents for the others
    assert got[form4][0] == [f"{form4}.txt"] and got[eightk][0] == [f"{eightk}.txt"]
    assert sorted(got[thirteenf][0]) == [f"{thirteenf}-index-headers.html", "index.xml", "primary_doc.xml"]
    assert len(got[APPLE_10Q][0]) == 6
    sources = {r["filing_id"]: r["source"] for r in read_table(_lake(uri), FILINGS).to_pylist()}
    assert sources[form4].endswith(f"/{form4}.txt") and sources[eightk].endswith(f"/{eightk}.txt")
    assert sources[APPLE_10Q].endswith(f"/{APPLE_10Q}-index-headers.html")
    # stored as full mode stores it: the container and each decoded part
    names = sorted(
        r["name"] for r in read_table(_lake(uri), RAW_DOCUMENTS).to_pylist() if r["filing_id"] == form4
    )
    assert names == sorted([f"{form4}.txt", "doc1.htm", "form4.xml"])
