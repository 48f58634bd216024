"""API key format. A key is `trk_<prefix>_<secret>`: the prefix finds the row, and only the
SHA-256 of the whole key is stored. The secrets are 256-bit random, so a plain hash suffices
(no slow KDF is needed against guessing)."""

from __future__ import annotations

import hashlib
import hmac
import secrets

KEY_SCHEME = "trk"


def new_api_key() -> tuple[str, str, str]:
    """(full key to show once, prefix to store, sha256 to store)."""
    prefix = secrets.token_hex(6)
    full = f"{KEY_SCHEME}_{prefix}_{secrets.token_urlsafe(32)}"
    return full, prefix, key_sha256(full)


def key_sha256(full_key: str) -> str:
    return hashlib.sha256(full_key.encode("utf-8")).hexdigest()


def split_prefix(full_key: str) -> str | None:
    parts = full_key.split("_", 2)
    if len(parts) != 3 or parts[0] != KEY_SCHEME or not parts[1]:
        return None
    return parts[1]


def matches(full_key: str, stored_sha256: str) -> bool:
    return hmac.compare_digest(key_sha256(full_key), stored_sha256)
