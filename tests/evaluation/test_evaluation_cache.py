"""The evaluation cache: the same evaluation is computed once, and a cached one is never
served once the data, the contract or the date it was computed from has changed."""

from __future__ import annotations

import threading
from datetime import date

import pytest

from app.evaluation.cache import EvaluationCache
from tests.evaluation.conftest import USAGE, usage_csv

URL = "/v1/contracts/ector-hdt-2026/evaluation"
AS_OF = date(2027, 6, 30)


def minutes_of(client, world, student):
    response = client.get(
        f"{URL}/students", params={"as_of": AS_OF.isoformat()}, headers=world.headers["ector-isd"]
    )
    assert response.status_code == 200
    for line in response.text.splitlines()[1:]:
        if line.split(",")[0].strip('"') == student:
            return line
    raise AssertionError(f"{student} not in the students CSV")


def test_the_same_evaluation_twice_is_computed_once(loaded, stored):
    assert stored() is stored()


def test_another_as_of_is_another_evaluation(loaded, stored):
    assert stored(date(2027, 6, 29)) is not stored()
    assert stored(date(2027, 6, 29)).as_of == date(2027, 6, 29)


def test_a_new_batch_is_counted_at_once(loaded, stored, post_feed):
    before = stored()
    post_feed("usage", usage_csv({"s08": [("2026-10-05", "900")]}))
    after = stored()
    assert after.fingerprint != before.fingerprint
    assert after.result.metrics["dosage_rate"].numerator == (
        before.result.metrics["dosage_rate"].numerator + 1
    )


def test_a_new_roster_batch_is_read_at_once(loaded, stored, post_feed):
    before = stored()
    post_feed("roster", "student_id,grade,school_id\ns99,3,north\n")
    after = stored()
    assert len(after.result.students) == len(before.result.students) + 1
    assert "s99" in set(after.result.students["student_id"])


def test_a_replaced_batch_stops_counting_at_once(loaded, stored, post_feed):
    before = stored()
    corrected = USAGE.replace("s02,2026-09-03,900,1", "s02,2026-09-03,100,1")
    post_feed("usage", corrected, replaces=loaded["usage"]["id"])
    after = stored()
    assert after.result.metrics["dosage_rate"].numerator == (
        before.result.metrics["dosage_rate"].numerator - 1
    )


def test_the_batches_asked_for_decide_the_evaluation(loaded, stored, post_feed):
    post_feed("usage", usage_csv({"s08": [("2026-10-05", "900")]}))
    everything = stored()
    first_three = stored(batch_ids=[batch["id"] for batch in loaded.values()])
    assert first_three.fingerprint != everything.fingerprint
    assert first_three.result.metrics["dosage_rate"].numerator == (
        everything.result.metrics["dosage_rate"].numerator - 1
    )


def test_http_reads_see_a_new_batch(loaded, client, world, post_feed):
    before = minutes_of(client, world, "s08")
    post_feed("usage", usage_csv({"s08": [("2026-10-05", "900")]}))
    assert minutes_of(client, world, "s08") != before


def test_the_least_recently_used_entry_goes_first():
    cache: EvaluationCache[str] = EvaluationCache(max_students=10)
    cache.put("a", "A", students=4)
    cache.put("b", "B", students=4)
    assert cache.get("a") == "A"  # now b is the least recently used
    cache.put("c", "C", students=4)
    assert (cache.get("a"), cache.get("b"), cache.get("c")) == ("A", None, "C")


def test_an_evaluation_larger_than_the_whole_cache_is_not_kept():
    cache: EvaluationCache[str] = EvaluationCache(max_students=10)
    cache.put("a", "A", students=4)
    assert cache.put("big", "BIG", students=11) == "BIG"
    assert cache.get("big") is None
    assert cache.get("a") == "A"


def test_the_number_of_entries_is_bounded_too():
    cache: EvaluationCache[str] = EvaluationCache(max_students=1000, max_entries=2)
    for name in "abc":
        cache.put(name, name.upper(), students=1)
    assert len(cache) == 2
    assert cache.get("a") is None


def test_readers_arriving_together_compute_an_evaluation_once():
    cache: EvaluationCache[str] = EvaluationCache()
    started, release = threading.Event(), threading.Event()
    calls = []

    def compute() -> str:
        calls.append(1)
        started.set()
        release.wait(5)
        return "result"

    results = []
    readers = [
        threading.Thread(target=lambda: results.append(cache.compute_once("f", compute, len)))
        for _ in range(5)
    ]
    readers[0].start()
    started.wait(5)
    for reader in readers[1:]:
        reader.start()
    release.set()
    for reader in readers:
        reader.join(5)
    assert calls == [1]
    assert results == ["result"] * 5


def test_a_failed_evaluation_is_not_kept():
    cache: EvaluationCache[str] = EvaluationCache()

    def fail() -> str:
        raise RuntimeError("database went away")

    with pytest.raises(RuntimeError):
        cache.compute_once("f", fail, len)
    assert cache.compute_once("f", lambda: "result", len) == "result"
