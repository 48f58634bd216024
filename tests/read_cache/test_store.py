"""The response store's bookkeeping: one ledger version at a time, bounded by bytes."""

from __future__ import annotations

from app.read_cache.store import ResponseStore, StoredResponse


def answer(size: int) -> StoredResponse:
    return StoredResponse(200, ((b"content-type", b"application/json"),), b"x" * size)


def test_an_answer_is_served_again_at_the_same_version():
    store = ResponseStore(max_bytes=1000)
    assert store.get("a", 7) is None
    store.put("a", 7, answer(10))
    assert store.get("a", 7) == answer(10)


def test_another_version_drops_every_answer():
    store = ResponseStore(max_bytes=1000)
    store.get("a", 7)
    store.put("a", 7, answer(10))
    store.put("b", 7, answer(10))
    assert store.get("a", 8) is None
    assert store.get("b", 8) is None
    assert len(store) == 0


def test_an_answer_computed_before_a_newer_version_was_seen_is_not_kept():
    store = ResponseStore(max_bytes=1000)
    store.get("a", 7)  # a slow request starts at version 7 ...
    store.get("b", 8)  # ... another sees version 8 meanwhile ...
    store.put("a", 7, answer(10))  # ... the slow one's answer may be out of date
    assert store.get("a", 8) is None
    assert store.get("a", 7) is None  # asking at 7 again drops everything kept for 8, too


def test_the_least_recently_used_answers_go_first_when_bytes_run_out():
    store = ResponseStore(max_bytes=800)
    store.get("a", 1)
    for key in ("a", "b", "c", "d"):
        store.put(key, 1, answer(100))
    store.get("a", 1)  # a is now the most recently used
    for key in ("e", "f", "g", "h", "i"):
        store.put(key, 1, answer(100))
    assert store.get("a", 1) is not None
    assert store.get("b", 1) is None
    assert sum(store.get(key, 1) is not None for key in "abcdefghi") == 8


def test_an_answer_larger_than_an_eighth_of_the_store_is_not_kept():
    store = ResponseStore(max_bytes=800)
    store.get("a", 1)
    store.put("big", 1, answer(101))
    store.put("fits", 1, answer(100))
    assert store.get("big", 1) is None
    assert store.get("fits", 1) is not None
