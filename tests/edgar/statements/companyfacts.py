"""Test inputs built from the SEC's own extraction (data.sec.gov companyfacts JSON), until the XBRL parsers land.

companyfacts lists every dimensionless fact each filing reported (``accn``), so the facts of one accession are the
dimensionless part of that filing. It has no dei cover facts other than shares outstanding and public float, so
the dei facts a parser would give are synthesized from the companyfacts fields of the filing: ``fy`` ->
DocumentFiscalYearFocus, ``fp`` -> DocumentFiscalPeriodFocus, ``form`` -> DocumentType, and the latest end of the
filing's duration facts -> DocumentPeriodEndDate.
"""

from __future__ import annotations

import json
from datetime import date
from functools import cache
from pathlib import Path
from typing import Any

from edgar.statements.model import FilingRef
from edgar.xbrl.model import Fact

REFERENCE = Path("/work/shared/edgar/reference")
APPLE = REFERENCE / "companyfacts-CIK0000320193-apple.json"
NVIDIA = REFERENCE / "companyfacts-CIK0001045810-nvidia.json"
SNOWFLAKE = REFERENCE / "companyfacts-CIK0001640147-snowflake.json"


@cache
def load(path: Path) -> dict[str, Any]:
    return json.loads(path.read_text(encoding="utf-8"))


def _text(value: object) -> str:
    if isinstance(value, float) and value.is_integer() and abs(value) < 1e15:
        return str(int(value))
    return str(value)


def facts_from_companyfacts(path: Path, accession: str) -> list[Fact]:
    """Dimensionless Facts of one filing (accession), plus synthesized dei facts (see the module docstring)."""
    data = load(path)
    cik = str(data["cik"])
    facts: list[Fact] = []
    meta: dict[str, Any] = {}
    latest_end: date | None = None
    n = 0
    for taxonomy, concepts in data["facts"].items():
        for concept, body in concepts.items():
            for unit, entries in body["units"].items():
                for entry in entries:
                    if entry["accn"] != accession:
                        continue
                    meta = entry
                    n += 1
                    start = date.fromisoformat(entry["start"]) if "start" in entry else None
                    end = date.fromisoformat(entry["end"])
                    if start is not None and taxonomy != "dei" and (latest_end is None or end > latest_end):
                        latest_end = end
                    facts.append(
                        Fact(
                            concept=f"{taxonomy}:{concept}",
                            value=_text(entry["val"]),
                            numeric=True,
                            unit=unit,
                            period_type="duration" if start is not None else "instant",
                            start=start,
                            end=end,
                            entity=cik,
                            context_id=f"c{n}",
                        )
                    )
    if not facts:
        raise LookupError(f"no fact of {accession} in {path.name}")
    for name, value in (
        ("DocumentFiscalYearFocus", str(meta["fy"])),
        ("DocumentFiscalPeriodFocus", meta["fp"]),
        ("DocumentType", meta["form"]),
        ("DocumentPeriodEndDate", latest_end.isoformat() if latest_end else None),
    ):
        facts.append(
            Fact(concept=f"dei:{name}", value=value, numeric=False, period_type="duration", context_id="dei")
        )
    return facts


def filing_ref(path: Path, accession: str) -> FilingRef:
    """The filing's identity from companyfacts (form and filing date; the acceptance time is not in it)."""
    data = load(path)
    for concepts in data["facts"].values():
        for body in concepts.values():
            for entries in body["units"].values():
                for entry in entries:
                    if entry["accn"] == accession:
                        return FilingRef(
                            cik=int(data["cik"]),
                            accession_number=accession,
                            form=entry["form"],
                            filing_date=date.fromisoformat(entry["filed"]),
                        )
    raise LookupError(accession)


def accessions(path: Path, forms: tuple[str, ...] = ("10-K", "10-Q", "10-K/A", "10-Q/A")) -> list[str]:
    """Every accession of the given forms in the file, oldest filing first."""
    seen: dict[str, str] = {}
    for concepts in load(path)["facts"].values():
        for body in concepts.values():
            for entries in body["units"].values():
                for entry in entries:
                    if entry["form"] in forms:
                        seen.setdefault(entry["accn"], entry["filed"])
    return sorted(seen, key=lambda a: (seen[a], a))
