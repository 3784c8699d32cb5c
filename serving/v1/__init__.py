"""Our /v1 API (the seed design): envelope, opaque cursors, sort_by/order, error codes."""

from typing import Any

ROUTES: list[Any] = []
