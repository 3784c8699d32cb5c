"""Fixtures of the accounts tests: a PostgreSQL database and a Redis key prefix of their own, real services."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import psycopg
import pytest
import redis
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa

from serving.accounts import db
from serving.accounts.runtime import AccessConfig
from tests.accounts.fake_stripe import API_KEY, FakeStripe

PG_SERVER = "postgresql://postgres@127.0.0.1:5432"
REDIS_URL = "redis://127.0.0.1:6379/0"


@pytest.fixture(scope="session")
def pg_url() -> Iterator[str]:
    """A fresh database ``aihf_test_<random>``, migrated, dropped at the end of the session."""
    url = f"{PG_SERVER}/aihf_test_{uuid.uuid4().hex[:10]}"
    db.migrate(url)
    try:
        yield url
    finally:
        db.drop_database(url)


@pytest.fixture(scope="session")
def redis_prefix() -> Iterator[str]:
    """A Redis key prefix of this session; its keys are deleted at the end."""
    prefix = f"aihf_test_{uuid.uuid4().hex[:10]}:"
    yield prefix
    client = redis.Redis.from_url(REDIS_URL)
    keys = list(client.scan_iter(match=prefix + "*", count=1000))
    if keys:
        client.delete(*keys)
    client.close()


@pytest.fixture
def conn(pg_url: str) -> Iterator[psycopg.Connection[Any]]:
    """A connection to the test database."""
    with db.connect(pg_url) as connection:
        yield connection


def write_rsa_pair(folder: Path, bits: int = 2048) -> tuple[Path, Path]:
    """A fresh RSA key pair as PEM files ``private.pem`` / ``public.pem`` in ``folder``."""
    folder.mkdir(parents=True, exist_ok=True)
    key = rsa.generate_private_key(public_exponent=65537, key_size=bits)
    private, public = folder / "private.pem", folder / "public.pem"
    private.write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
        )
    )
    public.write_bytes(
        key.public_key().public_bytes(
            serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
        )
    )
    return private, public


@pytest.fixture(scope="session")
def rsa_pair(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    """The RS256 key pair of the session's servers (private, public PEM paths)."""
    return write_rsa_pair(tmp_path_factory.mktemp("jwt"))


@pytest.fixture
def config(pg_url: str, redis_prefix: str, rsa_pair: tuple[Path, Path]) -> AccessConfig:
    """The access config of the tests (auth on, RS256 JWTs, Stripe secret set, a short key cache)."""
    return AccessConfig(
        pg_url=pg_url,
        redis_url=REDIS_URL,
        jwt_algorithm="RS256",
        jwt_private_key=str(rsa_pair[0]),
        jwt_public_key=str(rsa_pair[1]),
        stripe_webhook_secret="whsec_test_secret",
        redis_prefix=redis_prefix + uuid.uuid4().hex[:6] + ":",
        key_cache_ttl_s=1.0,
        flush_interval_s=0.2,
    )


def unique_email(tag: str) -> str:
    """An email no other test uses."""
    return f"{tag}-{uuid.uuid4().hex[:8]}@example.com"


@pytest.fixture
def stripe_api() -> Iterator[FakeStripe]:
    """A loopback fake of the Stripe API endpoints our checkout calls."""
    with FakeStripe() as fake:
        yield fake


@pytest.fixture
def billing_client(config: AccessConfig, stripe_api: FakeStripe) -> Iterator[Any]:
    """A test client of the tiny app with billing on, its Stripe API being :func:`stripe_api`."""
    import msgspec
    from litestar.testing import TestClient

    from tests.accounts.tiny_app import create_app

    live = msgspec.structs.replace(config, stripe_api_key=API_KEY, stripe_api_base=stripe_api.base)
    with TestClient(create_app(live)) as test_client:
        yield test_client
