"""The order management store in PostgreSQL (schema ``trading``): migrations and the store."""
