"""Accounts: plans, users, API keys, usage, Stripe events and subscriptions, audit log.

Revision ID: 0001
Revises:
Create Date: 2026-11-25
"""

from __future__ import annotations

from alembic import op

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    """Create the accounts tables and fill the plans and the anonymous key (AIHF_AUTH=off)."""
    op.execute(
        """
        CREATE TABLE plans (
            name            text PRIMARY KEY,
            daily_requests  integer CHECK (daily_requests > 0),      -- NULL = unlimited
            max_rows        integer CHECK (max_rows > 0),            -- NULL = unlimited
            burst           integer NOT NULL CHECK (burst > 0),      -- token-bucket capacity
            refill_per_s    double precision NOT NULL CHECK (refill_per_s > 0),
            stripe_lookup_key text UNIQUE                            -- Stripe price lookup_key of the plan
        );
        INSERT INTO plans VALUES
            ('free', 100, 100, 10, 1.0, 'free'),
            ('pro', 10000, 1000, 50, 10.0, 'pro'),
            ('enterprise', NULL, NULL, 1000, 200.0, 'enterprise');

        CREATE TABLE users (
            id                 bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
            email              text NOT NULL,
            plan               text NOT NULL DEFAULT 'free' REFERENCES plans (name),
            stripe_customer_id text UNIQUE,
            created_at         timestamptz NOT NULL DEFAULT now(),
            updated_at         timestamptz NOT NULL DEFAULT now()
        );
        CREATE UNIQUE INDEX users_email_key ON users (lower(email));

        CREATE TABLE api_keys (
            id           bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
            user_id      bigint NOT NULL REFERENCES users (id) ON DELETE CASCADE,
            prefix       text NOT NULL,                 -- aihf_live_ + 8 hex, kept in clear for lookup
            key_hash     bytea NOT NULL UNIQUE,         -- sha256 of the whole key; the key itself is never stored
            name         text NOT NULL DEFAULT '',
            scopes       text[] NOT NULL DEFAULT '{fd,v1}',
            created_at   timestamptz NOT NULL DEFAULT now(),
            revoked_at   timestamptz,
            last_used_at timestamptz
        );
        CREATE INDEX api_keys_prefix ON api_keys (prefix);
        CREATE INDEX api_keys_user ON api_keys (user_id);

        CREATE TABLE usage (
            key_id   bigint NOT NULL REFERENCES api_keys (id) ON DELETE CASCADE,
            bucket   timestamptz NOT NULL,              -- start of the UTC minute
            endpoint text NOT NULL,                     -- route template, e.g. /v1/companies/{cik}
            count    bigint NOT NULL CHECK (count >= 0),
            rows     bigint NOT NULL CHECK (rows >= 0),
            PRIMARY KEY (key_id, bucket, endpoint)
        );
        CREATE INDEX usage_bucket ON usage (bucket);

        CREATE TABLE subscriptions (
            id                 text PRIMARY KEY,        -- Stripe subscription id
            user_id            bigint REFERENCES users (id) ON DELETE SET NULL,
            customer_id        text NOT NULL,
            plan               text REFERENCES plans (name),
            status             text NOT NULL,
            current_period_end timestamptz,
            event_created      timestamptz NOT NULL,    -- Stripe time of the last applied event (ordering)
            updated_at         timestamptz NOT NULL DEFAULT now()
        );

        CREATE TABLE stripe_events (
            id          text PRIMARY KEY,               -- Stripe event id: a redelivered event is applied once
            type        text NOT NULL,
            created     timestamptz NOT NULL,
            received_at timestamptz NOT NULL DEFAULT now(),
            outcome     text NOT NULL,
            payload     jsonb NOT NULL
        );

        CREATE TABLE audit_log (
            id      bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
            at      timestamptz NOT NULL DEFAULT now(),
            actor   text NOT NULL,                      -- cli, stripe:<event id>, api
            action  text NOT NULL,                      -- user.create, key.issue, key.revoke, plan.set
            user_id bigint,
            key_id  bigint,
            detail  jsonb NOT NULL DEFAULT '{}'
        );

        INSERT INTO users (email, plan) VALUES ('anonymous@localhost', 'enterprise');
        INSERT INTO api_keys (user_id, prefix, key_hash, name)
            SELECT id, 'anonymous', sha256('anonymous'::bytea), 'usage when AIHF_AUTH=off'
            FROM users WHERE email = 'anonymous@localhost';
        """
    )


def downgrade() -> None:
    """Drop the accounts tables."""
    op.execute("DROP TABLE audit_log, stripe_events, subscriptions, usage, api_keys, users, plans")
