"""SEC EDGAR URL layout: the one place that knows where each document lives on www.sec.gov / data.sec.gov."""

from __future__ import annotations

from datetime import date


def cik10(cik: int | str) -> str:
    """Zero-padded 10-digit CIK, as data.sec.gov spells it."""
    return f"{int(cik):010d}"


def accession_nodash(accession: str) -> str:
    """``0001894188-23-000007`` -> ``000189418823000007`` (the folder name under /Archives)."""
    return accession.replace("-", "")


def company_tickers_path() -> str:
    """Path (on www.sec.gov) of the SEC's ticker -> CIK map."""
    return "/files/company_tickers.json"


def submissions_path(cik: int | str, page: int = 0) -> str:
    """Path (on data.sec.gov) of a filer's submissions JSON; ``page`` > 0 is an overflow page."""
    if page:
        return f"/submissions/CIK{cik10(cik)}-submissions-{page:03d}.json"
    return f"/submissions/CIK{cik10(cik)}.json"


def companyfacts_path(cik: int | str) -> str:
    """Path (on data.sec.gov) of a filer's XBRL company facts."""
    return f"/api/xbrl/companyfacts/CIK{cik10(cik)}.json"


def daily_index_path(day: date, kind: str = "form") -> str:
    """Path (on www.sec.gov) of the daily ``form`` or ``company`` index for ``day``."""
    quarter = (day.month - 1) // 3 + 1
    return f"/Archives/edgar/daily-index/{day.year}/QTR{quarter}/{kind}.{day:%Y%m%d}.idx"


def full_submission_path(cik: int | str, accession: str) -> str:
    """Path (on www.sec.gov) of a filing's complete SGML submission text file."""
    return f"/Archives/edgar/data/{int(cik)}/{accession_nodash(accession)}/{accession}.txt"


def filing_index_path(cik: int | str, accession: str) -> str:
    """Path (on www.sec.gov) of a filing's index page ("Filing Detail")."""
    return f"/Archives/edgar/data/{int(cik)}/{accession_nodash(accession)}/{accession}-index.html"


def is_data_host_path(path: str) -> bool:
    """True when ``path`` is served by data.sec.gov rather than www.sec.gov."""
    return path.startswith(("/submissions/", "/api/xbrl/"))


def filing_folder_path(cik: int | str, accession: str) -> str:
    """Path (on www.sec.gov) of a filing's folder, with a trailing slash."""
    return f"/Archives/edgar/data/{int(cik)}/{accession_nodash(accession)}/"


def index_headers_path(cik: int | str, accession: str) -> str:
    """Path (on www.sec.gov) of a filing's ``-index-headers.html``: its SGML header and document list."""
    return f"{filing_folder_path(cik, accession)}{accession}-index-headers.html"


def folder_index_json_path(cik: int | str, accession: str) -> str:
    """Path (on www.sec.gov) of a filing folder's directory listing (``index.json``: names, sizes)."""
    return f"{filing_folder_path(cik, accession)}index.json"


def document_path(cik: int | str, accession: str, filename: str) -> str:
    """Path (on www.sec.gov) of one document of a filing, by its file name."""
    return f"{filing_folder_path(cik, accession)}{filename}"
