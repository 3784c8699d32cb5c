"""What to store: the filings of the mirror (offline) or of the discovered index rows the scopes want (live).

Live, a filing is planned when any ingestion scope (:mod:`lake.scopes`) covers its (form, CIK); its plan
records which scopes want it. Rows discovered from a submissions feed carry the SEC's acceptance time and
primary document into the plan's identity.
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import PurePosixPath
from typing import Any

import msgspec

from edgar import source as sources
from edgar import urls
from edgar.identity import FilingIdentity, local_filing_id
from edgar.inventory import InventoryEntry, group_identity
from edgar.parse.tickers import parse_company_tickers
from edgar.source import EdgarSource
from lake.scopes import Scope
from lake.tables import FILING_QUARTER

#: Bump when what is stored for a filing changes: every filing is then re-read on the next run.
PIPELINE_VERSION = "1"
_RANK = {"sgml-header": 0, "submissions-json": 1, "document": 2}


@dataclass
class FilingPlan:
    """A filing to store: its identity, where its bytes come from (mirror files or an SEC path), its scopes."""

    identity: FilingIdentity
    entries: list[InventoryEntry] = field(default_factory=list)
    sec_path: str | None = None
    index_row: dict[str, Any] | None = None
    scopes: tuple[str, ...] = ()
    #: live: ``full`` (the submission at ``sec_path``) or ``documents`` (see :mod:`assets.edgar.fetch`)
    fetch: str = "full"

    def fingerprint(self, fetch: str | None = None) -> str:
        """Hash of what the filing was built from: the pipeline version, its sources and (live) the fetch mode.

        A full-mode fingerprint is unchanged from before the fetch mode existed (lakes built then stay valid).
        """
        mode = "\ndocuments" if (fetch or self.fetch) == "documents" else ""
        digest = hashlib.sha256(f"v{PIPELINE_VERSION}\n{self.sec_path or ''}{mode}\n".encode())
        for entry in sorted(self.entries, key=lambda e: e.path):
            digest.update(f"{entry.path}\0{entry.sha256}\n".encode())
        return digest.hexdigest()

    def accepts(self, fingerprint: str) -> bool:
        """Whether a filing stored with ``fingerprint`` serves this plan.

        It does when built from the same sources, or, in documents mode, when built in full mode: that stored
        every document documents mode would fetch (so a lake built in full mode is not fetched again).
        """
        return fingerprint == self.fingerprint() or (
            self.fetch == "documents" and fingerprint == self.fingerprint("full")
        )

    def filing_id(self) -> str:
        """The accession number, or a local id derived from the documents' names and hashes."""
        if self.identity.accession:
            return self.identity.accession
        return local_filing_id((PurePosixPath(e.path).name, e.sha256) for e in self.entries)


def offline_plans(groups: dict[str, list[InventoryEntry]]) -> tuple[list[FilingPlan], list[str]]:
    """Filings of the mirror: one per group, groups naming the same accession merged. Also the unplaced groups."""
    plans: dict[str, FilingPlan] = {}
    unplaced: list[str] = []
    for group, entries in sorted(groups.items()):
        identity = group_identity(entries)
        if identity is None or identity.filing_quarter is None:
            unplaced.append(group)
            continue
        key = identity.accession or group
        plan = plans.get(key)
        if plan is None:
            plans[key] = FilingPlan(identity=identity, entries=list(entries))
            continue
        plan.entries.extend(entries)
        if _RANK[identity.metadata_source] < _RANK[plan.identity.metadata_source]:
            plan.identity = identity
    return list(plans.values()), unplaced


def resolve_scopes(scopes: Sequence[Scope], source: EdgarSource) -> list[Scope]:
    """``scopes`` with every ``sec-tickers`` scope's CIKs filled from the SEC ticker list (fetched once)."""
    if not any(s.companies == "sec-tickers" for s in scopes):
        return list(scopes)
    ciks = frozenset(e.cik for e in parse_company_tickers(sources.company_tickers(source)))
    return [msgspec.structs.replace(s, ciks=ciks) if s.companies == "sec-tickers" else s for s in scopes]


def scope_ciks(scopes: Sequence[Scope]) -> list[int]:
    """Every CIK some scope names (the feeds to read), sorted; scopes of all filers name none."""
    return sorted({c for s in scopes if not s.all_filers for c in s.ciks})


def covering(scopes: Sequence[Scope], form: str, cik: int) -> tuple[str, ...]:
    """Names of the scopes that want ``form`` filed for ``cik`` (empty: none does)."""
    return tuple(s.name for s in scopes if s.covers(form, cik))


def live_plans(index_rows: Sequence[dict[str, Any]], scopes: Sequence[Scope]) -> list[FilingPlan]:
    """Filings of the discovered index rows that some scope wants, one per accession, with their scopes.

    A row read from a submissions feed (``acceptance_utc``/``primary_document`` set) gives the identity the
    feed's acceptance time and primary document; a daily-index row leaves the acceptance time unknown until the
    submission is read.
    """
    plans: dict[str, FilingPlan] = {}
    for row in index_rows:
        wanted = covering(scopes, row["form"], row["cik"])
        if not wanted:
            continue
        plan = plans.get(row["accession"])
        if plan is not None:
            plan.scopes = tuple(sorted({*plan.scopes, *wanted}))
            continue
        feed = row.get("primary_document") is not None or row.get("acceptance_utc") is not None
        identity = FilingIdentity(
            accession=row["accession"],
            cik=row["cik"],
            entity_name=row["company"],
            form=row["form"],
            filing_date=row["date_filed"],
            acceptance_utc=row.get("acceptance_utc"),
            acceptance_basis=row.get("acceptance_basis"),
            acceptance_flag=row.get("acceptance_flag") if feed else "unknown",
            metadata_source="submissions-json" if feed else "edgar-index",
            filing_quarter=row[FILING_QUARTER],
            partition_basis="filing_date",
            primary_document=row.get("primary_document") or None,
            warnings=() if feed else ("acceptance time unknown until the submission is read",),
        )
        path = urls.full_submission_path(row["cik"], row["accession"])
        plans[row["accession"]] = FilingPlan(
            identity=identity, sec_path=path, index_row=row, scopes=tuple(sorted(wanted))
        )
    return list(plans.values())
