"""The Litestar application: the FinancialDatasets-compatible face, our /v1 API, docs and the access hook."""

from __future__ import annotations

import logging
from collections.abc import Sequence
from typing import Any

import msgspec
from litestar import Litestar, Request, Response, Router, get
from litestar.openapi import OpenAPIConfig
from litestar.openapi.plugins import ScalarRenderPlugin
from litestar.openapi.spec import Server

from lake.settings import Settings
from lake.storage import Lake
from serving import errors
from serving.access import Access, OpenAccess
from serving.context import Context
from serving.fd import ROUTES as FD_ROUTES
from serving.layouts import LAYOUTS
from serving.middleware import make_middleware
from serving.query import ResponseCache, Store
from serving.v1 import ROUTES as V1_ROUTES

log = logging.getLogger("serving")

#: The body of ``/health/floor``: constant bytes, the framework's floor in the benchmark.
FLOOR_BODY = msgspec.json.encode({"status": "ok"})


class Health(msgspec.Struct):
    """``/health``: the server is up; ``ready`` once the startup preload of the tables finished."""

    status: str
    ready: bool


@get("/health", tags=["meta"], summary="Liveness and readiness")
async def health(request: Request[Any, Any, Any]) -> Health:
    """The server is up (and whether its tables are loaded)."""
    return Health("ok", not request.app.state.ctx.store.loading)


@get("/health/floor", tags=["meta"], include_in_schema=False)
async def floor() -> Response[bytes]:
    """Constant bytes (the framework floor measured by `make bench`)."""
    return Response(FLOOR_BODY, media_type="application/json")


def create_app(
    settings: Settings,
    lake: Lake | None = None,
    access: Access | None = None,
    *,
    page_size: int = 1000,
    refresh_s: float = 5.0,
    preload: Sequence[str] = (),
) -> Litestar:
    """Build the API over ``lake`` (default: the settings' lake).

    Args:
        settings: Run-time settings (``public_url`` for absolute links, ``auth``).
        lake: The lake to serve.
        access: Authentication/rate-limit/metering hook (the accounts module); None = :class:`OpenAccess`
            (every request anonymous), which is what ``AIHF_AUTH=off`` means. Its optional
            ``route_handlers`` (e.g. token and key endpoints) are mounted too.
        page_size: Rows per page of paginated FinancialDatasets lists.
        refresh_s: How often a table's Delta version is checked for a newer snapshot.
        preload: Tables loaded into memory in the background at startup (``serving.asgi`` passes every
            table the API holds, so first requests do not wait for a load).
    """
    lake = lake or Lake.from_settings(settings)
    if access is None:
        if settings.auth:
            log.warning("AIHF_AUTH=on but no access module is plugged in: requests are not authenticated")
        access = OpenAccess()
    ctx = Context(
        settings=settings,
        store=Store(lake, LAYOUTS, refresh_s=refresh_s),
        cache=ResponseCache(),
        access=access,
        page_size=page_size,
    )
    # the data API's request bodies (screener, line-item search) are small JSON documents: a larger one is a
    # 413 before it is read in full (Litestar's own default, 10 MB, stays on the other routes)
    data_api = Router(
        "/", route_handlers=[*FD_ROUTES, *V1_ROUTES], request_max_body_size=settings.api_max_body_bytes
    )
    app = Litestar(
        route_handlers=[health, floor, data_api, *getattr(access, "route_handlers", ())],
        exception_handlers={Exception: errors.handle},
        on_startup=[*access.on_startup, lambda: ctx.store.preload(preload), ctx.store.start_refresher],
        on_shutdown=[*access.on_shutdown, ctx.store.close],
        openapi_config=OpenAPIConfig(
            title="AIHF API",
            version="1.0.0",
            description=(
                "SEC EDGAR data over a Delta lake: a FinancialDatasets-compatible surface (/prices, /financials, "
                "/insider-trades ...) and our own /v1 API (cursor pagination, envelope, error codes)."
            ),
            servers=[Server(url=settings.public_url)],
            render_plugins=[ScalarRenderPlugin()],
            path="/schema",
        ),
        debug=False,
    )
    app.state.ctx = ctx
    # outside Litestar's router: requests to no route are authenticated, metered and logged too, and cached
    # answers skip routing altogether
    app.asgi_handler = make_middleware(access, ctx)(app.asgi_handler)
    return app


def state_of(app: Litestar) -> Any:
    """The :class:`Context` of an app built by :func:`create_app`."""
    return app.state.ctx
