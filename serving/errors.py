"""Errors of both API faces: one exception, rendered as FinancialDatasets' body or the /v1 envelope by path."""

from __future__ import annotations

import logging
import uuid
from typing import Any

import msgspec
from litestar import Request, Response
from litestar.exceptions import HTTPException, NotFoundException, ValidationException

log = logging.getLogger("serving")

#: Error code of each status when the raiser gave none.
CODES = {
    400: "INVALID_PARAMETER",
    401: "UNAUTHORIZED",
    402: "PAYMENT_REQUIRED",
    403: "FORBIDDEN",
    404: "NOT_FOUND",
    405: "METHOD_NOT_ALLOWED",
    413: "PAYLOAD_TOO_LARGE",
    429: "RATE_LIMITED",
    500: "INTERNAL_ERROR",
    503: "UNAVAILABLE",
}
_TITLES = {
    400: "Bad Request",
    401: "Unauthorized",
    402: "Payment Required",
    403: "Forbidden",
    404: "Not Found",
    405: "Method Not Allowed",
    413: "Payload Too Large",
    429: "Too Many Requests",
    500: "Internal Server Error",
    503: "Service Unavailable",
}


class ApiError(Exception):
    """A request that cannot be answered: HTTP status, code, message, optional details and Retry-After.

    Args:
        status: HTTP status (400, 401, 404, 429...).
        message: What is wrong, for the caller.
        code: Machine code (default from the status: INVALID_PARAMETER, NOT_FOUND...).
        details: Extra structured context (the parameter, allowed values...).
        retry_after: Seconds, sent as ``Retry-After`` (429, 503).
        headers: Extra response headers (the ``X-RateLimit-*`` of a refused request).
    """

    def __init__(
        self,
        status: int,
        message: str,
        *,
        code: str | None = None,
        details: dict[str, Any] | None = None,
        retry_after: int | None = None,
        headers: dict[str, str] | None = None,
    ) -> None:
        super().__init__(message)
        self.status = status
        self.message = message
        self.code = code or CODES.get(status, "ERROR")
        self.details = details
        self.retry_after = retry_after
        self.headers = headers


def bad_param(name: str, message: str) -> ApiError:
    """A 400 INVALID_PARAMETER naming the parameter."""
    return ApiError(400, message, details={"parameter": name})


def not_found(message: str) -> ApiError:
    """A 404 NOT_FOUND."""
    return ApiError(404, message)


class ErrorBody(msgspec.Struct):
    """The /v1 error object."""

    code: str
    message: str
    details: dict[str, Any] | None = None


class V1Error(msgspec.Struct):
    """The /v1 error response."""

    error: ErrorBody
    request_id: str


class FDError(msgspec.Struct):
    """FinancialDatasets' error response."""

    error: str
    message: str


class Throttled(msgspec.Struct):
    """FinancialDatasets' (DRF-style) 429 response."""

    detail: str


def is_v1(path: str) -> bool:
    """Whether ``path`` belongs to our /v1 API (else the FinancialDatasets face)."""
    return path == "/v1" or path.startswith("/v1/")


def error_body(path: str, request_id: str, error: ApiError) -> bytes:
    """The JSON body of ``error`` in the format of the face ``path`` belongs to."""
    if is_v1(path):
        return msgspec.json.encode(V1Error(ErrorBody(error.code, error.message, error.details), request_id))
    if error.status == 429:
        return msgspec.json.encode(Throttled(error.message))
    return msgspec.json.encode(FDError(_TITLES.get(error.status, "Error"), error.message))


def error_headers(request_id: str, error: ApiError) -> dict[str, str]:
    """Response headers of an error: Retry-After when set, the error's own (the middleware adds the request id)."""
    headers: dict[str, str] = dict(error.headers or {})
    if error.retry_after is not None:
        headers["retry-after"] = str(error.retry_after)
    return headers


def request_id_of(request: Request[Any, Any, Any]) -> str:
    """The request id set by the request-id middleware ('' outside it)."""
    return str(request.scope.get("state", {}).get("request_id", ""))


def to_api_error(exc: Exception) -> ApiError:
    """Any exception as an :class:`ApiError` (validation -> 400, unknown route -> 404, others -> 500)."""
    if isinstance(exc, ApiError):
        return exc
    if isinstance(exc, ValidationException):
        extra = exc.extra if isinstance(exc.extra, list) else []
        names = [str(e.get("key")) for e in extra if isinstance(e, dict) and e.get("key")]
        detail = "; ".join(str(e.get("message", "")) for e in extra if isinstance(e, dict))
        message = f"invalid parameter(s) {', '.join(names)}: {detail}" if names else str(exc.detail)
        return ApiError(400, message, details={"parameters": names} if names else None)
    if isinstance(exc, NotFoundException):
        return ApiError(404, "no such endpoint" if exc.detail == "Not Found" else str(exc.detail))
    if isinstance(exc, HTTPException):
        return ApiError(exc.status_code, str(exc.detail))
    return ApiError(500, "internal error")


def handle(request: Request[Any, Any, Any], exc: Exception) -> Response[bytes]:
    """Litestar exception handler: render any error in the face's format (unexpected errors are logged)."""
    error = to_api_error(exc)
    request_id = request_id_of(request)
    headers = error_headers(request_id, error)
    if not request_id:  # raised before the request-id middleware ran (no route matched)
        request_id = uuid.uuid4().hex
        headers["x-request-id"] = request_id
    if error.status >= 500:
        log.error("unhandled error", exc_info=exc, extra={"request_id": request_id, "path": request.url.path})
    return Response(
        error_body(request.url.path, request_id, error),
        status_code=error.status,
        media_type="application/json",
        headers=headers,
    )
