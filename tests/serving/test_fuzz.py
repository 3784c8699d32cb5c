"""Schemathesis against the app's own OpenAPI document: no input yields a 5xx; errors keep their format."""

from __future__ import annotations

from typing import Any

import hypothesis
import hypothesis.strategies as st
import schemathesis

from lake.storage import Lake
from serving.app import create_app
from tests.serving.conftest import lake_settings


def test_no_server_errors(built_lake: Lake) -> None:
    """Generated requests to every operation of the spec: never a 5xx; a 4xx carries the face's error body."""
    app = create_app(lake_settings(built_lake), built_lake)
    schema = schemathesis.openapi.from_asgi("/schema/openapi.json", app)
    operations = [result.ok() for result in schema.get_all_operations()]
    assert len(operations) > 40
    seen: set[str] = set()

    @hypothesis.given(st.data())
    @hypothesis.settings(max_examples=600, deadline=None, suppress_health_check=list(hypothesis.HealthCheck))
    def run(data: Any) -> None:
        operation = data.draw(st.sampled_from(operations))
        case = data.draw(operation.as_strategy())
        response = case.call()
        seen.add(operation.label)
        assert response.status_code < 500, (case.path, case.query, response.text[:300])
        if response.status_code >= 400 and "json" in response.headers.get("content-type", [""])[0]:
            body = response.json()
            assert "error" in body or "detail" in body, body

    run()
    assert len(seen) > len(operations) // 2
