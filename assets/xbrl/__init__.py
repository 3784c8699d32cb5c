"""XBRL assets: facts and linkbases (labels, calculation and presentation arcs) of every filing, standardized statements, restatements, and their quality checks."""

import dagster as dg

from assets.xbrl.facts import xbrl_facts
from assets.xbrl.linkbases import xbrl_linkbases
from assets.xbrl.quality_checks import balance_sheet_identity, income_statement_identity
from assets.xbrl.statements import financial_statements

defs = dg.Definitions(
    assets=[xbrl_facts, xbrl_linkbases, financial_statements],
    asset_checks=[balance_sheet_identity, income_statement_identity],
)
