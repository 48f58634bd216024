"""People's passwords: Argon2id hashes, checked in constant time. Pure functions (no database),
shared by the CLI and the web app's sign-in.

argon2-cffi's defaults are the RFC 9106 "low memory" Argon2id profile (time cost 3, 64 MiB);
`needs_rehash` tells a caller to store a fresh hash after a successful sign-in when those
parameters are raised later.
"""

from __future__ import annotations

import functools
import secrets

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

_HASHER = PasswordHasher()  # Argon2id

MIN_LENGTH = 12
MAX_LENGTH = 1024  # hashing cost grows with length: refuse absurd inputs before hashing
GENERATED_LENGTH = 20
_ALPHABET = "abcdefghijkmnopqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ23456789"  # no 0/O, 1/l/I


def password_problem(password: str) -> str | None:
    """Why a chosen password is refused, or None when it is acceptable."""
    if len(password) < MIN_LENGTH:
        return f"use at least {MIN_LENGTH} characters"
    if len(password) > MAX_LENGTH:
        return f"use at most {MAX_LENGTH} characters"
    return None


def hash_password(password: str) -> str:
    return _HASHER.hash(password)


def verify_password(password_hash: str, password: str) -> bool:
    """True when `password` matches; False for a wrong password or an unreadable hash."""
    if len(password) > MAX_LENGTH:
        return False
    try:
        return _HASHER.verify(password_hash, password)
    except (VerificationError, InvalidHashError):
        return False


def needs_rehash(password_hash: str) -> bool:
    return _HASHER.check_needs_rehash(password_hash)


def generate_password() -> str:
    """A first password to hand over once: 20 characters from 57 (about 116 bits)."""
    return "".join(secrets.choice(_ALPHABET) for _ in range(GENERATED_LENGTH))


@functools.cache
def dummy_hash() -> str:
    """A hash of a random password, checked when an email is unknown, so a sign-in takes as
    long for an unknown email as for a wrong password (no account enumeration by timing)."""
    return hash_password(generate_password())
