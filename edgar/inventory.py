"""Discovery in the offline mirror: which files make up which filing, and who filed it when.

Live EDGAR lists filings in its daily indexes; the mirror is a folder of files grouped by kind, many without
an accession number. Each file is inspected once (kind, sha256, identity from its own contents), files are
grouped into filings (an XBRL folder with its linkbases, an 8-K with its exhibit), and each group takes the
identity of its best document (:func:`group_identity`).
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Iterable, Sequence
from pathlib import Path, PurePosixPath

import msgspec

from edgar.errors import EdgarError, ParseError
from edgar.identity import (
    FilingIdentity,
    SubmissionMeta,
    apply_submission,
    identity_from_cover,
    identity_from_sgml,
    match_submission,
)
from edgar.parse.cover import extract_cover
from edgar.parse.detect import HEAD_BYTES, detect_kind
from edgar.parse.sgml import parse_sgml_submission

#: Mirror folders that are not filings (feeds and indexes have assets of their own).
_NOT_FILINGS = ("reference/", "index/")
#: Kinds that can state a filing's identity, best first.
_IDENTITY_KINDS = ("sgml-submission", "xbrl-instance", "inline-xbrl", "ownership-xml", "13f-primary", "html")
_EXHIBIT = re.compile(r"^(?P<stem>.+?)-ex\d+[-_.\d]*\.html?$", re.IGNORECASE)
_SOURCE_RANK = {"sgml-header": 0, "submissions-json": 1, "document": 2}


class MirrorFile(msgspec.Struct, frozen=True):
    """A file of the mirror: path relative to the mirror root (posix), size, modification time."""

    path: str
    size: int
    mtime_ns: int


class InventoryEntry(msgspec.Struct, frozen=True, kw_only=True):
    """One inspected mirror file: its kind, content hash, filing group and the identity it states."""

    path: str
    size: int
    mtime_ns: int
    sha256: str
    kind: str
    group: str
    identity: FilingIdentity | None = None
    error: str | None = None


def list_mirror_files(root: Path) -> list[MirrorFile]:
    """Every filing file of the mirror (not its README, feeds or indexes), sorted by path."""
    files = []
    for path in sorted(root.rglob("*")):
        rel = path.relative_to(root).as_posix()
        if path.is_file() and path.name != "README.md" and not rel.startswith(_NOT_FILINGS):
            stat = path.stat()
            files.append(MirrorFile(rel, stat.st_size, stat.st_mtime_ns))
    return files


def group_of(path: str, all_paths: Iterable[str]) -> str:
    """The filing a mirror file belongs to: its XBRL folder, the primary document of an exhibit, or itself."""
    parts = PurePosixPath(path).parts
    if parts[0] == "xbrl" and len(parts) > 2 and parts[1] != "single":
        return "/".join(parts[:2])
    if m := _EXHIBIT.match(parts[-1]):
        primary = str(PurePosixPath(*parts[:-1], f"{m.group('stem')}.htm"))
        if primary in set(all_paths):
            return primary
    return path


def inspect(
    root: Path, file: MirrorFile, group: str, submissions: Sequence[SubmissionMeta] = ()
) -> tuple[InventoryEntry, bytes]:
    """Read one mirror file: hash it, classify it, and derive the identity it states (if any).

    A parse failure is recorded in ``error`` (with file and line), never raised: the other files go on.
    """
    data = (root / file.path).read_bytes()
    name = PurePosixPath(file.path).name
    kind = detect_kind(name, data[:HEAD_BYTES])
    identity: FilingIdentity | None = None
    error: str | None = None
    try:
        if name.lower().endswith((".xml", ".xsd")) and not data.lstrip()[:1] == b"<":
            raise ParseError(
                name, f"named like XML but is not XML (detected {kind}; starts {data[:40]!r})", 1
            )
        if kind == "sgml-submission":
            identity = identity_from_sgml(parse_sgml_submission(data, name))
        elif kind in _IDENTITY_KINDS:
            cover = extract_cover(name, data)
            if cover.cik is not None or cover.form is not None:
                identity = identity_from_cover(cover, name)
                meta, problem = match_submission(identity, submissions)
                if meta is not None:
                    identity = apply_submission(identity, meta)
                elif problem:
                    identity = msgspec.structs.replace(identity, warnings=(*identity.warnings, problem))
    except EdgarError as exc:
        error = str(exc)
    entry = InventoryEntry(
        path=file.path,
        size=file.size,
        mtime_ns=file.mtime_ns,
        sha256=hashlib.sha256(data).hexdigest(),
        kind=kind,
        group=group,
        identity=identity,
        error=error,
    )
    return entry, data


def group_identity(entries: Sequence[InventoryEntry]) -> FilingIdentity | None:
    """The identity of a filing group: the one stated by its most authoritative document.

    SGML headers beat submissions-feed matches, which beat document-only identities; among equals an XBRL
    instance beats inline XBRL beats the rest. ``None`` when no document of the group states an identity.
    """
    known = [e for e in entries if e.identity is not None]
    if not known:
        return None
    best = min(
        known,
        key=lambda e: (
            _SOURCE_RANK[e.identity.metadata_source] if e.identity else 9,
            _IDENTITY_KINDS.index(e.kind) if e.kind in _IDENTITY_KINDS else 9,
            e.path,
        ),
    )
    return best.identity


def unplaced_reason(entries: Sequence[InventoryEntry]) -> str:
    """Why a group cannot be placed in a filing quarter (no identity, or no date of any kind)."""
    errors = [e.error for e in entries if e.error]
    if errors:
        return "; ".join(errors)
    if all(e.identity is None for e in entries):
        kinds = ", ".join(sorted({e.kind for e in entries}))
        return f"no document in the group states who filed it or when (kinds: {kinds})"
    return "neither a filing date nor a period of report is known"
