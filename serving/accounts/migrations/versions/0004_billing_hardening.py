"""Billing hardening: checkout sessions we created, invoices (payment failures), unmatched-event lookup.

Revision ID: 0004
Revises: 0001
Create Date: 2026-12-03
"""

from __future__ import annotations

from alembic import op

revision = "0004"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    """Create ``checkout_sessions`` and ``invoices`` and index the unmatched Stripe events by customer."""
    op.execute(
        """
        CREATE TABLE checkout_sessions (
            id         text PRIMARY KEY,                -- Stripe Checkout Session id our endpoint created
            user_id    bigint NOT NULL REFERENCES users (id) ON DELETE CASCADE,
            plan       text NOT NULL REFERENCES plans (name),
            created_at timestamptz NOT NULL DEFAULT now()
        );

        CREATE TABLE invoices (
            id              text PRIMARY KEY,           -- Stripe invoice id
            user_id         bigint REFERENCES users (id) ON DELETE SET NULL,
            customer_id     text NOT NULL,
            status          text NOT NULL,              -- open, uncollectible (unpaid), paid, void (final)
            failed_at       timestamptz,                -- Stripe time of its first failed payment
            event_created   timestamptz NOT NULL,       -- Stripe time of the last applied event (ordering)
            updated_at      timestamptz NOT NULL DEFAULT now()
        );
        CREATE INDEX invoices_unpaid ON invoices (user_id)
            WHERE status IN ('open', 'uncollectible') AND failed_at IS NOT NULL;

        CREATE INDEX subscriptions_user ON subscriptions (user_id);
        CREATE INDEX stripe_events_unmatched ON stripe_events ((payload -> 'data' -> 'object' ->> 'customer'))
            WHERE outcome LIKE 'unmatched:%';
        """
    )


def downgrade() -> None:
    """Drop what :func:`upgrade` created."""
    op.execute(
        "DROP INDEX stripe_events_unmatched; DROP INDEX subscriptions_user; DROP TABLE invoices, checkout_sessions"
    )
