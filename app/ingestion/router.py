"""HTTP routes of the ingestion domain."""

from __future__ import annotations

from fastapi import APIRouter

router = APIRouter(tags=["ingestion"])
