"""Settings, read from the environment (and a `.env` file) by pydantic-settings."""

from __future__ import annotations

from functools import lru_cache

from pydantic import AliasChoices, Field, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict


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
