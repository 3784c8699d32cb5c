"""Stripe billing: our checkout endpoint against a loopback fake of Stripe's API, and webhooks signed in the
test exactly as Stripe signs them (``Stripe-Signature: t=<unix>,v1=<HMAC-SHA256 of "t.body">``), no network."""

from __future__ import annotations

import hashlib
import hmac
import itertools
import json
import time
import uuid
from typing import Any

import msgspec
import psycopg
import pytest
from litestar.testing import TestClient

from serving.accounts import store
from serving.accounts.runtime import AccessConfig
from tests.accounts.conftest import unique_email
from tests.accounts.fake_stripe import API_KEY, FakeStripe
from tests.accounts.tiny_app import create_app

SECRET = "whsec_test_secret"  # conftest's config
URLS = {"success_url": "https://app.example.com/paid", "cancel_url": "https://app.example.com/cancel"}


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


def completed(session_id: str, user_id: int, customer: str, sub: str, email: str) -> dict[str, Any]:
    return {
        "id": session_id,
        "object": "checkout.session",
        "mode": "subscription",
        "client_reference_id": str(user_id),
        "customer": customer,
        "subscription": sub,
        "payment_status": "paid",
        "customer_details": {"email": email},
        "metadata": {"plan": "pro", "user_id": str(user_id)},
    }


def post(billing_client: TestClient[Any], payload: bytes) -> Any:
    return billing_client.post("/v1/billing/webhook", content=payload, headers=signed(payload))


def plan_of(conn: psycopg.Connection[Any], email: str) -> tuple[str, str | None]:
    row = conn.execute("SELECT plan, stripe_customer_id FROM users WHERE email = %s", (email,)).fetchone()
    assert row is not None
    return row[0], row[1]


def customer_with_key(conn: psycopg.Connection[Any], tag: str) -> tuple[store.User, str]:
    email = unique_email(tag)
    user = store.create_user(conn, email, "free")
    return user, store.issue_key(conn, email).key


def checkout_session(billing_client: TestClient[Any], key: str, plan: str = "pro") -> str:
    r = billing_client.post("/v1/billing/checkout", json={"plan": plan, **URLS}, headers={"X-API-KEY": key})
    assert r.status_code == 200, r.text
    return str(r.json()["id"])


def test_checkout_endpoint_creates_the_session_that_links(
    billing_client: TestClient[Any], conn: psycopg.Connection[Any], stripe_api: FakeStripe
) -> None:
    user, key = customer_with_key(conn, "checkout")
    r = billing_client.post("/v1/billing/checkout", json={"plan": "Pro", **URLS}, headers={"X-API-KEY": key})
    assert r.status_code == 200
    body = r.json()
    assert body["plan"] == "pro" and body["url"] == f"https://checkout.stripe.com/c/pay/{body['id']}"
    (m1, p1, prices), (m2, p2, form) = stripe_api.requests
    assert (m1, p1, prices) == (
        "GET",
        "/v1/prices",
        {"lookup_keys[0]": "pro", "active": "true", "limit": "1"},
    )
    assert (m2, p2) == ("POST", "/v1/checkout/sessions")
    assert form == {
        "mode": "subscription",
        "line_items[0][price]": "price_pro_monthly",
        "line_items[0][quantity]": "1",
        "client_reference_id": str(user.id),
        "metadata[user_id]": str(user.id),
        "metadata[plan]": "pro",
        "subscription_data[metadata][user_id]": str(user.id),
        "success_url": URLS["success_url"],
        "cancel_url": URLS["cancel_url"],
        "customer_email": user.email,
    }
    row = conn.execute("SELECT user_id, plan FROM checkout_sessions WHERE id = %s", (body["id"],)).fetchone()
    assert row == (user.id, "pro")

    refusals = {
        "free": ({"plan": "free", **URLS}, 400, "the free plan needs no checkout"),
        "unknown": ({"plan": "gold", **URLS}, 400, "unknown plan 'gold'; plans are free, pro, enterprise"),
        "no url": (
            {"plan": "pro", "success_url": "javascript:x", "cancel_url": URLS["cancel_url"]},
            400,
            None,
        ),
    }
    for name, (payload, status, message) in refusals.items():
        r = billing_client.post("/v1/billing/checkout", json=payload, headers={"X-API-KEY": key})
        assert r.status_code == status and r.json()["error"]["code"] == "INVALID_PARAMETER", name
        assert message is None or r.json()["error"]["message"] == message, name
    assert billing_client.post("/v1/billing/checkout", json={"plan": "pro", **URLS}).status_code == 401


def test_checkout_without_stripe(config: AccessConfig, conn: psycopg.Connection[Any]) -> None:
    _, key = customer_with_key(conn, "nostripe")
    with TestClient(create_app(config)) as off:  # STRIPE_API_KEY empty
        r = off.post("/v1/billing/checkout", json={"plan": "pro", **URLS}, headers={"X-API-KEY": key})
    assert r.status_code == 503
    assert r.json()["error"]["message"] == "billing is disabled: STRIPE_API_KEY is not set"
    closed = msgspec.structs.replace(config, stripe_api_key=API_KEY, stripe_api_base="http://127.0.0.1:9")
    with TestClient(create_app(closed)) as down:
        r = down.post("/v1/billing/checkout", json={"plan": "pro", **URLS}, headers={"X-API-KEY": key})
    assert r.status_code == 502 and r.json()["error"]["message"].startswith("Stripe is unreachable")


def test_subscription_lifecycle(billing_client: TestClient[Any], conn: psycopg.Connection[Any]) -> None:
    user, key = customer_with_key(conn, "stripe")
    email = user.email
    customer, sub = f"cus_{uuid.uuid4().hex[:14]}", f"sub_{uuid.uuid4().hex[:14]}"
    t0 = int(time.time()) - 100
    session = checkout_session(billing_client, key)
    checkout = event("checkout.session.completed", completed(session, user.id, customer, sub, email), t0)
    r = post(billing_client, checkout)
    assert r.status_code == 200
    assert r.json()["outcome"] == f"user {user.id}: free -> pro" and r.json()["duplicate"] is False
    assert plan_of(conn, email) == ("pro", customer)

    # Stripe redelivers: the same event id changes nothing and says so
    again = post(billing_client, checkout)
    assert again.status_code == 200 and again.json()["duplicate"] is True
    store.set_plan(conn, email, "free", actor="test")  # a duplicate must not undo this
    post(billing_client, checkout)
    assert plan_of(conn, email)[0] == "free"

    upgraded = event(
        "customer.subscription.updated", subscription(sub, customer, "active", "enterprise"), t0 + 20
    )
    assert post(billing_client, upgraded).json()["outcome"] == f"user {user.id}: free -> enterprise"
    # an older event delivered late changes nothing, and is recorded as stale
    late = event("customer.subscription.updated", subscription(sub, customer, "active", "pro"), t0 + 10)
    r = post(billing_client, late)
    assert r.json()["outcome"] == f"stale: subscription {sub} is already at a newer or final state"
    assert plan_of(conn, email)[0] == "enterprise"

    unpaid = event(
        "customer.subscription.updated", subscription(sub, customer, "unpaid", "enterprise"), t0 + 30
    )
    assert post(billing_client, unpaid).json()["outcome"] == f"user {user.id}: enterprise -> free"
    active = event("customer.subscription.updated", subscription(sub, customer, "active", "pro"), t0 + 40)
    post(billing_client, active)
    assert plan_of(conn, email)[0] == "pro"
    deleted = event("customer.subscription.deleted", subscription(sub, customer, "canceled", "pro"), t0 + 50)
    assert post(billing_client, deleted).json()["outcome"] == f"user {user.id}: pro -> free"
    # canceled is final: even an event dated later (same second races, clock skew) does not revive it
    revived = event("customer.subscription.updated", subscription(sub, customer, "active", "pro"), t0 + 60)
    assert post(billing_client, revived).json()["outcome"].startswith("stale:")
    row = conn.execute("SELECT user_id, plan, status FROM subscriptions WHERE id = %s", (sub,)).fetchone()
    assert row == (user.id, "pro", "canceled") and plan_of(conn, email)[0] == "free"
    count = conn.execute(
        "SELECT count(*) FROM stripe_events WHERE payload->'data'->'object'->>'customer' = %s", (customer,)
    ).fetchone()
    assert count == (7,)  # checkout once (not three times) + six subscription events
    audit = conn.execute(
        "SELECT actor FROM audit_log WHERE user_id = %s AND action = 'plan.set' ORDER BY id", (user.id,)
    ).fetchall()
    assert [a.split(":")[0] for (a,) in audit] == ["stripe", "test", "stripe", "stripe", "stripe", "stripe"]


@pytest.mark.parametrize("cancelled", [True, False], ids=["cancelled", "active"])
def test_event_order_does_not_matter(
    billing_client: TestClient[Any], conn: psycopg.Connection[Any], cancelled: bool
) -> None:
    """Every delivery order of one checkout's events ends in the same state (Stripe does not order them)."""
    t0 = int(time.time()) - 1000
    for order in itertools.permutations(range(4 if cancelled else 3)):
        user, key = customer_with_key(conn, "order")
        customer, sub = f"cus_{uuid.uuid4().hex[:14]}", f"sub_{uuid.uuid4().hex[:14]}"
        session = checkout_session(billing_client, key)
        events = [
            event(
                "checkout.session.completed", completed(session, user.id, customer, sub, user.email), t0 + 1
            ),
            event("customer.subscription.created", subscription(sub, customer, "active", "pro"), t0),
            event(
                "customer.subscription.updated", subscription(sub, customer, "active", "enterprise"), t0 + 2
            ),
            event(
                "customer.subscription.deleted", subscription(sub, customer, "canceled", "enterprise"), t0 + 3
            ),
        ]
        for i in order:
            assert post(billing_client, events[i]).status_code == 200
        state = conn.execute("SELECT status, plan FROM subscriptions WHERE id = %s", (sub,)).fetchone()
        expected = (
            (("canceled", "enterprise"), "free") if cancelled else (("active", "enterprise"), "enterprise")
        )
        assert (state, plan_of(conn, user.email)) == (expected[0], (expected[1], customer)), order
        unmatched = conn.execute(
            "SELECT count(*) FROM stripe_events WHERE outcome LIKE 'unmatched:%%'"
            " AND payload->'data'->'object'->>'customer' = %s",
            (customer,),
        ).fetchone()
        assert unmatched == (0,), order


def test_late_checkout_does_not_reupgrade_a_cancelled_subscription(
    billing_client: TestClient[Any], conn: psycopg.Connection[Any]
) -> None:
    user, key = customer_with_key(conn, "late")
    customer, sub = f"cus_{uuid.uuid4().hex[:14]}", f"sub_{uuid.uuid4().hex[:14]}"
    t0 = int(time.time()) - 100
    session = checkout_session(billing_client, key)
    created = event("customer.subscription.created", subscription(sub, customer, "active", "pro"), t0)
    deleted = event("customer.subscription.deleted", subscription(sub, customer, "canceled", "pro"), t0 + 30)
    checkout = event(
        "checkout.session.completed", completed(session, user.id, customer, sub, user.email), t0 + 1
    )
    assert post(billing_client, created).json()["outcome"] == f"unmatched: no user for customer {customer!r}"
    assert post(billing_client, deleted).json()["outcome"] == f"unmatched: no user for customer {customer!r}"
    r = post(billing_client, checkout)
    assert (
        r.json()["outcome"] == f"user {user.id} already on free (2 earlier event(s) of the customer applied)"
    )
    assert plan_of(conn, user.email) == ("free", customer)
    stored = conn.execute(
        "SELECT outcome FROM stripe_events WHERE id = %s", (json.loads(created)["id"],)
    ).fetchone()
    assert stored == (
        f"user {user.id}: free -> pro (applied when {json.loads(checkout)['id']} linked the customer)",
    )


def test_customers_are_never_linked_by_email(
    billing_client: TestClient[Any], conn: psycopg.Connection[Any]
) -> None:
    victim, victim_key = customer_with_key(conn, "victim")
    v_customer, v_sub = f"cus_{uuid.uuid4().hex[:14]}", f"sub_{uuid.uuid4().hex[:14]}"
    session = checkout_session(billing_client, victim_key)
    post(
        billing_client,
        event("checkout.session.completed", completed(session, victim.id, v_customer, v_sub, victim.email)),
    )
    assert plan_of(conn, victim.email) == ("pro", v_customer)

    # the attacker pays through a checkout we did not create (a payment link), typing the victim's email
    # and even the victim's user id as client_reference_id
    a_customer, a_sub = f"cus_{uuid.uuid4().hex[:14]}", f"sub_{uuid.uuid4().hex[:14]}"
    forged = completed("cs_live_not_ours", victim.id, a_customer, a_sub, victim.email)
    forged["customer_email"] = victim.email
    r = post(billing_client, event("checkout.session.completed", forged))
    assert r.json()["outcome"].startswith("rejected: checkout session cs_live_not_ours was not created by")
    no_ref = {**forged, "id": "cs_live_other", "client_reference_id": None, "metadata": {}}
    assert (
        post(billing_client, event("checkout.session.completed", no_ref))
        .json()["outcome"]
        .startswith("rejected:")
    )
    # the attacker's own session (ours) that names the victim: refused too
    attacker, attacker_key = customer_with_key(conn, "attacker")
    own = completed(
        checkout_session(billing_client, attacker_key), victim.id, a_customer, a_sub, victim.email
    )
    r = post(billing_client, event("checkout.session.completed", own))
    assert r.json()["outcome"].endswith(f"names user '{victim.id}', not its user {attacker.id}")
    # ... so cancelling the attacker's subscription cannot downgrade the victim
    gone = event("customer.subscription.deleted", subscription(a_sub, a_customer, "canceled", "pro"))
    assert post(billing_client, gone).json()["outcome"] == f"unmatched: no user for customer {a_customer!r}"
    assert plan_of(conn, victim.email) == ("pro", v_customer)
    assert plan_of(conn, attacker.email) == ("free", None)


BAD_BODIES = {
    "NaN": b'{"id": "evt_1", "type": "invoice.paid", "created": NaN, "data": {"object": {}}}',
    "NaN inside": b'{"id": "evt_1", "type": "x", "created": 1, "data": {"object": {"amount": NaN}}}',
    "created text": b'{"id": "evt_1", "type": "x", "created": "yesterday", "data": {"object": {}}}',
    "created float": b'{"id": "evt_1", "type": "x", "created": 1700000000.5, "data": {"object": {}}}',
    "created bool": b'{"id": "evt_1", "type": "x", "created": true, "data": {"object": {}}}',
    "created huge": b'{"id": "evt_1", "type": "x", "created": 1e400, "data": {"object": {}}}',
    "array": b'[{"id": "evt_1", "type": "x", "created": 1, "data": {"object": {}}}]',
    "string": b'"evt_1"',
    "object not a dict": b'{"id": "evt_1", "type": "x", "created": 1, "data": {"object": [1]}}',
    "NUL in text": b'{"id": "evt_nul", "type": "x", "created": 1700000000, "data": {"object": {"a": "\\u0000"}}}',
    "subscription without id": (
        b'{"id": "evt_1", "type": "customer.subscription.updated", "created": 1700000000,'
        b' "data": {"object": {"customer": "cus_1", "status": "active"}}}'
    ),
    "period end text": (
        b'{"id": "evt_1", "type": "customer.subscription.updated", "created": 1700000000, "data": {"object":'
        b' {"id": "sub_1", "customer": "cus_1", "status": "active", "current_period_end": "soon"}}}'
    ),
    "not UTF-8": b'{"id": "evt_1", "type": "x", "created": 1, "data": {"object": {"a": "\xff"}}}',
}


def test_malformed_signed_bodies_get_400(
    billing_client: TestClient[Any], conn: psycopg.Connection[Any]
) -> None:
    before = conn.execute("SELECT count(*) FROM stripe_events").fetchone()
    for name, body in BAD_BODIES.items():
        r = post(billing_client, body)
        assert r.status_code == 400, (name, r.text)
        assert r.json()["error"]["code"] == "INVALID_EVENT", name
    assert conn.execute("SELECT count(*) FROM stripe_events").fetchone() == before
    # an event dated far ahead of our clock would win every ordering comparison: refused
    future = event("invoice.paid", {"id": "in_f", "customer": "cus_f"}, int(time.time()) + 86_400 * 365)
    r = post(billing_client, future)
    assert r.status_code == 400 and "ahead of our clock" in r.json()["error"]["message"]
    ahead = event("invoice.paid", {"id": "in_f", "customer": "cus_f"})
    r = billing_client.post(
        "/v1/billing/webhook", content=ahead, headers=signed(ahead, at=int(time.time()) + 3600)
    )
    assert r.status_code == 400 and r.json()["error"]["code"] == "INVALID_SIGNATURE"
    assert conn.execute("SELECT count(*) FROM stripe_events").fetchone() == before


def test_refused_deliveries_change_nothing(
    billing_client: TestClient[Any], conn: psycopg.Connection[Any]
) -> None:
    user, key = customer_with_key(conn, "forged")
    obj = completed(checkout_session(billing_client, key), user.id, "cus_forged", "sub_forged", user.email)
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
        r = billing_client.post("/v1/billing/webhook", content=payload, headers=headers)
        assert r.status_code == 400, name
        assert r.json()["error"]["code"] == "INVALID_SIGNATURE"
        messages[name] = r.json()["error"]["message"]
    assert messages["stale"].startswith("bad Stripe signature: Timestamp outside the tolerance zone")
    assert messages["forged"].startswith("bad Stripe signature: No signatures found matching")
    assert messages["missing"] == "missing Stripe-Signature header"
    assert plan_of(conn, user.email) == ("free", None)
    event_id = json.loads(payload)["id"]
    assert conn.execute("SELECT count(*) FROM stripe_events WHERE id = %s", (event_id,)).fetchone() == (0,)
    r = post(billing_client, b'{"hello": "world"}')
    assert r.status_code == 400 and "not a Stripe event" in r.json()["error"]["message"]


def test_ignored_events(billing_client: TestClient[Any]) -> None:
    other = event("customer.created", {"id": "cus_new", "email": "x@example.com"})
    r = post(billing_client, other)
    assert r.status_code == 200 and r.json()["outcome"] == "ignored: customer.created is not handled"


def test_webhooks_refused_without_secret(config: AccessConfig) -> None:
    payload = event("invoice.paid", {"id": "in_1", "customer": "cus_1"})
    with TestClient(create_app(msgspec.structs.replace(config, stripe_webhook_secret=""))) as billing_client:
        r = billing_client.post("/v1/billing/webhook", content=payload, headers=signed(payload))
    assert r.status_code == 400
    assert r.json()["error"]["message"] == "webhooks are disabled: STRIPE_WEBHOOK_SECRET is not set"
