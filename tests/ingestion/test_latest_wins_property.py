"""Property: any interleaving of posts, repeats and replacements leaves the same totals as
applying latest-value-wins by hand (SPEC §2, issue 12)."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import date
from fractions import Fraction
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from app.engine import SumWindow
from app.evaluation import repository
from tests.ingestion.conftest import accepted_usage_ids

STUDENTS = ("S1", "S2")
DAYS = ("2026-09-01", "2026-09-02")
SESSIONS = (None, "a", "b")
MINUTES = SumWindow("usage", "minutes", date(2026, 8, 1), date(2027, 7, 31))

Key = tuple[str, str, str | None]
rows_strategy = st.dictionaries(
    st.tuples(st.sampled_from(STUDENTS), st.sampled_from(DAYS), st.sampled_from(SESSIONS)),
    st.integers(min_value=0, max_value=100),
    min_size=1,
    max_size=5,
)
operation = st.one_of(
    st.tuples(st.just("post"), rows_strategy, st.booleans()),
    st.tuples(st.just("repeat"), st.integers(min_value=0, max_value=9), st.booleans()),
    st.tuples(st.just("replace"), st.integers(min_value=0, max_value=9), rows_strategy),
)


@dataclass
class ByHand:
    """The rule applied by hand: batches in posting order, each with its rows and status."""

    batches: list[tuple[dict[Key, int], bool]] = field(default_factory=list)  # rows, counts

    def post(self, rows: dict[Key, int], replaces: int | None = None) -> bool:
        """Whether a new batch is stored."""
        if replaces is None and any(rows == earlier for earlier, _ in self.batches):
            return False  # a repeat of an earlier batch's rows, accepted or superseded
        if replaces is not None:
            if not self.batches[replaces][1]:
                return False  # already replaced: refused
            self.batches[replaces] = (self.batches[replaces][0], False)
        self.batches.append((rows, True))
        return True

    def totals(self) -> dict[str, Fraction]:
        latest: dict[Key, int] = {}
        for rows, counts in self.batches:
            if counts:
                latest.update(rows)
        result: dict[str, Fraction] = {}
        for (student, _, _), minutes in latest.items():
            result[student] = result.get(student, Fraction(0)) + minutes
        return result


def as_body(rows: dict[Key, int], as_json: bool) -> tuple[bytes, str]:
    """The rows as a CSV (reversed, CRLF) or JSON upload."""
    if as_json:
        objects = [
            {"student_id": s, "date": d, "minutes": m, **({"session_id": k} if k else {})}
            for (s, d, k), m in rows.items()
        ]
        return json.dumps(objects).encode(), "application/json"
    lines = [f"{s},{d},{m},{k or ''}" for (s, d, k), m in reversed(list(rows.items()))]
    return (
        "\r\n".join(["student_id,date,minutes,session_id", *lines]) + "\r\n"
    ).encode(), "text/csv"


@settings(
    max_examples=25,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(operations=st.lists(operation, min_size=1, max_size=6))
def test_any_interleaving_gives_the_totals_of_latest_value_wins_by_hand(
    client, world, rostered_contract, db_session, operations: list[Any]
):
    key = rostered_contract({"S1": 3, "S2": 4})
    vendor = world.headers["bright-tutors"]

    by_hand = ByHand()
    ids: list[str] = []  # the public id of each batch by_hand holds, in the same order
    for op in operations:
        if op[0] == "repeat" and not ids:
            continue
        if op[0] == "post":
            rows, replaces, as_json = op[1], None, op[2]
        elif op[0] == "repeat":
            rows, replaces, as_json = by_hand.batches[op[1] % len(ids)][0], None, op[2]
        else:
            if not ids:
                continue
            rows, replaces, as_json = op[2], op[1] % len(ids), False
        body, content_type = as_body(rows, as_json)
        response = client.post(
            f"/v1/contracts/{key}/usage",
            content=body,
            params={"replaces": ids[replaces]} if replaces is not None else None,
            headers={**vendor, "Content-Type": content_type},
        )
        stored = by_hand.post(rows, replaces)
        assert response.status_code == (
            201 if stored else (409 if replaces is not None else 200)
        ), response.text
        if stored:
            ids.append(response.json()["id"])

    batch_ids = accepted_usage_ids(db_session, key)
    expected = {student: total for student, total in by_hand.totals().items()}
    for current in (True, False):
        sums = repository.window_sums(db_session, "usage", batch_ids, [MINUTES], current=current)
        found = {student: Fraction(total, 1000) for student, total in sums[MINUTES].items()}
        assert found == expected, (current, operations)
