"""A real S3 endpoint for tests: moto's server on 127.0.0.1 (random free port), reached over sockets.

Use the session fixture ``moto_s3`` (import it into a conftest) and :func:`s3_settings` to get the
project's ``Settings`` for an ``s3://bucket/prefix`` lake on it.
"""

from __future__ import annotations

import logging
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import boto3
import pytest
from moto.server import ThreadedMotoServer

from lake.settings import Settings

BUCKET = "aihf-test-lake"
REGION = "us-east-1"
#: moto accepts any credentials; these dummy ones keep every client away from real AWS ones.
DUMMY_CREDENTIALS = {"AWS_ACCESS_KEY_ID": "testing", "AWS_SECRET_ACCESS_KEY": "testing"}


@dataclass(frozen=True)
class MotoS3:
    """A running moto S3 server with one bucket."""

    endpoint_url: str
    bucket: str = BUCKET
    region: str = REGION

    def client(self) -> Any:
        """A boto3 S3 client for this server."""
        return boto3.client(
            "s3",
            endpoint_url=self.endpoint_url,
            region_name=self.region,
            aws_access_key_id=DUMMY_CREDENTIALS["AWS_ACCESS_KEY_ID"],
            aws_secret_access_key=DUMMY_CREDENTIALS["AWS_SECRET_ACCESS_KEY"],
        )


def s3_settings(moto: MotoS3, prefix: str | None = None, **env: str) -> Settings:
    """Settings for a lake at ``s3://{bucket}/{prefix}`` on ``moto`` (a fresh prefix by default).

    ``env`` adds or overrides environment values (e.g. ``EDGAR_SOURCE="offline"``); no ``.env`` is read.
    Credentials come from ``os.environ`` (the ``moto_s3`` fixture sets dummy ones).
    """
    values = {
        "LAKE_URI": f"s3://{moto.bucket}/{prefix or 'lake-' + uuid.uuid4().hex[:12]}",
        "LAKE_S3_ENDPOINT": moto.endpoint_url,
        "LAKE_S3_REGION": moto.region,
        **env,
    }
    return Settings.from_env(env=values, dotenv=Path("/nonexistent/.env"))


@pytest.fixture(scope="session")
def moto_s3() -> Iterator[MotoS3]:
    """Start moto's S3 server on 127.0.0.1 (free port), create the test bucket, set dummy AWS credentials."""
    logging.getLogger("werkzeug").setLevel(logging.ERROR)
    with pytest.MonkeyPatch.context() as patch:
        for key, value in DUMMY_CREDENTIALS.items():
            patch.setenv(key, value)
        patch.delenv("AWS_SESSION_TOKEN", raising=False)
        patch.delenv("AWS_PROFILE", raising=False)
        server = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
        server.start()
        try:
            host, port = server.get_host_and_port()
            moto = MotoS3(endpoint_url=f"http://{host}:{port}")
            moto.client().create_bucket(Bucket=moto.bucket)
            yield moto
        finally:
            server.stop()
