"""Ingestion scopes: validation, planning from scopes, no delete on a scope change, the prune command, and
discovery from the submissions feeds of a CIK universe (against the loopback SEC)."""

from __future__ import annotations

import json
import tempfile
from collections.abc import Iterator
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

import dagster as dg
import pyarrow as pa
import pytest

from assets.edgar import prune
from assets.edgar.documents import filing_documents
from assets.edgar.index import edgar_daily_index
from assets.edgar.plans import live_plans
from assets.partitions import quarter_to_partition_key
from assets.resources import EdgarResource, LakeResource
from assets.xbrl.facts import xbrl_facts
from edgar import urls
from lake.delta import read_table, write_partition
from lake.scopes import ScopeError, load_scopes, parse_scopes, use_feeds
from lake.settings import Settings
from lake.storage import Lake
from lake.tables import EDGAR_INDEX, EDGAR_INDEX_FILES, FILING_QUARTER, FILINGS, RAW_DOCUMENTS
from tests.support.sec_server import SecServer

UA = "AIHF Tests aihf-tests@example.com"
TESLA = 1318605
MIRROR = Settings.from_env().edgar_mirror
TESLA_FEED = MIRROR / "reference" / "submissions-CIK0001318605-tesla-2026.json"
TESLA_OVERFLOW = MIRROR / "reference" / "submissions-CIK0001318605-tesla-2026-001.json"


def _lake(uri: str) -> Lake:
    return Lake.from_settings(Settings.from_env(env={"LAKE_URI": uri}, dotenv=Path("/nonexistent/.env")))


# --- validation ---------------------------------------------------------------------------------------------


def test_scopes_file_parses_every_company_kind(tmp_path: Path) -> None:
    (tmp_path / "u.txt").write_text("# universe\n0000320193\n1318605  # Tesla\n\n")
    scopes = parse_scopes(
        """
        [scopes.universe]
        forms = ["10-K", "10-Q", "4"]
        ciks_file = "u.txt"
        [scopes.13f]
        forms = ["13F-HR"]
        companies = "all"
        [scopes.listed]
        forms = ["8-K"]
        companies = "sec-tickers"
        [scopes.watch]
        forms = "10-K/A"
        ciks = [1045810, "0000320193"]
        """,
        "s.toml",
        tmp_path,
    )
    got = {s.name: (sorted(s.forms), s.companies, sorted(s.ciks)) for s in scopes}
    assert got == {
        "universe": (["10-K", "10-Q", "4"], "ciks", [320193, 1318605]),
        "13f": (["13F-HR"], "all", []),
        "listed": (["8-K"], "sec-tickers", []),
        "watch": (["10-K/A"], "ciks", [320193, 1045810]),
    }
    assert scopes[0].covers("10-K", 320193) and not scopes[0].covers("8-K", 320193)
    assert scopes[1].covers("13F-HR", 123) and not scopes[0].covers("10-K", 123)


@pytest.mark.parametrize(
    ("body", "message"),
    [
        (
            '[scopes.a]\nforms = ["10-k"]\nciks = [1]',
            "s.toml: scope 'a': unknown form '10-k' (form types are upper case",
        ),
        ("[scopes.a]\nforms = []\nciks = [1]", "scope 'a': 'forms' must be a non-empty list"),
        ('[scopes.a]\nforms = ["10-K"]\nciks = [1, "x1"]', "s.toml: scope 'a': 'x1' is not a CIK"),
        ('[scopes.a]\nforms = ["10-K"]\nciks_file = "nope.txt"', "scope 'a': CIK file"),
        (
            '[scopes.a]\nforms = ["10-K"]\nciks_file = "bad.txt"',
            "bad.txt line 3: scope 'a': 'AAPL' is not a CIK",
        ),
        ('[scopes.a]\nforms = ["10-K"]\ncompanies = "all"\nciks = [1]', "give exactly one of"),
        ('[scopes.a]\nforms = ["10-K"]', "give exactly one of"),
        ('[scopes.a]\nforms = ["10-K"]\ncompanies = "some"', 'companies must be "all" or "sec-tickers"'),
        ('[scopes.a]\nform = ["10-K"]\nciks = [1]', "scope 'a': unknown key(s) form"),
        ("[other]\nx = 1", "s.toml: no scope defined"),
        ("[scopes.a\n", "s.toml: not TOML"),
    ],
)
def test_bad_scopes_are_refused_with_the_scope_and_line(tmp_path: Path, body: str, message: str) -> None:
    (tmp_path / "bad.txt").write_text("320193\n\nAAPL\n")
    with pytest.raises(ScopeError) as err:
        parse_scopes(body, "s.toml", tmp_path)
    assert message in str(err.value)


def test_without_a_scopes_file_edgar_forms_and_ciks_are_the_default_scope(tmp_path: Path) -> None:
    env = {"EDGAR_FORMS": "10-K,8-K", "EDGAR_CIKS": "320193"}
    [scope] = load_scopes(Settings.from_env(env=env, dotenv=Path("/nonexistent/.env")))
    assert (scope.name, sorted(scope.forms), scope.companies, sorted(scope.ciks)) == (
        "default",
        ["10-K", "8-K"],
        "ciks",
        [320193],
    )
    [everyone] = load_scopes(Settings.from_env(env={"EDGAR_FORMS": "4"}, dotenv=Path("/nonexistent/.env")))
    assert everyone.all_filers and everyone.covers("4", 42)
    missing = {"EDGAR_SCOPES_FILE": str(tmp_path / "none.toml")}
    with pytest.raises(ScopeError, match=r"EDGAR_SCOPES_FILE .*none\.toml cannot be read"):
        load_scopes(Settings.from_env(env=missing, dotenv=Path("/nonexistent/.env")))


def test_a_filing_is_planned_when_any_scope_covers_it_and_records_which(tmp_path: Path) -> None:
    scopes = parse_scopes(
        '[scopes.u]\nforms = ["10-K", "4"]\nciks = [1, 2]\n[scopes.f]\nforms = ["13F-HR", "4"]\ncompanies = "all"',
        "s.toml",
        tmp_path,
    )
    rows = [
        {"accession": "a", "cik": 1, "form": "10-K"},
        {"accession": "b", "cik": 3, "form": "10-K"},  # no scope: CIK 3 is not in u
        {"accession": "c", "cik": 3, "form": "13F-HR"},
        {"accession": "d", "cik": 2, "form": "4"},  # both
        {"accession": "d", "cik": 9, "form": "4"},  # the same Form 4 under its other party
        {"accession": "e", "cik": 1, "form": "8-K"},  # no scope wants 8-Ks
    ]
    rows = [{**r, "company": "X", "date_filed": date(2024, 8, 1), FILING_QUARTER: "2024Q3"} for r in rows]
    plans = {p.filing_id(): p.scopes for p in live_plans(rows, scopes)}
    assert plans == {"a": ("u",), "c": ("f",), "d": ("f", "u")}


# --- no delete on a scope change; prune ----------------------------------------------------------------------

CIK = 1173313
TEMPLATE = "0001213900-25-032135"  # ABVC BioPharma's 8-K of 2025-04-15: 15 documents, an inline XBRL cover
QUARTER = "2025Q2"
REPORTS = {f"0001213900-25-{910001 + i:06d}": form for i, form in enumerate(["10-K", "10-K", "10-Q", "10-Q"])}


@pytest.fixture(scope="module")
def reports_sec() -> Iterator[SecServer]:
    """A loopback SEC of four full submissions: copies of a real 8-K relabelled two 10-Ks and two 10-Qs."""
    with tempfile.TemporaryDirectory(prefix="scopes-mirror-") as tmp:
        root = Path(tmp)
        template = next(MIRROR.rglob(f"{TEMPLATE}.txt")).read_bytes()
        (root / "8k").mkdir()
        for accession, form in REPORTS.items():
            body = template.replace(TEMPLATE.encode(), accession.encode()).replace(b"8-K", form.encode())
            (root / "8k" / f"{accession}.txt").write_bytes(body)
        server = SecServer(root).start()
        try:
            yield server
        finally:
            server.stop()


def _seed_index(uri: str) -> None:
    rows = [
        {
            "accession": a,
            "cik": CIK,
            "form": form,
            "company": "ABVC BIOPHARMA, INC.",
            "date_filed": date(2025, 4, 15),
            "file_name": urls.full_submission_path(CIK, a).removeprefix("/Archives/"),
            "index_file": "/Archives/edgar/daily-index/2025/QTR2/form.20250415.idx",
            "line": i + 12,
            FILING_QUARTER: QUARTER,
        }
        for i, (a, form) in enumerate(REPORTS.items())
    ]
    table = pa.Table.from_pylist(rows, schema=EDGAR_INDEX.schema)
    write_partition(_lake(uri), EDGAR_INDEX, table, partitions={FILING_QUARTER: [QUARTER]})


def _build(uri: str) -> None:
    result = dg.materialize(
        [filing_documents, xbrl_facts],
        resources={"lake": LakeResource(uri=uri), "edgar": EdgarResource()},
        partition_key=quarter_to_partition_key(QUARTER),
        instance=dg.DagsterInstance.ephemeral(),
        raise_on_error=False,
    )
    assert result.success


def _by_form(uri: str) -> dict[str, dict[str, int]]:
    """Rows per table per form of the filing they belong to."""
    lake = _lake(uri)
    form = {r["filing_id"]: r["form"] for r in read_table(lake, FILINGS).to_pylist()}
    counts: dict[str, dict[str, int]] = {}
    for name in ("filings", "raw_documents", "facts", "xbrl_filings"):
        for row in read_table(lake, name, columns=["filing_id"]).to_pylist():
            key = form.get(row["filing_id"], "?")
            counts.setdefault(name, {}).setdefault(key, 0)
            counts[name][key] += 1
    return counts


def test_a_narrower_scope_deletes_nothing_and_prune_removes_exactly_the_rest(
    reports_sec: SecServer,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    for name, value in {
        "EDGAR_SOURCE": "live",
        "SEC_USER_AGENT": UA,
        "SEC_WWW_URL": reports_sec.base_url,
        "SEC_DATA_URL": reports_sec.base_url,
        "SEC_RATE_LIMITER": "process",
        "SEC_MAX_RETRIES": "0",
        "EDGAR_CIKS": str(CIK),
        "EDGAR_FORMS": "10-K,10-Q",
    }.items():
        monkeypatch.setenv(name, value)
    uri = str(tmp_path / "lakehouse")
    monkeypatch.setenv("LAKE_URI", uri)
    _seed_index(uri)
    _build(uri)
    built = _by_form(uri)
    assert built["filings"] == {"10-K": 2, "10-Q": 2}
    assert built["raw_documents"] == {"10-K": 10, "10-Q": 10}  # EDGAR_FETCH=documents: index page + 4 parsed
    assert built["xbrl_filings"] == {"10-K": 2, "10-Q": 2}
    facts_per_filing = built["facts"]["10-Q"] // 2
    assert facts_per_filing > 0 and built["facts"] == {
        "10-K": 2 * facts_per_filing,
        "10-Q": 2 * facts_per_filing,
    }
    assert {tuple(r["scopes"]) for r in read_table(_lake(uri), FILINGS).to_pylist()} == {("default",)}

    # the case: the same build with EDGAR_FORMS=10-Q keeps every row (it used to drop the 10-Ks)
    monkeypatch.setenv("EDGAR_FORMS", "10-Q")
    seen = len(reports_sec.requests)
    _build(uri)
    assert _by_form(uri) == built
    assert [r.path for r in reports_sec.requests[seen:] if r.path.startswith("/Archives/")] == []

    # prune: a dry run prints the two 10-Ks and every row derived from them, and deletes nothing
    settings = Settings.from_env()
    assert prune.main(["--dry-run"], settings) == 0
    out = capsys.readouterr().out
    ten_ks = [a for a, f in REPORTS.items() if f == "10-K"]
    assert "2 of 4 filing(s) outside them" in out
    assert all(a in out for a in ten_ks) and not any(a in out for a, f in REPORTS.items() if f == "10-Q")
    assert "filings: 2 row(s)" in out and "raw_documents: 10 row(s)" in out
    assert f"facts: {2 * facts_per_filing} row(s)" in out and "nothing deleted" in out
    assert _by_form(uri) == built
    assert prune.main([], settings) == 0  # without --yes: still nothing
    assert _by_form(uri) == built

    # --yes: exactly the 10-K rows are gone, the 10-Q rows are untouched
    assert prune.main(["--yes"], settings) == 0
    assert "removed" in capsys.readouterr().out
    assert _by_form(uri) == {name: {"10-Q": rows["10-Q"]} for name, rows in built.items()}
    assert read_table(_lake(uri), RAW_DOCUMENTS).num_rows == 10
    assert prune.main(["--yes"], settings) == 0
    assert "0 of 2 filing(s) outside them" in capsys.readouterr().out


def test_prune_narrowed_by_form_keeps_what_it_was_not_asked_for(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    rows = [
        {"filing_id": a, "form": f, "cik": CIK, "scopes": ["old"], FILING_QUARTER: QUARTER}
        for a, f in REPORTS.items()
    ]
    assert [r["filing_id"] for r in prune.select(rows, forms=["10-Q"])] == list(REPORTS)[2:]
    assert prune.select(rows, scope=["other"]) == []
    assert len(prune.select(rows, scope=["old"], ciks=[CIK])) == 4
    names = {s.name for s in prune.filing_tables()}
    assert {"filings", "raw_documents", "facts", "fact_footnotes", "xbrl_filings"} <= names


# --- discovery from submissions feeds -----------------------------------------------------------------------


def _feed_rows(path: Path, first: str, last: str, forms: set[str] | None = None) -> set[str]:
    """Accessions of a mirror feed file filed ``first`` .. ``last`` (of ``forms``), read with plain json."""
    doc = json.loads(path.read_bytes())
    cols: dict[str, Any] = doc["filings"]["recent"] if "filings" in doc else doc
    return {
        a
        for a, f, d in zip(cols["accessionNumber"], cols["form"], cols["filingDate"], strict=True)
        if (forms is None or f in forms) and first <= d <= last
    }


def _discover(uri: str, quarter: str) -> None:
    result = dg.materialize(
        [edgar_daily_index],
        resources={"lake": LakeResource(uri=uri), "edgar": EdgarResource()},
        partition_key=quarter_to_partition_key(quarter),
        instance=dg.DagsterInstance.ephemeral(),
        raise_on_error=False,
    )
    assert result.success


def test_a_cik_universe_is_discovered_from_its_feeds_not_the_daily_indexes(
    sec_server: SecServer, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    forms = {"10-K", "10-Q", "8-K", "4"}
    scopes_file = tmp_path / "scopes.toml"
    scopes_file.write_text(f"[scopes.universe]\nforms = {json.dumps(sorted(forms))}\nciks = [{TESLA}]\n")
    for name, value in {
        "EDGAR_SOURCE": "live",
        "SEC_USER_AGENT": UA,
        "SEC_WWW_URL": sec_server.base_url,
        "SEC_DATA_URL": sec_server.base_url,
        "SEC_RATE_LIMITER": "process",
        "EDGAR_SCOPES_FILE": str(scopes_file),
    }.items():
        monkeypatch.setenv(name, value)
    uri = str(tmp_path / "lakehouse")

    # 2024Q3: the main feed only (its overflow page ends in 2018): one request, no daily index
    _discover(uri, "2024Q3")
    assert [r.path for r in sec_server.requests] == ["/submissions/CIK0001318605.json"]
    lake = _lake(uri)
    index = read_table(lake, EDGAR_INDEX).to_pylist()
    expected = _feed_rows(TESLA_FEED, "2024-07-01", "2024-09-30")
    assert {r["accession"] for r in index} == expected and len(expected) > 3
    assert {r["index_file"] for r in index} == {"/submissions/CIK0001318605.json"}
    scopes = load_scopes(Settings.from_env())
    plans = {p.filing_id(): p for p in live_plans(index, scopes)}
    assert set(plans) == _feed_rows(TESLA_FEED, "2024-07-01", "2024-09-30", forms)
    assert set(plans) < expected  # every form is discovered (the 144s too), the scope's forms are planned
    q2 = plans["0001628280-24-032662"].identity
    assert (q2.form, q2.filing_date, q2.primary_document) == ("10-Q", date(2024, 7, 24), "tsla-20240630.htm")
    assert q2.acceptance_utc == datetime(2024, 7, 23, 23, 41, 9, tzinfo=UTC)
    assert (q2.metadata_source, q2.acceptance_basis) == ("submissions-json", "submissions-json:utc")
    assert plans["0001628280-24-032662"].sec_path == urls.full_submission_path(TESLA, "0001628280-24-032662")
    files = read_table(lake, EDGAR_INDEX_FILES).to_pylist()
    assert [(f["index_file"], f["status"], f["rows"]) for f in files] == [
        ("/submissions/CIK0001318605.json#2024Q3", "ok", len(expected))
    ]

    # a second run reads the feed again (feeds change daily): one more request, the same rows
    _discover(uri, "2024Q3")
    assert [r.path for r in sec_server.requests] == ["/submissions/CIK0001318605.json"] * 2
    assert read_table(_lake(uri), EDGAR_INDEX).num_rows == len(expected)

    # 2010Q1 lies on the overflow page: the main feed plus that page, still no daily index
    seen = len(sec_server.requests)
    _discover(uri, "2010Q1")
    assert [r.path for r in sec_server.requests[seen:]] == [
        "/submissions/CIK0001318605.json",
        "/submissions/CIK0001318605-submissions-001.json",
    ]
    old = [r for r in read_table(_lake(uri), EDGAR_INDEX).to_pylist() if r[FILING_QUARTER] == "2010Q1"]
    assert {r["accession"] for r in old} == _feed_rows(TESLA_OVERFLOW, "2010-01-01", "2010-03-31")
    assert len(old) > 0
    assert {r["index_file"] for r in old} == {"/submissions/CIK0001318605-submissions-001.json"}
    assert read_table(_lake(uri), EDGAR_INDEX).num_rows == len(expected) + len(old)  # 2024Q3 untouched


def test_discovery_takes_the_feeds_only_when_every_scope_names_its_ciks(tmp_path: Path) -> None:
    def settings(**env: str) -> Settings:
        return Settings.from_env(env=env, dotenv=Path("/nonexistent/.env"))

    universe = tmp_path / "u.toml"
    universe.write_text('[scopes.u]\nforms = ["10-K"]\nciks = [1]\n')
    mixed = tmp_path / "m.toml"
    mixed.write_text(
        '[scopes.u]\nforms = ["10-K"]\nciks = [1]\n[scopes.f]\nforms = ["13F-HR"]\ncompanies = "all"\n'
    )
    cases = {
        "file, all named": (settings(EDGAR_SCOPES_FILE=str(universe)), True),
        "file, one of all": (settings(EDGAR_SCOPES_FILE=str(mixed)), False),
        "file, forced index": (settings(EDGAR_SCOPES_FILE=str(universe), EDGAR_DISCOVERY="index"), False),
        "EDGAR_CIKS": (settings(EDGAR_CIKS="1"), False),  # as before scopes existed: the daily indexes
        "EDGAR_CIKS, forced feeds": (settings(EDGAR_CIKS="1", EDGAR_DISCOVERY="feeds"), True),
        "all filers": (settings(), False),
    }
    assert {k: use_feeds(s, load_scopes(s)) for k, (s, _) in cases.items()} == {
        k: v for k, (_, v) in cases.items()
    }
    forced = settings(EDGAR_SCOPES_FILE=str(mixed), EDGAR_DISCOVERY="feeds")
    with pytest.raises(ScopeError, match="scope\\(s\\) f cover all filers"):
        use_feeds(forced, load_scopes(forced))
    with pytest.raises(ValueError, match="EDGAR_DISCOVERY must be one of auto, index, feeds"):
        settings(EDGAR_DISCOVERY="rss")
