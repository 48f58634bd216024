"""Tables of the ingestion domain."""

from __future__ import annotations
