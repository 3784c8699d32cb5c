"""Refresh tokens: stored as SHA-256 hashes, rotated on each use, revocable (a token, its chain, its key).

Revision ID: 0002
Revises: 0001
Create Date: 2026-12-03
"""

from __future__ import annotations

from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    """Create ``refresh_tokens``."""
    op.execute(
        """
        CREATE TABLE refresh_tokens (
            id          bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
            key_id      bigint NOT NULL REFERENCES api_keys (id) ON DELETE CASCADE,
            family      uuid NOT NULL,                 -- the rotation chain: every token replacing the first one
            token_hash  bytea NOT NULL UNIQUE,         -- sha256 of the token; the token itself is never stored
            created_at  timestamptz NOT NULL DEFAULT now(),
            expires_at  timestamptz NOT NULL,
            used_at     timestamptz,                   -- exchanged at /v1/auth/refresh (a second use revokes the chain)
            revoked_at  timestamptz
        );
        CREATE INDEX refresh_tokens_key ON refresh_tokens (key_id);
        CREATE INDEX refresh_tokens_family ON refresh_tokens (family);
        """
    )


def downgrade() -> None:
    """Drop ``refresh_tokens``."""
    op.execute("DROP TABLE refresh_tokens")
