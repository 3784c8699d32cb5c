"""13F cover page (the ``edgarSubmission`` primary document, ``primary_doc.xml``).

Elements are matched by local name, so the usual namespace (``http://www.sec.gov/edgar/thirteenffiler``), a
prefixed variant or an unknown namespace all parse. Dates in 13F documents are ``MM-DD-YYYY``.
"""

from __future__ import annotations

from datetime import date
from typing import Any

import msgspec

from edgar.errors import ParseError
from edgar.thirteenf._xml import clean, local, parse_xml, to_bool, to_date, to_int

SUBMISSION_TYPES = ("13F-HR", "13F-HR/A", "13F-NT", "13F-NT/A")
REPORT_TYPES = ("13F HOLDINGS REPORT", "13F NOTICE", "13F COMBINATION REPORT")
AMENDMENT_TYPES = ("RESTATEMENT", "NEW HOLDINGS")


class OtherManager(msgspec.Struct, frozen=True, kw_only=True):
    """Another manager named on the cover or summary page.

    Attributes:
        sequence: the summary page's ``sequenceNumber`` (what the information table's OTHER MANAGER column
            refers to); None for the cover page's "other managers reporting for this manager" list.
        cik: CIK, None when not given or not digits.
        file_number: Form 13F file number (``028-...``), as given.
        name: the manager's name.
        crd_number: CRD number, as given.
        sec_file_number: SEC file number, as given.
    """

    sequence: int | None
    cik: int | None
    file_number: str | None
    name: str | None
    crd_number: str | None = None
    sec_file_number: str | None = None


class Cover13F(msgspec.Struct, frozen=True, kw_only=True):
    """The cover, signature and summary pages of a 13F filing.

    Attributes:
        source: name of the parsed file.
        filer_cik: the filer's CIK (``headerData/filerInfo/filer/credentials/cik``).
        filer_name: the filing manager's name (``coverPage/filingManager/name``).
        period_of_report: ``periodOfReport`` (header), falling back to ``reportCalendarOrQuarter``.
        report_calendar_or_quarter: ``coverPage/reportCalendarOrQuarter`` as a date.
        submission_type: ``13F-HR``, ``13F-HR/A``, ``13F-NT`` or ``13F-NT/A`` (as given, upper-cased).
        is_amendment: ``coverPage/isAmendment``; when absent, whether the submission type ends in ``/A``.
        amendment_number: ``amendmentNo``, None when absent.
        amendment_type: ``RESTATEMENT`` or ``NEW HOLDINGS`` (``amendmentInfo/amendmentType``), None when absent.
        report_type: ``13F HOLDINGS REPORT``, ``13F NOTICE`` or ``13F COMBINATION REPORT``.
        form13f_file_number: the filer's Form 13F file number.
        other_included_managers_count: ``summaryPage/otherIncludedManagersCount``.
        table_entry_total: ``summaryPage/tableEntryTotal`` (rows the filer says the information table has).
        table_value_total: ``summaryPage/tableValueTotal``, as reported (thousands before 2023, dollars after;
            see :func:`edgar.thirteenf.infotable.value_usd`).
        is_confidential_omitted: ``summaryPage/isConfidentialOmitted``, None when absent.
        other_managers: the summary page's other included managers (``otherManagers2Info``), with sequence.
        other_managers_reporting: the cover page's other managers reporting for this manager
            (``otherManagersInfo``), no sequence.
        signature_name: signer's name.
        signature_date: ``signatureBlock/signatureDate`` (not the filing date).
        warnings: values that could not be read and became None.
    """

    source: str
    filer_cik: int | None
    filer_name: str | None
    period_of_report: date | None
    report_calendar_or_quarter: date | None
    submission_type: str | None
    is_amendment: bool | None
    amendment_number: int | None
    amendment_type: str | None
    report_type: str | None
    form13f_file_number: str | None
    other_included_managers_count: int | None
    table_entry_total: int | None
    table_value_total: int | None
    is_confidential_omitted: bool | None
    other_managers: tuple[OtherManager, ...]
    other_managers_reporting: tuple[OtherManager, ...]
    signature_name: str | None
    signature_date: date | None
    warnings: tuple[str, ...]


def _fields(elem: Any) -> dict[str, str]:
    """Local name -> text of the direct children of ``elem``."""
    return {local(c.tag): clean(c.text) for c in elem if local(c.tag)}


def _manager(elem: Any, sequence: int | None, warnings: list[str]) -> OtherManager:
    values = _fields(elem)
    cik_text = values.get("cik", "")
    cik = int(cik_text) if cik_text.isdigit() else None
    if cik_text and cik is None:
        warnings.append(f"other manager cik {cik_text!r} is not digits")
    return OtherManager(
        sequence=sequence,
        cik=cik,
        file_number=values.get("form13FFileNumber") or None,
        name=values.get("name") or None,
        crd_number=values.get("crdNumber") or None,
        sec_file_number=values.get("secFileNumber") or None,
    )


def cover_from_root(root: Any, source: str) -> Cover13F:
    """Read a :class:`Cover13F` from an already parsed ``edgarSubmission`` root element.

    Args:
        root: lxml root element whose local name is ``edgarSubmission``.
        source: file name for warnings and errors.

    Returns:
        The cover.

    Raises:
        ParseError: the root is not ``edgarSubmission``.
    """
    if local(root.tag) != "edgarSubmission":
        raise ParseError(source, f"root element is <{local(root.tag)}>, not a 13F <edgarSubmission>")
    warnings: list[str] = []
    values: dict[str, str] = {}
    managers: list[OtherManager] = []
    reporting: list[OtherManager] = []
    path: list[str] = []

    def walk(elem: Any) -> None:
        name = local(elem.tag)
        if not name or name == "documents":  # base64 copies of the attached documents: not cover data
            return
        path.append(name)
        if name == "otherManager2":
            child = _fields(elem)
            seq = to_int(child.get("sequenceNumber"), "other manager sequenceNumber", warnings)
            inner = next((c for c in elem if local(c.tag) == "otherManager"), None)
            managers.append(_manager(inner if inner is not None else elem, seq, warnings))
        elif name == "otherManager" and "otherManagersInfo" in path:
            reporting.append(_manager(elem, None, warnings))
        elif len(elem) == 0:
            values.setdefault(name, clean(elem.text))
            values.setdefault("/".join(path[-2:]), clean(elem.text))
        else:
            for child in elem:
                walk(child)
        path.pop()

    walk(root)
    cik_text = values.get("credentials/cik", "")
    cik = int(cik_text) if cik_text.isdigit() else None
    if cik is None:
        warnings.append(f"filer cik {cik_text!r} missing or not digits")
    header_period = to_date(values.get("periodOfReport"), "periodOfReport", warnings)
    quarter = to_date(values.get("reportCalendarOrQuarter"), "reportCalendarOrQuarter", warnings)
    form = values.get("submissionType", "").upper() or None
    if form is not None and form not in SUBMISSION_TYPES:
        warnings.append(f"submissionType {form!r} is not a 13F form")
    report_type = values.get("reportType", "").upper() or None
    if report_type is not None and report_type not in REPORT_TYPES:
        warnings.append(f"reportType {report_type!r} is unknown")
    amendment_type = values.get("amendmentType", "").upper() or None
    if amendment_type is not None and amendment_type not in AMENDMENT_TYPES:
        warnings.append(f"amendmentType {amendment_type!r} is unknown")
    flag = to_bool(values.get("isAmendment"), "isAmendment", warnings)
    is_amendment = flag if flag is not None else (form.endswith("/A") if form else None)
    return Cover13F(
        source=source,
        filer_cik=cik,
        filer_name=values.get("filingManager/name") or None,
        period_of_report=header_period or quarter,
        report_calendar_or_quarter=quarter,
        submission_type=form,
        is_amendment=is_amendment,
        amendment_number=to_int(values.get("amendmentNo"), "amendmentNo", warnings),
        amendment_type=amendment_type,
        report_type=report_type,
        form13f_file_number=values.get("coverPage/form13FFileNumber") or None,
        other_included_managers_count=to_int(
            values.get("otherIncludedManagersCount"), "otherIncludedManagersCount", warnings
        ),
        table_entry_total=to_int(values.get("tableEntryTotal"), "tableEntryTotal", warnings),
        table_value_total=to_int(values.get("tableValueTotal"), "tableValueTotal", warnings),
        is_confidential_omitted=to_bool(
            values.get("isConfidentialOmitted"), "isConfidentialOmitted", warnings
        ),
        other_managers=tuple(managers),
        other_managers_reporting=tuple(reporting),
        signature_name=values.get("signatureBlock/name") or None,
        signature_date=to_date(values.get("signatureDate"), "signatureDate", warnings),
        warnings=tuple(warnings),
    )


def parse_cover(data: bytes, source: str) -> Cover13F:
    """Parse a 13F primary document (``edgarSubmission``: cover, signature and summary pages).

    Args:
        data: the XML bytes of ``primary_doc.xml`` (any namespace or prefix).
        source: file name used in warnings and errors.

    Returns:
        The :class:`Cover13F`; unreadable values are None with a warning in ``warnings``.

    Raises:
        ParseError: not well-formed (e.g. truncated) XML, or the root is not ``edgarSubmission``.
    """
    return cover_from_root(parse_xml(data, source), source)
