"""One ledger read serves every request waiting for it, and never one that started before a
request arrived (app/read_cache/shared_read.py)."""

from __future__ import annotations

import threading

import anyio

from app.read_cache.shared_read import SharedRead


class Reads:
    """A read that numbers its calls; the first waits until released."""

    def __init__(self) -> None:
        self.calls: list[int] = []
        self.first_started = threading.Event()
        self.release = threading.Event()

    def __call__(self) -> int:
        number = len(self.calls) + 1
        self.calls.append(number)
        if number == 1:
            self.first_started.set()
            self.release.wait(30)
        return number


def test_requests_that_arrive_during_a_read_share_the_next_one_not_that_one():
    reads = Reads()
    shared = SharedRead(reads, timeout=30)
    answers: dict[str, int | None] = {}

    async def ask(name: str) -> None:
        answers[name] = await shared.current()

    async def main() -> None:
        async with anyio.create_task_group() as group:
            group.start_soon(ask, "first")
            await anyio.to_thread.run_sync(reads.first_started.wait)
            # These arrive while read 1 runs: it may predate a commit they know of.
            for name in ("second", "third", "fourth"):
                group.start_soon(ask, name)
            await anyio.wait_all_tasks_blocked()
            reads.release.set()

    anyio.run(main)
    assert answers == {"first": 1, "second": 2, "third": 2, "fourth": 2}
    assert reads.calls == [1, 2]


def test_a_request_alone_gets_a_read_of_its_own():
    reads = Reads()
    reads.release.set()
    shared = SharedRead(reads, timeout=30)

    async def main() -> list[int | None]:
        return [await shared.current() for _ in range(3)]

    assert anyio.run(main) == [1, 2, 3]


def test_a_read_that_does_not_answer_in_time_gives_none_and_frees_the_next_request():
    reads = Reads()
    shared = SharedRead(reads, timeout=0.2)

    async def main() -> tuple[int | None, int | None]:
        stuck = await shared.current()  # read 1 never answers
        reads.release.set()
        return stuck, await shared.current()

    assert anyio.run(main) == (None, 2)
