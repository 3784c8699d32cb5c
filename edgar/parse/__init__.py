"""Pure parsers of SEC EDGAR files: bytes in, frozen msgspec Structs out (no I/O, no framework)."""

from edgar.errors import EdgarError, ParseError
from edgar.parse.acceptance import (
    AcceptanceTime,
    FeedAssessment,
    assess_feed,
    filing_date_contradictions,
    from_eastern_wall_clock,
    from_sgml,
    json_to_utc,
    parse_json_naive,
    resolve_feed_acceptance,
)
from edgar.parse.daily_index import DailyIndex, IndexEntry, parse_daily_index
from edgar.parse.index_page import FilingIndexPage, IndexPageDocument, parse_filing_index_page
from edgar.parse.sgml import Address, FormerName, Party, SgmlDocument, SgmlSubmission, parse_sgml_submission
from edgar.parse.submissions import OverflowFile, SubmissionRow, Submissions, parse_submissions
from edgar.parse.tickers import TickerEntry, parse_company_tickers

__all__ = [
    "AcceptanceTime",
    "Address",
    "DailyIndex",
    "EdgarError",
    "FeedAssessment",
    "FilingIndexPage",
    "FormerName",
    "IndexEntry",
    "IndexPageDocument",
    "OverflowFile",
    "ParseError",
    "Party",
    "SgmlDocument",
    "SgmlSubmission",
    "SubmissionRow",
    "Submissions",
    "TickerEntry",
    "assess_feed",
    "filing_date_contradictions",
    "from_eastern_wall_clock",
    "from_sgml",
    "json_to_utc",
    "parse_company_tickers",
    "parse_daily_index",
    "parse_filing_index_page",
    "parse_json_naive",
    "parse_sgml_submission",
    "parse_submissions",
    "resolve_feed_acceptance",
]
