from __future__ import annotations

import pytest

from app.feeds import FeedRejected, RowProblem, parse_feed


def csv_bytes(*lines: str) -> bytes:
    return ("\n".join(lines) + "\n").encode()


def rejection(feed: str, content: bytes, **options: object) -> FeedRejected:
    with pytest.raises(FeedRejected) as caught:
        parse_feed(feed, content, **options)  # type: ignore[arg-type]
    return caught.value


def only_problem(feed: str, content: bytes, **options: object) -> RowProblem:
    refused = rejection(feed, content, **options)
    assert refused.total == 1, refused.problems
    return refused.problems[0]
