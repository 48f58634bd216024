"""`tranche demo`: placeholder until ingestion lands."""

from __future__ import annotations


def demo_command() -> None:
    raise SystemExit("demo not built yet")
