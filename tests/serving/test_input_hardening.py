"""Hostile input: Unicode digits, tampered cursors, raw filing documents as third-party content, request caps."""

from __future__ import annotations

import base64
import json
import time
from typing import Any

import pytest
from litestar.testing import TestClient

from lake.storage import Lake
from serving.app import create_app
from tests.serving.conftest import lake_settings

Client = TestClient  # type: ignore[type-arg]


def _decode(cursor: str) -> list[Any]:
    decoded: list[Any] = json.loads(base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)))
    return decoded


def _encode(parts: list[Any]) -> str:
    return base64.urlsafe_b64encode(json.dumps(parts).encode()).decode().rstrip("=")


def _invalid_cursor(response: Any) -> None:
    body = response.json()
    assert response.status_code == 400, response.text
    assert body["error"]["code"] == "INVALID_PARAMETER", body
    assert body["error"]["details"] == {"parameter": "cursor"}, body
    assert body["request_id"] == response.headers["x-request-id"]


@pytest.mark.parametrize("q", ["¹", "²³", "320193¹", "①", "٣"])
def test_search_with_unicode_digits_is_a_400(client: Client, q: str) -> None:
    """``q=¹`` (``str.isdigit()`` true, ``int()`` refuses) was a 500: a CIK of non-ASCII digits is a 400."""
    response = client.get("/v1/companies/search", params={"q": q})
    assert response.status_code == 400, response.text
    body = response.json()
    assert body["error"]["code"] == "INVALID_PARAMETER", body
    assert body["error"]["details"] == {"parameter": "q"}, body
    assert "0-9" in body["error"]["message"]


def test_search_by_name_with_other_unicode_is_a_plain_search(client: Client) -> None:
    """Letters outside ASCII (not digits) stay a name search: no match here, not an error."""
    response = client.get("/v1/companies/search", params={"q": "Société Générale"})
    assert response.status_code == 200, response.text
    assert response.json()["data"] == []


def test_search_by_cik_still_finds_the_company(client: Client) -> None:
    """An ASCII number is still a CIK lookup (rank 0)."""
    body = client.get("/v1/companies/search", params={"q": " 320193 "}).json()
    assert [c["cik"] for c in body["data"]][:1] == [320193]
    assert body["data"][0]["tickers"] == ["AAPL"]


# (first-page URL, how to break the values of its cursor)
_LISTS = [
    "/v1/filings?limit=1",
    "/v1/filings?limit=1&sort_by=acceptance_utc&order=asc",
    "/v1/signals?limit=1",
    "/v1/signals?limit=1&sort_by=score",
    "/v1/holdings/13f?cik=1994827&limit=1",
    "/v1/companies/search?q=A&limit=1",
    "/v1/statements?cik=320193&limit=1",
]


@pytest.mark.parametrize("url", _LISTS)
def test_tampered_cursor_values_are_a_400(client: Client, url: str) -> None:
    """A genuine cursor whose values get other types (or another count) is a 400, not a 500 in the sort."""
    first = client.get(url)
    assert first.status_code == 200, first.text
    cursor = first.json()["meta"]["next_cursor"]
    assert cursor, "the first page must continue"
    sort_by, order, last, versions = _decode(cursor)
    assert client.get(f"{url}&cursor={cursor}").status_code == 200  # the genuine one still works
    flipped = [7 if isinstance(v, str) else "x" for v in last]  # every value of the other kind
    for values in (
        flipped,
        [[1]] * len(last),
        [{"a": 1}] * len(last),
        [*last, 1],
        last[:-1],
        [True] * len(last),
    ):
        _invalid_cursor(client.get(f"{url}&cursor={_encode([sort_by, order, values, versions])}"))
    _invalid_cursor(client.get(f"{url}&cursor={_encode([sort_by, order, last, ['v']])}"))
    _invalid_cursor(client.get(f"{url}&cursor={_encode([sort_by, order, 'notalist', versions])}"))


def test_tampered_cursor_on_an_empty_page_is_a_400(client: Client) -> None:
    """The check uses the columns' declared types, so it holds when no row matches the filters too."""
    url = "/v1/filings?cik=320193&from=1990-01-01&to=1990-01-02"
    assert client.get(url).json()["data"] == []
    _invalid_cursor(client.get(f"{url}&cursor={_encode(['filing_date', 'desc', [5, 5], [1]])}"))


def test_raw_document_is_sandboxed_third_party_content(client: Client) -> None:
    """The filing's HTML comes sandboxed (no script, opaque origin, no fetches), unsniffed, and sets no cookie."""
    response = client.get("/v1/filings/0000320193-24-000123/raw")
    assert response.status_code == 200
    headers = response.headers
    assert headers["content-type"].startswith("text/html")
    assert headers["content-security-policy"] == (
        "sandbox; default-src 'none'; style-src 'unsafe-inline'; img-src data:; font-src data:; "
        "base-uri 'none'; form-action 'none'"
    )
    assert headers["x-content-type-options"] == "nosniff"
    assert headers["cross-origin-resource-policy"] == "same-origin"
    assert headers["referrer-policy"] == "no-referrer"
    assert headers["content-disposition"] == 'inline; filename="apple-10k-2024-09-28.htm"'
    assert "set-cookie" not in headers
    assert not response.cookies


def test_raw_document_file_name_cannot_break_the_header() -> None:
    """A stored name with quotes, CR/LF or a path is reduced to safe characters."""
    from serving.v1.companies import RAW_DOCUMENT_HEADERS, raw_document_headers

    headers = raw_document_headers('a"b\r\nSet-Cookie: x=1/../c.htm')
    assert headers["content-disposition"] == 'inline; filename="a_b__Set-Cookie__x_1_.._c.htm"'
    assert {k: v for k, v in headers.items() if k != "content-disposition"} == RAW_DOCUMENT_HEADERS


def _in_filter(n: int) -> dict[str, Any]:
    return {"filters": [{"field": "ticker", "operator": "in", "value": [f"T{i}" for i in range(n)]}]}


def test_screener_in_list_is_capped(client: Client) -> None:
    """An ``in`` list over API_MAX_LIST_VALUES (1000) is a 400 at once; 1000 values still screen."""
    assert client.post("/financials/search/screener", json=_in_filter(1000)).status_code == 200
    start = time.perf_counter()
    response = client.post("/financials/search/screener", json=_in_filter(5000))
    elapsed = time.perf_counter() - start
    assert response.status_code == 400
    assert response.json() == {
        "error": "Bad Request",
        "message": "filters[ticker].value holds 5000 values; at most 1000 are accepted per request.",
    }
    assert elapsed < 0.5
    many = {"filters": [{"field": "pe_ratio", "operator": "gt", "value": 1}] * 1001}
    response = client.post("/financials/search/screener", json=many)
    assert response.status_code == 400 and "filters holds 1001 values" in response.json()["message"]


def test_line_item_search_lists_are_capped(client: Client) -> None:
    """The line-item search's tickers and line_items are capped the same way."""
    body = {"tickers": [f"T{i}" for i in range(1001)], "line_items": ["revenue"]}
    response = client.post("/financials/search/line-items", json=body)
    assert response.status_code == 400 and response.json()["message"].startswith("tickers holds 1001 values")
    body = {"tickers": ["AAPL"], "line_items": ["revenue"] * 1001}
    response = client.post("/financials/search/line-items", json=body)
    assert response.status_code == 400 and response.json()["message"].startswith("line_items holds 1001")


def test_request_body_is_capped(client: Client) -> None:
    """A body over API_MAX_BODY_BYTES (64 KiB) is a 413 in the face's error format (the 50k-value ``in``)."""
    payload = json.dumps(_in_filter(50_000)).encode()
    assert len(payload) > 65536
    start = time.perf_counter()
    response = client.post(
        "/financials/search/screener", content=payload, headers={"content-type": "application/json"}
    )
    assert response.status_code == 413
    assert response.json()["error"] == "Payload Too Large"
    assert time.perf_counter() - start < 0.5
    response = client.post("/financials/search/line-items", content=b" " * 70000 + b"{}")
    assert response.status_code == 413


def test_caps_are_settings(built_lake: Lake) -> None:
    """API_MAX_LIST_VALUES and API_MAX_BODY_BYTES change the caps."""
    settings = lake_settings(built_lake, API_MAX_LIST_VALUES="3", API_MAX_BODY_BYTES="200")
    with TestClient(create_app(settings, built_lake)) as client:
        response = client.post("/financials/search/screener", json=_in_filter(4))
        assert response.status_code == 400 and "at most 3 are accepted" in response.json()["message"]
        response = client.post("/financials/search/screener", json={"filters": [], "pad": "x" * 300})
        assert response.status_code == 413
    with pytest.raises(ValueError, match="API_MAX_LIST_VALUES must be at least 1"):
        lake_settings(built_lake, API_MAX_LIST_VALUES="0")
