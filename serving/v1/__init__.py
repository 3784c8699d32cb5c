"""Our /v1 API (the seed design): envelope, opaque cursors, sort_by/order, error codes."""

from typing import Any

from serving.v1 import companies, holdings, signals, statements

ROUTES: list[Any] = [*companies.ROUTES, *statements.ROUTES, *holdings.ROUTES, *signals.ROUTES]
