"""HTTP routes of the evaluation domain."""

from __future__ import annotations

from fastapi import APIRouter

router = APIRouter(tags=["evaluation"])
