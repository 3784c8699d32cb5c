"""The access hook: keys from X-API-KEY (any case) or Bearer, refusals in each face's format, metering."""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Sequence
from typing import Any

from litestar.testing import TestClient

from lake.storage import Lake
from serving.access import Principal
from serving.app import create_app
from serving.errors import ApiError
from tests.serving.conftest import lake_settings


class KeyAccess:
    """Accepts key 'good', rate-limits key 'busy', refuses the rest; records what it metered."""

    def __init__(self) -> None:
        self.keys: list[str | None] = []
        self.metered: list[tuple[str, str, int, int]] = []

    async def authenticate(self, api_key: str | None, path: str, client: str | None = None) -> Principal:
        self.keys.append(api_key)
        if api_key == "busy":
            raise ApiError(429, "Request was throttled. Expected available in 7 seconds.", retry_after=7)
        if api_key != "good":
            raise ApiError(401, "Invalid API key.")
        return Principal(key_id="k1", plan="free", max_rows=2)

    async def meter(self, principal: Principal, path: str, status: int, rows: int) -> None:
        self.metered.append((principal.key_id, path, status, rows))

    async def usage(self, principal: Principal, days: int = 7) -> dict[str, Any]:
        return {"key_id": principal.key_id, "requests": len(self.metered)}

    @property
    def on_startup(self) -> Sequence[Callable[[], Awaitable[None]]]:
        return ()

    @property
    def on_shutdown(self) -> Sequence[Callable[[], Awaitable[None]]]:
        return ()


def test_keys_limits_and_metering(built_lake: Lake) -> None:
    """Each header form reaches the hook; 401/429 in FD and /v1 formats; the plan caps rows; requests metered."""
    access = KeyAccess()
    app = create_app(lake_settings(built_lake, AIHF_AUTH="on"), built_lake, access)
    url = "/financials/income-statements?ticker=AAPL&period=quarterly&limit=8"
    with TestClient(app) as client:
        for headers in (
            {"X-API-KEY": "good"},
            {"x-api-key": "good"},
            {"X-Api-Key": "good"},
            {"Authorization": "Bearer good"},
        ):
            response = client.get(url, headers=headers)
            assert response.status_code == 200, headers
            assert len(response.json()["income_statements"]) == 2  # the free plan's 2-row cap
        assert access.keys == ["good"] * 4
        refused = client.get(url)
        assert refused.status_code == 401 and set(refused.json()) == {"error", "message"}
        throttled = client.get(url, headers={"x-api-key": "busy"})
        assert throttled.status_code == 429 and throttled.headers["retry-after"] == "7"
        assert throttled.json() == {"detail": "Request was throttled. Expected available in 7 seconds."}
        v1 = client.get("/v1/companies/320193", headers={"x-api-key": "busy"})
        assert v1.status_code == 429 and v1.json()["error"]["code"] == "RATE_LIMITED"
        assert v1.json()["request_id"] == v1.headers["x-request-id"]
        assert client.get("/v1/companies/320193").json()["error"]["code"] == "UNAUTHORIZED"
        assert client.get("/health").status_code == 200  # public
        nowhere = client.get("/no/such/route", headers={"x-api-key": "good"})
        assert nowhere.status_code == 404 and set(nowhere.json()) == {"error", "message"}
        assert client.get("/no/such/route").status_code == 401  # no key: refused before routing
        usage = client.get("/v1/usage", headers={"x-api-key": "good"}).json()
        assert usage["data"]["usage"] == {"key_id": "k1", "requests": 5}
    assert access.metered[:4] == [("k1", "/financials/income-statements", 200, 2)] * 4
    assert access.metered[4] == ("k1", "(no route)", 404, 0)  # one endpoint for every unknown path
