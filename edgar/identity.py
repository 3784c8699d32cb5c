"""A filing's identity: who filed what, for which period, and when it became public.

Identity comes from the best source available, in this order: the SGML header of a full submission
(accession, filing date, acceptance time as EDGAR recorded them); the SEC's submissions feed, matched on
CIK + form + period (:func:`match_submission`); the document itself (dei facts, ownership or 13F cover page).
Nothing is invented: a field no source states stays ``None``, and an unknown acceptance time is flagged.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Sequence
from datetime import date, datetime

import msgspec

from edgar.parse.cover import Cover
from edgar.parse.sgml import SgmlSubmission

#: Forms whose subject is the issuer, not the filer (the reporting owner files them).
_ISSUER_FORMS = ("3", "4", "5", "3/A", "4/A", "5/A")
_SUBJECT_FORMS = ("SC 13D", "SC 13G", "SC 13D/A", "SC 13G/A", "SC TO-T", "SC 14D9")


class SubmissionMeta(msgspec.Struct, frozen=True, kw_only=True):
    """Filing metadata the SEC states in a submissions feed, with acceptance already resolved to UTC."""

    accession: str
    cik: int
    form: str
    filing_date: date | None
    report_date: date | None
    acceptance_utc: datetime | None
    acceptance_basis: str | None
    acceptance_ambiguous: bool = False
    primary_document: str | None = None


class FilingIdentity(msgspec.Struct, frozen=True, kw_only=True):
    """What is known of a filing's identity, and where each part came from.

    Attributes:
        accession: SEC accession number, only when a real SEC source states it.
        cik: subject CIK (registrant, issuer for Forms 3/4/5, subject company for schedules 13D/G).
        metadata_source: ``sgml-header``, ``submissions-json`` or ``document`` (dei facts / cover page only).
        acceptance_utc: EDGAR acceptance time in UTC; ``None`` when no source states it.
        acceptance_basis: how ``acceptance_utc`` was read (``sgml-header``, ``submissions-json:utc``...).
        acceptance_flag: ``unknown`` (no source), ``ambiguous`` (feed convention undecidable) or ``None``.
        filing_quarter: ``YYYYQn`` of the filing date, else of the period of report, else ``None``.
        partition_basis: ``filing_date``, ``period_of_report`` or ``None`` (the filing cannot be placed).
    """

    accession: str | None = None
    cik: int | None = None
    entity_name: str | None = None
    form: str | None = None
    period_of_report: date | None = None
    fiscal_year: int | None = None
    fiscal_period: str | None = None
    filing_date: date | None = None
    acceptance_utc: datetime | None = None
    acceptance_basis: str | None = None
    acceptance_flag: str | None = "unknown"
    metadata_source: str = "document"
    filing_quarter: str | None = None
    partition_basis: str | None = None
    primary_document: str | None = None
    warnings: tuple[str, ...] = ()


def quarter_of(day: date) -> str:
    """``date(2023, 8, 4)`` -> ``"2023Q3"``."""
    return f"{day.year}Q{(day.month - 1) // 3 + 1}"


def _placed(identity: FilingIdentity) -> FilingIdentity:
    if identity.filing_date is not None:
        return msgspec.structs.replace(
            identity, filing_quarter=quarter_of(identity.filing_date), partition_basis="filing_date"
        )
    if identity.period_of_report is not None:
        return msgspec.structs.replace(
            identity, filing_quarter=quarter_of(identity.period_of_report), partition_basis="period_of_report"
        )
    return msgspec.structs.replace(identity, filing_quarter=None, partition_basis=None)


def subject_party_cik(sub: SgmlSubmission) -> int | None:
    """The CIK a submission is about: issuer (Forms 3/4/5), subject company (13D/G...), else the first filer."""
    form = (sub.form or "").upper()
    wanted = "issuer" if form in _ISSUER_FORMS else "subject-company" if form in _SUBJECT_FORMS else "filer"
    for role in (wanted, "filer", "issuer", "subject-company", "reporting-owner", "filed-by"):
        for party in sub.parties:
            if party.role == role:
                return party.cik
    return None


def identity_from_sgml(sub: SgmlSubmission, cover: Cover | None = None) -> FilingIdentity:
    """Identity from a full submission's header, completed with its primary document's ``cover`` if given."""
    cik = subject_party_cik(sub)
    name = next((p.name for p in sub.parties if p.cik == cik), None)
    primary = next((d.filename for d in sub.documents if d.sequence == 1), None)
    warnings: list[str] = []
    if sub.acceptance_utc is None:
        warnings.append("the submission header has no ACCEPTANCE-DATETIME: acceptance time unknown")
    identity = FilingIdentity(
        accession=sub.accession,
        cik=cik,
        entity_name=name,
        form=sub.form,
        period_of_report=sub.period_of_report,
        fiscal_year=cover.fiscal_year if cover else None,
        fiscal_period=cover.fiscal_period if cover else None,
        filing_date=sub.filed_as_of,
        acceptance_utc=sub.acceptance_utc,
        acceptance_basis="sgml-header" if sub.acceptance_utc else None,
        acceptance_flag=None if sub.acceptance_utc else "unknown",
        metadata_source="sgml-header",
        primary_document=primary,
        warnings=tuple(warnings),
    )
    return _placed(identity)


def identity_from_cover(cover: Cover, document: str | None = None) -> FilingIdentity:
    """Identity from a document alone (dei facts, ownership or 13F cover page): no accession, no dates."""
    form = cover.form
    if (
        form
        and cover.amendment
        and not form.endswith("/A")
        and cover.kind in ("xbrl-instance", "inline-xbrl")
    ):
        form = f"{form}/A"
    identity = FilingIdentity(
        accession=cover.accession,
        cik=cover.cik,
        entity_name=cover.entity_name,
        form=form,
        period_of_report=cover.period_of_report,
        fiscal_year=cover.fiscal_year,
        fiscal_period=cover.fiscal_period,
        primary_document=document,
        warnings=(
            *cover.warnings,
            "no SEC filing metadata: accession, filing date and acceptance time unknown",
        ),
    )
    return _placed(identity)


def match_submission(
    identity: FilingIdentity, candidates: Sequence[SubmissionMeta]
) -> tuple[SubmissionMeta | None, str | None]:
    """Find the one SEC filing (from submissions feeds) this document is: same CIK, form and period.

    Returns the match, or ``None`` with the reason when there is none or more than one.
    """
    if identity.cik is None or identity.form is None or identity.period_of_report is None:
        return None, None
    hits = [
        c
        for c in candidates
        if c.cik == identity.cik and c.form == identity.form and c.report_date == identity.period_of_report
    ]
    unique = {c.accession: c for c in hits}
    if len(unique) == 1:
        return next(iter(unique.values())), None
    if not unique:
        return None, None
    return (
        None,
        f"{len(unique)} SEC filings match cik/form/period ({', '.join(sorted(unique))}): not guessing",
    )


def apply_submission(identity: FilingIdentity, meta: SubmissionMeta) -> FilingIdentity:
    """Complete a document-derived identity with the SEC's filing metadata."""
    warnings = tuple(w for w in identity.warnings if not w.startswith("no SEC filing metadata"))
    if meta.acceptance_utc is None:
        warnings += ("the submissions feed gives no usable acceptance time",)
    updated = msgspec.structs.replace(
        identity,
        accession=meta.accession,
        filing_date=meta.filing_date,
        acceptance_utc=meta.acceptance_utc,
        acceptance_basis=meta.acceptance_basis,
        acceptance_flag="unknown"
        if meta.acceptance_utc is None
        else "ambiguous"
        if meta.acceptance_ambiguous
        else None,
        metadata_source="submissions-json",
        primary_document=meta.primary_document or identity.primary_document,
        warnings=warnings,
    )
    return _placed(updated)


def local_filing_id(documents: Iterable[tuple[str, str]]) -> str:
    """A stable id for a filing with no accession: ``local-`` + a hash of its (name, sha256) documents."""
    digest = hashlib.sha256()
    for name, sha in sorted(documents):
        digest.update(f"{name}\0{sha}\n".encode())
    return f"local-{digest.hexdigest()[:20]}"
