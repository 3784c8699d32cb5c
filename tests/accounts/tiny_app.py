"""A tiny Litestar app with the access plugin, for the accounts tests (also served by granian in a subprocess).

Its handlers return synthetic rows: the tests here are about keys, limits and metering, not lake data.
"""

from __future__ import annotations

import os
from typing import Any

from litestar import Litestar, Request, Response, get

from serving.accounts.litestar import AccessConfig, AccessPlugin, report_rows, row_cap


@get(["/prices", "/prices/"], sync_to_thread=False)
def prices(request: Request[Any, Any, Any], limit: int = 5) -> dict[str, Any]:
    """FD face: reports its rows through request state."""
    cap = row_cap(request)
    n = min(limit, cap) if cap is not None else limit
    report_rows(request, n)
    return {"prices": [{"close": float(i)} for i in range(n)]}


@get("/financials", sync_to_thread=False)
def financials() -> Response[dict[str, Any]]:
    """FD face: reports its rows through the response header the middleware strips."""
    return Response({"financials": [{}, {}, {}]}, headers={"x-aihf-rows": "3"})


@get("/v1/things/{thing_id:int}", sync_to_thread=False)
def thing(request: Request[Any, Any, Any], thing_id: int) -> dict[str, Any]:
    """/v1 face: echoes the row cap of the caller's plan."""
    report_rows(request, 1)
    return {"data": [{"id": thing_id, "row_cap": row_cap(request)}]}


def create_app(config: AccessConfig | None = None) -> Litestar:
    """The app; without ``config``, read from ``TEST_ACCESS_CONFIG`` (JSON) for the subprocess server."""
    if config is None:
        import msgspec

        config = msgspec.json.decode(os.environ["TEST_ACCESS_CONFIG"], type=AccessConfig)
    return Litestar([prices, financials, thing], plugins=[AccessPlugin(config)])
