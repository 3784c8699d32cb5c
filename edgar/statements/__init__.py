"""Standardized financial statements (FinancialDatasets fields) from XBRL facts: pure functions, no framework."""
