"""API keys: ``aihf_live_`` + 32 random bytes in hex, stored only as a SHA-256 hash plus a lookup prefix."""

from __future__ import annotations

import hashlib
import re
import secrets

KEY_PREFIX = "aihf_live_"
#: characters of the key (after ``aihf_live_``) kept in clear as the lookup prefix
PREFIX_HEX = 8
_KEY_RE = re.compile(rf"^{KEY_PREFIX}[0-9a-f]{{64}}$")


def new_key() -> str:
    """A fresh random API key (``aihf_live_`` + 64 hex characters)."""
    return KEY_PREFIX + secrets.token_bytes(32).hex()


def is_key(text: str) -> bool:
    """Whether ``text`` has the shape of one of our API keys (it may still be unknown or revoked)."""
    return bool(_KEY_RE.match(text))


def key_prefix(key: str) -> str:
    """The clear part stored for lookup and shown in listings, e.g. ``aihf_live_3f9a01bc``."""
    return key[: len(KEY_PREFIX) + PREFIX_HEX]


def key_hash(key: str) -> bytes:
    """SHA-256 of the key: the only form stored (a 256-bit random secret needs no slow hash)."""
    return hashlib.sha256(key.encode("ascii")).digest()
