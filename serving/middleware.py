"""ASGI middleware: request id, authentication hook, metering and one JSON log line per request."""

from __future__ import annotations

import logging
import time
import uuid
from typing import Any

from litestar.types import ASGIApp, HTTPScope, Message, Receive, Scope, Send

from serving.access import Access, Principal, credential_of
from serving.context import Context, cache_key
from serving.errors import ApiError, error_body, error_headers, is_v1

log = logging.getLogger("serving.access")

#: Paths served without a key (docs, schema, health).
PUBLIC_PREFIXES = ("/schema", "/health")


def _request_id(scope: Scope) -> str:
    for name, value in scope.get("headers", ()):
        if name == b"x-request-id" and 0 < len(value) <= 64:
            return value.decode("latin-1")
    return uuid.uuid4().hex


async def _authenticate(access: Access, scope: HTTPScope, request_id: str) -> Principal:
    """The caller of a request (key from the headers, address from the ASGI scope's client).

    Raises:
        ApiError: the hook's refusal, or a 500 when the hook failed otherwise (still the API's JSON error).
    """
    client = scope.get("client")
    try:
        return await access.authenticate(
            credential_of(scope["headers"]), scope["path"], client=client[0] if client else None
        )
    except ApiError:
        raise
    except Exception as exc:
        log.error("access hook failed", exc_info=exc, extra={"request_id": request_id})
        raise ApiError(500, "internal error") from exc


#: the endpoint a request to no route is metered under (one name, whatever path was asked)
UNMATCHED = "(no route)"


def make_middleware(access: Access, ctx: Context) -> Any:
    """The middleware factory bound to ``access`` and the app's context; it wraps the app's whole ASGI handler.

    After authentication, a GET of the FinancialDatasets face whose response is cached (and still valid for
    its tables' versions) is answered here, without parsing parameters or running the handler.
    """

    def factory(app: ASGIApp) -> ASGIApp:
        async def middleware(scope: Scope, receive: Receive, send: Send) -> None:
            if scope["type"] != "http":
                await app(scope, receive, send)
                return
            started = time.perf_counter()
            request_id = _request_id(scope)
            state = scope.setdefault("state", {})
            state["request_id"] = request_id
            path: str = scope["path"]
            status = 500
            principal = None
            header = (b"x-request-id", request_id.encode("latin-1"))
            extra = [header]

            async def send_with_id(message: Message) -> None:
                nonlocal status
                if message["type"] == "http.response.start":
                    status = message["status"]
                    message["headers"] = [*message.get("headers", ()), *extra]
                await send(message)

            try:
                if not path.startswith(PUBLIC_PREFIXES):
                    try:
                        principal = await _authenticate(access, scope, request_id)
                    except ApiError as error:
                        status = error.status
                        body = error_body(path, request_id, error)
                        headers = [
                            (k.encode(), v.encode()) for k, v in error_headers(request_id, error).items()
                        ]
                        await send(
                            {
                                "type": "http.response.start",
                                "status": error.status,
                                "headers": [(b"content-type", b"application/json"), header, *headers],
                            }
                        )
                        await send({"type": "http.response.body", "body": body})
                        return
                    state["principal"] = principal
                    if principal.rate is not None:
                        extra += [(k.encode(), v.encode()) for k, v in principal.rate.headers().items()]
                    if scope["method"] == "GET" and not is_v1(path):
                        key = cache_key("GET", path, scope["query_string"], None, principal.max_rows)
                        hit = ctx.cache.lookup(key, ctx.store)
                        if hit is not None:
                            status = 200
                            state["rows"] = hit.rows
                            scope["path_template"] = hit.endpoint  # routing is skipped: meter the route
                            await send(
                                {
                                    "type": "http.response.start",
                                    "status": 200,
                                    "headers": [
                                        (b"content-type", b"application/json"),
                                        (b"content-length", str(len(hit.body)).encode()),
                                        *extra,
                                    ],
                                }
                            )
                            await send({"type": "http.response.body", "body": hit.body})
                            return
                await app(scope, receive, send_with_id)
            finally:
                if principal is not None:
                    # metered per route (``/v1/companies/{cik:int}``), not per concrete path; both
                    # trailing-slash forms are one endpoint
                    template = scope.get("path_template")
                    endpoint = template.rstrip("/") or "/" if template else UNMATCHED
                    await access.meter(principal, endpoint, status, int(state.get("rows", 0)))
                if log.isEnabledFor(logging.INFO):
                    log.info(
                        "request",
                        extra={
                            "request_id": request_id,
                            "method": scope["method"],
                            "path": path,
                            "status": status,
                            "ms": round((time.perf_counter() - started) * 1000, 3),
                            "key_id": principal.key_id if principal is not None else None,
                        },
                    )

        return middleware

    return factory
