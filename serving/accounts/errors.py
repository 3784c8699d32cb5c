"""Error bodies in each face's format: /v1 (the seed's error object) and the FinancialDatasets face."""

from __future__ import annotations

from typing import Any

import msgspec

FD_TITLES = {
    401: "Unauthorized",
    402: "Payment Required",
    403: "Forbidden",
    404: "Not Found",
    503: "Service Unavailable",
}


class ErrorDetail(msgspec.Struct, frozen=True):
    """The seed's ``error`` object: a stable code, a message for people, optional details."""

    code: str
    message: str
    details: dict[str, Any] | None = None


class V1Error(msgspec.Struct, frozen=True):
    """The /v1 error body: ``{"error": {"code", "message", "details"}, "request_id"}``."""

    error: ErrorDetail
    request_id: str


class FDError(msgspec.Struct, frozen=True):
    """The FinancialDatasets error body ``{"error", "message"}``."""

    error: str
    message: str


class FDThrottled(msgspec.Struct, frozen=True):
    """The FinancialDatasets (Django REST framework) throttling body ``{"detail"}``."""

    detail: str


def is_v1(path: str) -> bool:
    """Whether a request path belongs to our /v1 face (everything else is the FD face)."""
    return path == "/v1" or path.startswith("/v1/")


def error_body(
    path: str, status: int, code: str, message: str, request_id: str, details: dict[str, Any] | None = None
) -> bytes:
    """The JSON error body for ``path``'s face."""
    if is_v1(path):
        return msgspec.json.encode(V1Error(ErrorDetail(code, message, details), request_id))
    if status == 429:
        return msgspec.json.encode(FDThrottled(message))
    return msgspec.json.encode(FDError(FD_TITLES.get(status, "Error"), message))


def throttled_message(retry_after: int, reason: str) -> str:
    """The 429 message (the FD wording, which its clients log, plus which limit was hit)."""
    what = "daily request quota of your plan is used up" if reason == "quota" else "burst limit reached"
    return f"Request was throttled ({what}). Expected available in {retry_after} seconds."
