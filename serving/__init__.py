"""The REST API over the lake (Litestar + msgspec): our /v1 API and the FinancialDatasets-compatible surface."""
