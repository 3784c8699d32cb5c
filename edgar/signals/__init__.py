"""Point-in-time signals from filings: late filings, restatements, abnormal 13F flows, insider clusters.

Definitions, score formulas and confidence rules: :data:`edgar.signals.definitions.DEFINITIONS`.
"""

from edgar.signals.definitions import BY_KIND, DEFINITIONS, Signal, SignalDefinition, as_of_time
from edgar.signals.flows import HoldingRow, IssuerQuarter, abnormal_13f_flows, issuer_quarters
from edgar.signals.insiders import InsiderTradeRow, insider_clusters
from edgar.signals.late import category_in_force, deadline, filer_category, late_filing, late_filing_signals
from edgar.signals.restatements import FilingRecord, RestatedValue, is_split_adjustment, restatement_signals

__all__ = [
    "BY_KIND",
    "DEFINITIONS",
    "FilingRecord",
    "HoldingRow",
    "InsiderTradeRow",
    "IssuerQuarter",
    "RestatedValue",
    "Signal",
    "SignalDefinition",
    "abnormal_13f_flows",
    "as_of_time",
    "category_in_force",
    "deadline",
    "filer_category",
    "insider_clusters",
    "is_split_adjustment",
    "issuer_quarters",
    "late_filing",
    "late_filing_signals",
    "restatement_signals",
]
