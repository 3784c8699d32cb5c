"""Stripe webhook deliveries: the signature check and the typed event (and objects) of a delivery.

:func:`verify` checks ``Stripe-Signature`` with the ``stripe`` library (HMAC-SHA256 of ``"<t>.<body>"``,
``TOLERANCE_S`` of age), then decodes the body strictly: a body that is not a JSON object, a ``created`` that
is not a positive integer, a non-finite number, or an object of a handled type missing its fields is refused
(:class:`WebhookError`, answered 400), never half-applied. So is an event (or signature) dated more than
``FUTURE_S`` ahead of our clock: a far-future ``created`` would otherwise win every later ordering comparison.
"""

from __future__ import annotations

import time
from typing import Annotated, Any

import msgspec

#: how old a signature may be, seconds (Stripe's default): older deliveries are refused as replays
TOLERANCE_S = 300
#: how far ahead of our clock an event's ``created`` or its signature time may be, seconds (clock skew)
FUTURE_S = 300


class WebhookError(ValueError):
    """A delivery refused before anything is changed; ``code`` is the /v1 error code of the 400."""

    def __init__(self, message: str, code: str = "INVALID_SIGNATURE") -> None:
        super().__init__(message)
        self.message = message
        self.code = code


Text = Annotated[str, msgspec.Meta(min_length=1, max_length=255)]


class EventData(msgspec.Struct, frozen=True):
    """``data`` of an event: the object the event is about."""

    object: dict[str, Any]


class Event(msgspec.Struct, frozen=True):
    """A Stripe event (the fields we use): id, type, ``created`` (Unix seconds) and its object."""

    id: Text
    type: Text
    created: Annotated[int, msgspec.Meta(ge=1)]
    data: EventData


class Price(msgspec.Struct, frozen=True):
    """A subscription item's price: its ``lookup_key`` names our plan."""

    lookup_key: str | None = None
    metadata: dict[str, Any] = {}


class Item(msgspec.Struct, frozen=True):
    """A subscription item."""

    price: Price | None = None


class Items(msgspec.Struct, frozen=True):
    """A subscription's item list."""

    data: list[Item] = []


class Subscription(msgspec.Struct, frozen=True):
    """The object of ``customer.subscription.*`` events."""

    id: Text
    customer: Text
    status: Text
    metadata: dict[str, Any] = {}
    items: Items | None = None
    current_period_end: int | None = None


class CheckoutSession(msgspec.Struct, frozen=True):
    """The object of ``checkout.session.completed``."""

    id: Text
    client_reference_id: str | None = None
    customer: str | None = None
    subscription: str | None = None
    payment_status: str | None = None
    metadata: dict[str, Any] = {}


class Invoice(msgspec.Struct, frozen=True):
    """The object of ``invoice.paid`` / ``invoice.payment_failed`` / ``invoice.voided``."""

    id: Text
    customer: Text
    status: str | None = None


#: the object type of each handled event type (other types are recorded without looking at their object)
OBJECTS: dict[str, type[Subscription | CheckoutSession | Invoice]] = {
    "checkout.session.completed": CheckoutSession,
    "customer.subscription.created": Subscription,
    "customer.subscription.updated": Subscription,
    "customer.subscription.deleted": Subscription,
    "invoice.paid": Invoice,
    "invoice.payment_failed": Invoice,
    "invoice.voided": Invoice,
}


def typed_object(event: Event) -> Any:
    """The event's object as its typed struct (``None`` for types we do not handle).

    Raises:
        WebhookError: the object lacks a field of its type or has one of the wrong type.
    """
    kind = OBJECTS.get(event.type)
    if kind is None:
        return None
    try:
        return msgspec.convert(event.data.object, kind)
    except msgspec.ValidationError as exc:
        raise WebhookError(
            f"event {event.id}: data.object is not a valid {kind.__name__}: {exc}", "INVALID_EVENT"
        ) from None


def _signature_time(header: str) -> int:
    for part in header.split(","):
        key, _, value = part.strip().partition("=")
        if key == "t" and value.strip().isdigit():
            return int(value)
    return 0


def verify(
    payload: bytes,
    signature: str | None,
    secret: str,
    tolerance_s: int = TOLERANCE_S,
    now: float | None = None,
) -> Event:
    """The event of a delivery whose ``Stripe-Signature`` is valid and recent and whose body is an event.

    Raises:
        WebhookError: no secret configured, missing/forged/stale/future signature (code ``INVALID_SIGNATURE``),
            or a body that is not a valid event (code ``INVALID_EVENT``).
    """
    if not secret:
        raise WebhookError("webhooks are disabled: STRIPE_WEBHOOK_SECRET is not set")
    if not signature:
        raise WebhookError("missing Stripe-Signature header")
    import stripe  # imported on the first delivery: it is slow to import and only billing needs it

    try:
        text = payload.decode("utf-8")
    except UnicodeDecodeError:
        raise WebhookError("body is not UTF-8 text", "INVALID_EVENT") from None
    try:
        stripe.WebhookSignature.verify_header(text, signature, secret, tolerance_s)
    except stripe.SignatureVerificationError as exc:
        raise WebhookError(f"bad Stripe signature: {exc.user_message or exc}") from None
    now = time.time() if now is None else now
    if _signature_time(signature) > now + FUTURE_S:
        raise WebhookError(
            f"bad Stripe signature: its timestamp is more than {FUTURE_S} s ahead of our clock"
        )
    try:
        event = msgspec.json.decode(payload, type=Event)
    except msgspec.ValidationError as exc:
        raise WebhookError(
            f"body is not a Stripe event (id, type, created, data.object): {exc}", "INVALID_EVENT"
        ) from None
    except msgspec.DecodeError as exc:
        raise WebhookError(f"body is not JSON: {exc}", "INVALID_EVENT") from None
    if event.created > now + FUTURE_S:
        raise WebhookError(
            f"event {event.id} is dated {event.created}, more than {FUTURE_S} s ahead of our clock",
            "INVALID_EVENT",
        )
    typed_object(event)
    return event
