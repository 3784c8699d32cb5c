"""CUSIP -> issuer (CIK, ticker): from an override file, else by matching the 13F issuer name to the SEC's list.

13F tables name issuers in abbreviated upper case (``APPLE INC``, ``COSTCO WHSL CORP NEW``); the SEC's ticker list
names companies as registered (``Apple Inc.``). Names are compared after normalisation (case, punctuation, ``&``,
and corporate suffixes such as INC, CORP, CO, LTD, PLC, NEW, DEL removed). A name that matches exactly one company
maps with confidence 0.9 (0.7 when the 13F name, cut at ~28 characters, matches only as the start of one
company's full name); a company with several tickers (share classes, ETF series) gives its CIK but no ticker,
since the class cannot be told from the name; several matching companies, or none, leave the CUSIP unmapped, with
the reason. Overrides (a CSV users extend) win with confidence 1.0.
"""

from __future__ import annotations

import bisect
import csv
import io
import re
from collections import Counter
from collections.abc import Iterable

import msgspec

_SUFFIXES = frozenset(
    [
        "INC",
        "INCORPORATED",
        "CORP",
        "CORPORATION",
        "CO",
        "COMPANY",
        "LTD",
        "LIMITED",
        "PLC",
        "NEW",
        "DEL",
        "THE",
        "LP",
        "LLC",
        "SA",
        "NV",
        "AG",
        "HLDGS",
    ]
)
_NON_WORD = re.compile(r"[^A-Z0-9 ]+")
#: 13F information tables cut NAME OF ISSUER at about 28 characters; names this long may be cut.
_TRUNCATED_AT = 25


class CusipMapping(msgspec.Struct, frozen=True, kw_only=True):
    """Where a CUSIP's issuer was found, and how sure the mapping is (0 when unmapped)."""

    cusip: str
    issuer_name: str | None
    cik: int | None
    ticker: str | None
    source: str
    confidence: float
    note: str | None = None


def _words(name: str) -> list[str]:
    return _NON_WORD.sub(" ", name.upper().replace("&", " AND ")).split()


def normalize_name(name: str) -> str:
    """``"Apple Inc."`` and ``"APPLE INC"`` -> ``"APPLE"``; ``"Procter & Gamble Co"`` -> ``"PROCTER AND GAMBLE"``."""
    words = _words(name)
    while words and words[-1] in _SUFFIXES:
        words.pop()
    while words and words[0] == "THE":
        words.pop(0)
    return " ".join(words)


def parse_overrides(text: str, source: str = "cusip overrides") -> dict[str, CusipMapping]:
    """Read the override CSV (``cusip,ticker,cik,note``); a bad row raises ``ValueError`` naming the line."""
    overrides: dict[str, CusipMapping] = {}
    for line, row in enumerate(csv.DictReader(io.StringIO(text)), start=2):
        cusip = (row.get("cusip") or "").strip().upper()
        if len(cusip) != 9 or not cusip.isalnum():
            raise ValueError(f"{source} line {line}: CUSIP must be 9 letters/digits, got {cusip!r}")
        cik_text = (row.get("cik") or "").strip()
        if cik_text and not cik_text.isdigit():
            raise ValueError(f"{source} line {line}: CIK must be digits, got {cik_text!r}")
        overrides[cusip] = CusipMapping(
            cusip=cusip,
            issuer_name=None,
            cik=int(cik_text) if cik_text else None,
            ticker=(row.get("ticker") or "").strip().upper() or None,
            source="override",
            confidence=1.0,
            note=(row.get("note") or "").strip() or None,
        )
    return overrides


def map_cusips(
    issuers: Iterable[tuple[str, str | None]],
    companies: Iterable[tuple[int, str | None, Iterable[str]]],
    overrides: dict[str, CusipMapping] | None = None,
) -> list[CusipMapping]:
    """Map each distinct ``(cusip, issuer name)`` of 13F tables to a company; unmapped ones say why.

    Args:
        issuers: ``(cusip, issuer_name)`` pairs from information tables (repeats are fine).
        companies: ``(cik, name, tickers)`` of the SEC's company list.
        overrides: mappings that win (see :func:`parse_overrides`).
    """
    by_name: dict[str, list[tuple[int, tuple[str, ...]]]] = {}
    full_names: list[tuple[str, int, tuple[str, ...]]] = []
    for cik, name, tickers in companies:
        if name:
            by_name.setdefault(normalize_name(name), []).append((cik, tuple(tickers)))
            full_names.append((" ".join(_words(name)), cik, tuple(tickers)))
    full_names.sort()
    starts = [n for n, _, _ in full_names]
    seen: dict[str, Counter[str]] = {}
    for cusip, issuer in issuers:
        if cusip:
            counts = seen.setdefault(cusip, Counter())
            if issuer:
                counts[issuer] += 1
    names: dict[str, str | None] = {}
    conflicts: dict[str, str] = {}
    for cusip, counts in seen.items():
        # the name most tables give, ties broken alphabetically: the same whatever the rows' order
        ranked = sorted(counts.items(), key=lambda item: (-item[1], item[0]))
        names[cusip] = ranked[0][0] if ranked else None
        if len(ranked) > 1:
            conflicts[cusip] = "issuer names differ between tables: " + "; ".join(n for n, _ in ranked[:4])
    out: list[CusipMapping] = []
    for cusip in sorted(names):
        issuer = names[cusip]
        if overrides and cusip in overrides:
            out.append(msgspec.structs.replace(overrides[cusip], issuer_name=issuer))
            continue
        matches = by_name.get(normalize_name(issuer), []) if issuer else []
        truncated = False
        if not matches and issuer and len(issuer) >= _TRUNCATED_AT:
            # 13F issuer names are cut at about 28 characters: match the cut name as a prefix of the full name
            prefix = " ".join(_words(issuer))
            at = bisect.bisect_left(starts, prefix)
            hits = (
                {(cik, tickers) for n, cik, tickers in full_names[at:] if n.startswith(prefix)}
                if prefix
                else set()
            )
            matches, truncated = sorted(hits), True
        if len(matches) == 1:
            cik, tickers = matches[0]
            ticker = tickers[0] if len(tickers) == 1 else None
            notes = (
                []
                if ticker
                else [f"company has {len(tickers)} tickers ({', '.join(tickers)}): class unknown"]
            )
            if truncated:
                notes.insert(0, "truncated issuer name matched as the start of one company's name")
            if cusip in conflicts:
                notes.append(conflicts[cusip])
            confidence = (0.9 if ticker else 0.6) - (0.2 if truncated else 0.0)
            out.append(CusipMapping(cusip=cusip, issuer_name=issuer, cik=cik, ticker=ticker, source="issuer-name",
                                    confidence=round(confidence, 2), note="; ".join(notes) or None))  # fmt: skip
        else:
            why = f"{len(matches)} companies share the name" if matches else "no company of that name"
            if cusip in conflicts:
                why = f"{why}; {conflicts[cusip]}"
            out.append(CusipMapping(cusip=cusip, issuer_name=issuer, cik=None, ticker=None,
                                    source="unmapped", confidence=0.0, note=why))  # fmt: skip
    return out
