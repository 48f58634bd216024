"""Ed25519 signatures that anchor the hash chain (SPEC §3 "Audit trust").

The hash chain alone proves nothing to someone who can write the database: they can rewrite
every entry and recompute every SHA-256. A signature by a key kept *outside* the database
(a file or an environment variable, never a table) cannot be recomputed that way. The
service signs the chain head at checkpoints (app/audit/checkpoints.py) and signs audit
bundles' manifests; verifiers trust only the public keys they were configured with.

This module is pure (no database, no settings object): `tranche verify-bundle` uses it offline.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import os
from dataclasses import dataclass, field
from pathlib import Path

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey

# Where the keyring travels with a session (set by `create_app` and the CLI's session).
KEYRING_INFO = "tranche.keyring"


class SigningKeyError(ValueError):
    """A key that cannot be read or used; the message says what to fix."""


def public_key_text(public: Ed25519PublicKey) -> str:
    """A public key as base64 of its 32 raw bytes: how keys are written in settings and
    bundles."""
    raw = public.public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)
    return base64.b64encode(raw).decode("ascii")


def key_id(public: Ed25519PublicKey) -> str:
    """A short, stable name for a public key: the first 16 hex digits of SHA-256 of its raw
    bytes."""
    raw = public.public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)
    return hashlib.sha256(raw).hexdigest()[:16]


def public_key_from_text(text: str) -> Ed25519PublicKey:
    """A public key from base64 of its raw bytes, or from a PEM ``PUBLIC KEY`` block."""
    stripped = text.strip()
    try:
        if stripped.startswith("-----BEGIN"):
            loaded = serialization.load_pem_public_key(stripped.encode())
            if not isinstance(loaded, Ed25519PublicKey):
                raise SigningKeyError("the PEM public key is not an Ed25519 key")
            return loaded
        return Ed25519PublicKey.from_public_bytes(base64.b64decode(stripped, validate=True))
    except (ValueError, binascii.Error) as error:
        if isinstance(error, SigningKeyError):
            raise
        raise SigningKeyError(f"not an Ed25519 public key: {error}") from None


def private_key_from_text(text: str) -> Ed25519PrivateKey:
    """A private key from a PEM ``PRIVATE KEY`` block (PKCS#8, as `openssl genpkey
    -algorithm ed25519` writes it) or from base64 of the 32-byte seed."""
    stripped = text.strip()
    try:
        if stripped.startswith("-----BEGIN"):
            loaded = serialization.load_pem_private_key(stripped.encode(), password=None)
            if not isinstance(loaded, Ed25519PrivateKey):
                raise SigningKeyError("the PEM private key is not an Ed25519 key")
            return loaded
        return Ed25519PrivateKey.from_private_bytes(base64.b64decode(stripped, validate=True))
    except (ValueError, TypeError, binascii.Error) as error:
        if isinstance(error, SigningKeyError):
            raise
        raise SigningKeyError(f"not an Ed25519 private key: {error}") from None


@dataclass(frozen=True)
class Signer:
    private: Ed25519PrivateKey

    @property
    def public(self) -> Ed25519PublicKey:
        return self.private.public_key()

    @property
    def key_id(self) -> str:
        return key_id(self.public)

    def sign(self, message: bytes) -> str:
        """The signature of `message`, base64."""
        return base64.b64encode(self.private.sign(message)).decode("ascii")


@dataclass(frozen=True)
class Keyring:
    """The key the service signs with (None: signing is refused) and the public keys it trusts:
    its own and any earlier ones kept after a key rotation, by key id."""

    signer: Signer | None = None
    trusted: dict[str, Ed25519PublicKey] = field(default_factory=dict)

    @classmethod
    def of(cls, signer: Signer | None, extra_public_keys: list[str] = []) -> Keyring:  # noqa: B006
        trusted = {key_id(k): k for k in map(public_key_from_text, extra_public_keys)}
        if signer is not None:
            trusted[signer.key_id] = signer.public
        return cls(signer, trusted)

    def require_signer(self) -> Signer:
        if self.signer is None:
            raise SigningKeyError(
                "No signing key is configured, so nothing can be signed. Create one with "
                "`tranche keys generate-signing-key PATH` and set TRANCHE_SIGNING_KEY_FILE=PATH "
                "(or put the key itself in TRANCHE_SIGNING_KEY)."
            )
        return self.signer

    def verifies(self, key: str, message: bytes, signature: str) -> bool:
        """Whether `signature` (base64) over `message` is valid under the trusted key `key`."""
        public = self.trusted.get(key)
        if public is None:
            return False
        return signature_is_valid(public, message, signature)


def signature_is_valid(public: Ed25519PublicKey, message: bytes, signature: str) -> bool:
    try:
        public.verify(base64.b64decode(signature, validate=True), message)
    except (InvalidSignature, ValueError, binascii.Error):
        return False
    return True


def checkpoint_message(head_entry_id: int | None, head_hash: str) -> bytes:
    """What a checkpoint signs: the position and hash of the chain head. The id binds the
    signature to its place, so a signed head cannot be replayed elsewhere in the chain."""
    return f"tranche-checkpoint:v1:{head_entry_id}:{head_hash}".encode("ascii")


def generate_signing_key(path: Path) -> Signer:
    """Write a new private key to `path` (PEM, readable by its owner only) and its public key
    to `path` + ``.pub``; refuses to overwrite an existing key."""
    if path.exists():
        raise SigningKeyError(f"{path} exists already; a signing key is never overwritten")
    private = Ed25519PrivateKey.generate()
    pem = private.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    )
    path.parent.mkdir(parents=True, exist_ok=True)
    descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(descriptor, "wb") as handle:
        handle.write(pem)
    signer = Signer(private)
    Path(f"{path}.pub").write_text(public_key_text(signer.public) + "\n", encoding="ascii")
    return signer


def load_signer(key_file: Path | None, key_text: str | None) -> Signer | None:
    """The signer the settings name: the key itself (`key_text`) or a file holding it."""
    if key_text:
        return Signer(private_key_from_text(key_text))
    if key_file is None:
        return None
    try:
        text = key_file.read_text(encoding="ascii")
    except (OSError, UnicodeDecodeError) as error:
        raise SigningKeyError(f"cannot read the signing key file {key_file}: {error}") from None
    return Signer(private_key_from_text(text))
