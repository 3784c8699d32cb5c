"""The FinancialDatasets-compatible surface (fd-api.md): same paths, parameters, keys and errors."""

from serving.fd import company, events, filings, metrics, ownership, prices, statements

ROUTES = [
    *statements.ROUTES,
    *prices.ROUTES,
    *metrics.ROUTES,
    *ownership.ROUTES,
    *filings.ROUTES,
    *company.ROUTES,
    *events.ROUTES,
]
