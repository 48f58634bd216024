"""Counting the SQL a request makes: each query of a first read is a round trip and the ORM's
per-query overhead (issue #17, goal 4), so the hot reads' tests count them."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from sqlalchemy import event
from sqlalchemy.engine import Engine


@contextmanager
def statements_run() -> Iterator[list[str]]:
    """Every SQL statement any engine sends while the block runs, in order."""
    seen: list[str] = []

    def listen(_connection: Any, _cursor: Any, statement: str, *_rest: Any) -> None:
        seen.append(statement)

    event.listen(Engine, "before_cursor_execute", listen)
    try:
        yield seen
    finally:
        event.remove(Engine, "before_cursor_execute", listen)
