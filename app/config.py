"""Settings, read from the environment (and a `.env` file) by pydantic-settings."""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

from pydantic import AliasChoices, Field, SecretStr, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from app.db import DatabaseTimeouts

# Multipart framing (boundaries, part headers) around a file at the upload limit.
MULTIPART_OVERHEAD_BYTES = 64 * 1024


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="TRANCHE_", env_file=".env", extra="ignore")

    database_url: str = Field(
        default="sqlite:///./tranche.db",
        validation_alias=AliasChoices("DATABASE_URL", "TRANCHE_DATABASE_URL"),
        description="SQLAlchemy URL; a SQLite file in the working folder unless told otherwise.",
    )
    max_upload_bytes: int = Field(default=50 * 1024 * 1024, gt=0)
    max_listed_problems: int = Field(default=500, gt=0)
    small_group_threshold: int = Field(
        default=10, ge=1, description="Breakdown groups smaller than this are suppressed."
    )
    read_cache_bytes: int = Field(
        default=256 * 1024 * 1024,
        ge=0,
        description="Memory per server process for repeated reads (app/read_cache); 0 turns it off.",
    )

    # --- limits (SPEC §3 "Limits"; app/admission) ---------------------------------------
    request_body_timeout_seconds: float = Field(
        default=60.0,
        gt=0,
        description="A request body not fully arrived this long after its headers gets 408.",
    )
    anonymous_body_bytes: int = Field(
        default=64 * 1024,
        ge=0,
        description="Largest body accepted before sign-in, on the paths that take one.",
    )
    # --- the database's answers ------------------------------------------------------------
    database_connect_timeout_seconds: float = Field(default=5.0, gt=0)
    database_statement_timeout_seconds: float = Field(default=30.0, gt=0)
    database_pool_timeout_seconds: float = Field(default=10.0, gt=0)
    sqlite_busy_timeout_seconds: float = Field(default=10.0, gt=0)
    authentication_timeout_seconds: float = Field(
        default=5.0, gt=0, description="Resolving the caller's key; 503 beyond it."
    )
    request_queue_timeout_seconds: float = Field(
        default=30.0,
        gt=0,
        description="Waiting for a request slot (app/request_limit.py); beyond it 503.",
    )
    ledger_read_timeout_seconds: float = Field(
        default=0.5,
        gt=0,
        description="Reading the ledger version for the read cache; beyond it, no cache.",
    )

    # --- audit trust (SPEC §3; app/audit/signing.py) ------------------------------------
    signing_key_file: Path | None = Field(
        default=None,
        description="The Ed25519 private key (PEM) that signs audit checkpoints and bundles; "
        "kept outside the database. Make one with `tranche keys generate-signing-key PATH`.",
    )
    signing_key: SecretStr | None = Field(
        default=None, description="The same key given in the environment instead of a file."
    )
    trusted_public_keys: list[str] = Field(
        default=[],
        description="Earlier public keys (base64) whose checkpoints still verify after a key "
        "rotation; the signing key's own public key is always trusted.",
    )

    @property
    def max_body_bytes(self) -> int:
        """The largest request body: an upload at its limit, plus multipart framing."""
        return self.max_upload_bytes + MULTIPART_OVERHEAD_BYTES

    def database_timeouts(self) -> DatabaseTimeouts:
        return DatabaseTimeouts(
            connect=self.database_connect_timeout_seconds,
            statement=self.database_statement_timeout_seconds,
            pool=self.database_pool_timeout_seconds,
            busy=self.sqlite_busy_timeout_seconds,
        )

    session_hours: int = Field(
        default=8, gt=0, le=24 * 7, description="A web sign-in lasts this long (SPEC §6)."
    )
    sign_in_attempts: int = Field(
        default=5, gt=0, description="Refused sign-ins per email or client before a pause."
    )
    sign_in_pause_minutes: int = Field(
        default=15, gt=0, description="How long sign-in attempts are counted and paused."
    )

    @field_validator("database_url")
    @classmethod
    def _use_psycopg3(cls, url: str) -> str:
        # A bare postgresql:// URL would make SQLAlchemy look for psycopg2, which we do not ship.
        if url.startswith("postgresql://") or url.startswith("postgres://"):
            return "postgresql+psycopg://" + url.split("://", 1)[1]
        return url


@lru_cache
def get_settings() -> Settings:
    return Settings()
