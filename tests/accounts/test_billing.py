"""Stripe webhooks with payloads signed in the test with the webhook secret (no network)."""

from __future__ import annotations

import hashlib
import hmac
import json
import time
import uuid
from collections.abc import Iterator
from typing import Any

import psycopg
import pytest
from litestar.testing import TestClient

from serving.accounts import store
from serving.accounts.runtime import AccessConfig
from tests.accounts.conftest import unique_email
from tests.accounts.tiny_app import create_app

SECRET = "whsec_test_secret"  # conftest's config


def signed(payload: bytes, secret: str = SECRET, at: int | None = None) -> dict[str, str]:
    ts = int(time.time()) if at is None else at
    mac = hmac.new(secret.encode(), f"{ts}.".encode() + payload, hashlib.sha256).hexdigest()
    return {"Stripe-Signature": f"t={ts},v1={mac}", "Content-Type": "application/json"}


def event(kind: str, obj: dict[str, Any], created: int | None = None) -> bytes:
    body = {
        "id": f"evt_{uuid.uuid4().hex[:24]}",
        "object": "event",
        "type": kind,
        "created": created or int(time.time()),
        "livemode": False,
        "data": {"object": obj},
    }
    return json.dumps(body).encode()


def subscription(sub_id: str, customer: str, status: str, lookup_key: str) -> dict[str, Any]:
    return {
        "id": sub_id,
        "object": "subscription",
        "customer": customer,
        "status": status,
        "current_period_end": 1_767_225_600,
        "items": {"object": "list", "data": [{"price": {"id": "price_1", "lookup_key": lookup_key}}]},
        "metadata": {},
    }


@pytest.fixture
def client(config: AccessConfig) -> Iterator[TestClient[Any]]:
    with TestClient(create_app(config)) as test_client:
        yield test_client


def plan_of(conn: psycopg.Connection[Any], email: str) -> tuple[str, str | None]:
    row = conn.execute("SELECT plan, stripe_customer_id FROM users WHERE email = %s", (email,)).fetchone()
    assert row is not None
    return row[0], row[1]


def test_subscription_lifecycle(client: TestClient[Any], conn: psycopg.Connection[Any]) -> None:
    email = unique_email("stripe")
    user = store.create_user(conn, email, "free")
    customer, sub = f"cus_{uuid.uuid4().hex[:14]}", f"sub_{uuid.uuid4().hex[:14]}"
    t0 = int(time.time()) - 100

    checkout = event(
        "checkout.session.completed",
        {
            "id": "cs_test_1",
            "object": "checkout.session",
            "mode": "subscription",
            "client_reference_id": str(user.id),
            "customer": customer,
            "subscription": sub,
            "customer_details": {"email": email},
            "metadata": {"plan": "pro"},
        },
        created=t0,
    )
    r = client.post("/v1/billing/webhook", content=checkout, headers=signed(checkout))
    assert r.status_code == 200
    assert r.json()["outcome"] == f"user {user.id}: free -> pro" and r.json()["duplicate"] is False
    assert plan_of(conn, email) == ("pro", customer)

    # Stripe redelivers: the same event id changes nothing and says so
    again = client.post("/v1/billing/webhook", content=checkout, headers=signed(checkout))
    assert again.status_code == 200 and again.json()["duplicate"] is True
    store.set_plan(conn, email, "free", actor="test")  # a duplicate must not undo this
    client.post("/v1/billing/webhook", content=checkout, headers=signed(checkout))
    assert plan_of(conn, email)[0] == "free"

    upgraded = event(
        "customer.subscription.updated", subscription(sub, customer, "active", "enterprise"), t0 + 20
    )
    r = client.post("/v1/billing/webhook", content=upgraded, headers=signed(upgraded))
    assert r.json()["outcome"] == f"user {user.id}: free -> enterprise"
    # an older event delivered late changes nothing
    late = event("customer.subscription.updated", subscription(sub, customer, "active", "pro"), t0 + 10)
    r = client.post("/v1/billing/webhook", content=late, headers=signed(late))
    assert r.json()["outcome"].startswith("stale:") and plan_of(conn, email)[0] == "enterprise"

    unpaid = event(
        "customer.subscription.updated", subscription(sub, customer, "unpaid", "enterprise"), t0 + 30
    )
    r = client.post("/v1/billing/webhook", content=unpaid, headers=signed(unpaid))
    assert r.json()["outcome"] == f"user {user.id}: enterprise -> free"
    active = event("customer.subscription.updated", subscription(sub, customer, "active", "pro"), t0 + 40)
    client.post("/v1/billing/webhook", content=active, headers=signed(active))
    assert plan_of(conn, email)[0] == "pro"
    deleted = event("customer.subscription.deleted", subscription(sub, customer, "canceled", "pro"), t0 + 50)
    r = client.post("/v1/billing/webhook", content=deleted, headers=signed(deleted))
    assert r.json()["outcome"] == f"user {user.id}: pro -> free"
    row = conn.execute("SELECT user_id, plan, status FROM subscriptions WHERE id = %s", (sub,)).fetchone()
    assert row == (user.id, "pro", "canceled")
    outcomes = conn.execute(
        "SELECT count(*) FROM stripe_events WHERE payload->'data'->'object'->>'customer' = %s", (customer,)
    ).fetchone()
    assert outcomes == (6,)  # checkout once (not three times) + five subscription events
    audit = conn.execute(
        "SELECT actor FROM audit_log WHERE user_id = %s AND action = 'plan.set' ORDER BY id", (user.id,)
    ).fetchall()
    assert [a.split(":")[0] for (a,) in audit] == ["stripe", "test", "stripe", "stripe", "stripe", "stripe"]


def test_refused_deliveries_change_nothing(client: TestClient[Any], conn: psycopg.Connection[Any]) -> None:
    email = unique_email("forged")
    user = store.create_user(conn, email, "free")
    obj = {
        "id": "cs_x",
        "client_reference_id": str(user.id),
        "customer": "cus_forged",
        "metadata": {"plan": "pro"},
    }
    payload = event("checkout.session.completed", obj)
    cases = {
        "forged": signed(payload, secret="whsec_someone_else"),
        "stale": signed(payload, at=int(time.time()) - 3600),  # an old delivery replayed
        "tampered": signed(payload.replace(b'"pro"', b'"enterprise"')),
        "missing": {"Content-Type": "application/json"},
        "garbled": {"Stripe-Signature": "garbage"},
    }
    messages = {}
    for name, headers in cases.items():
        r = client.post("/v1/billing/webhook", content=payload, headers=headers)
        assert r.status_code == 400, name
        assert r.json()["error"]["code"] == "INVALID_SIGNATURE"
        messages[name] = r.json()["error"]["message"]
    assert messages["stale"].startswith("bad Stripe signature: Timestamp outside the tolerance zone")
    assert messages["forged"].startswith("bad Stripe signature: No signatures found matching")
    assert messages["missing"] == "missing Stripe-Signature header"
    assert plan_of(conn, email) == ("free", None)
    event_id = json.loads(payload)["id"]
    assert conn.execute("SELECT count(*) FROM stripe_events WHERE id = %s", (event_id,)).fetchone() == (0,)
    not_event = b'{"hello": "world"}'
    r = client.post("/v1/billing/webhook", content=not_event, headers=signed(not_event))
    assert r.status_code == 400 and "not a Stripe event" in r.json()["error"]["message"]


def test_unmatched_and_ignored_events(client: TestClient[Any], conn: psycopg.Connection[Any]) -> None:
    unknown = event("customer.subscription.updated", subscription("sub_zz", "cus_nobody", "active", "pro"))
    r = client.post("/v1/billing/webhook", content=unknown, headers=signed(unknown))
    assert r.status_code == 200 and r.json()["outcome"] == "unmatched: no user for customer 'cus_nobody'"
    invoice = event("invoice.paid", {"id": "in_1", "customer": "cus_nobody"})
    r = client.post("/v1/billing/webhook", content=invoice, headers=signed(invoice))
    assert r.json()["outcome"] == "ignored: invoice.paid is not handled"


def test_webhooks_refused_without_secret(config: AccessConfig) -> None:
    import msgspec

    payload = event("invoice.paid", {"id": "in_1"})
    with TestClient(create_app(msgspec.structs.replace(config, stripe_webhook_secret=""))) as client:
        r = client.post("/v1/billing/webhook", content=payload, headers=signed(payload))
    assert r.status_code == 400
    assert r.json()["error"]["message"] == "webhooks are disabled: STRIPE_WEBHOOK_SECRET is not set"
