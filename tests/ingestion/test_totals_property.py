"""The per-student totals kept at ingest (app/ingestion/totals.py) always equal summing the
rows that count: any interleaving of posts, repeats and replacements, every window and every
summed column, on SQLite and PostgreSQL; and an evaluation reads the same numbers from them
as from the rows (issue #17)."""

from __future__ import annotations

from datetime import date
from typing import Any

import pandas as pd
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from app.contracts.models import Contract
from app.engine import SumWindow
from app.evaluation import repository, service
from app.evaluation.service import forget_inputs
from app.ingestion.models import TOTAL_TABLES, sum_spans
from tests.ingestion.conftest import accepted_usage_ids

STUDENTS = ("S1", "S2", "S3")
GRADES = {"S1": 3, "S2": 4, "S3": 5}
DAYS = ("2026-09-01", "2026-09-02", "2026-10-01")
SESSIONS = (None, "a")
# Windows that cut between the days: the first day alone, from the second day, the term.
MEASURES = {
    "met_goal": {
        "assessment": "map_reading",
        "from_window": "fall-2026",
        "to_window": "spring-2027",
        "value": "met_target",
    },
    "first_day": {"usage": "minutes", "from": "2026-09-01", "to": "2026-09-01"},
    "later": {"usage": "lessons", "from": "2026-09-02", "to": "2027-05-15"},
    "sessions": {"usage": "sessions"},
    "minutes": {"usage": "minutes", "from": "2026-09-01", "to": "2027-05-15"},
}
WINDOWS = [
    SumWindow("usage", field, start, end)
    for field in ("minutes", "sessions", "lessons")
    for start, end in (
        (date(2026, 9, 1), date(2026, 9, 1)),
        (date(2026, 9, 2), date(2027, 5, 15)),
        (date(2026, 8, 1), date(2027, 7, 31)),
        (date(2026, 9, 1), date(2027, 5, 15)),
    )
]

Key = tuple[str, str, str | None]
Values = tuple[int, int | None, int | None]  # minutes, sessions (blank: 1), lessons
rows_strategy = st.dictionaries(
    st.tuples(st.sampled_from(STUDENTS), st.sampled_from(DAYS), st.sampled_from(SESSIONS)),
    st.tuples(
        st.integers(min_value=0, max_value=300),
        st.one_of(st.none(), st.integers(min_value=0, max_value=3)),
        st.one_of(st.none(), st.integers(min_value=0, max_value=5)),
    ),
    min_size=1,
    max_size=6,
)
operation = st.one_of(
    st.tuples(st.just("post"), rows_strategy),
    st.tuples(st.just("repeat"), st.integers(min_value=0, max_value=9)),
    st.tuples(st.just("replace"), st.integers(min_value=0, max_value=9), rows_strategy),
)


def as_csv(rows: dict[Key, Values]) -> bytes:
    lines = [
        f"{s},{d},{m},{'' if n is None else n},{'' if k is None else k},{t or ''}"
        for (s, d, t), (m, n, k) in rows.items()
    ]
    return (
        "\n".join(["student_id,date,minutes,sessions,lessons,session_id", *lines]) + "\n"
    ).encode()


def post_usage(client, world, key: str, rows: dict[Key, Values], replaces: str | None = None):  # type: ignore[no-untyped-def]
    return client.post(
        f"/v1/contracts/{key}/usage",
        content=as_csv(rows),
        params={"replaces": replaces} if replaces else None,
        headers={**world.headers["bright-tutors"], "Content-Type": "text/csv"},
    )


def without_zeros(series: Any) -> dict[str, int]:
    return {student: int(total) for student, total in series.items() if total != 0}


def kept_windows(session: Session, contract_id: int, windows: list[SumWindow]) -> dict[Any, Any]:
    """Each window that the registered spans tile → the ids of those spans."""
    tiled = repository.totals.kept_windows(
        session, contract_id, "usage", {(w.start, w.end) for w in windows}
    )
    return {w: tiled[(w.start, w.end)] for w in windows if (w.start, w.end) in tiled}


def assert_totals_equal_the_rows(session: Session, key: str) -> None:
    contract = session.execute(select(Contract).where(Contract.key == key)).scalar_one()
    ids = accepted_usage_ids(session, key)
    kept = kept_windows(session, contract.id, WINDOWS)
    assert kept.keys() == set(WINDOWS)  # every window read from spans, none from the rows
    from_totals = repository.kept_sums(session, "usage", kept)
    for current in (True, False):
        scanned = repository.scanned_sums(session, "usage", ids, WINDOWS, current=current)
        for window in WINDOWS:
            assert without_zeros(from_totals[window]) == without_zeros(scanned[window]), window


@settings(
    max_examples=30,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(operations=st.lists(operation, min_size=1, max_size=6))
def test_any_interleaving_keeps_the_totals_equal_to_summing_the_rows(
    client, world, rostered_contract, db_session, operations: list[Any]
):
    key = rostered_contract(GRADES, measures=MEASURES)
    posted: list[tuple[str, dict[Key, Values]]] = []  # every stored batch: id, rows
    for op in operations:
        if op[0] == "post":
            response = post_usage(client, world, key, op[1])
        elif op[0] == "repeat":
            if not posted:
                continue
            response = post_usage(client, world, key, posted[op[1] % len(posted)][1])
        else:
            if not posted:
                continue
            replaced, rows = posted[op[1] % len(posted)][0], op[2]
            response = post_usage(client, world, key, rows, replaces=replaced)
        assert response.status_code in (200, 201, 409), response.text
        if response.status_code == 201:
            posted.append((response.json()["id"], op[-1]))
        assert_totals_equal_the_rows(db_session, key)
        assert_an_evaluation_counts_what_reading_everything_counts(db_session, key)


def assert_an_evaluation_counts_what_reading_everything_counts(session: Session, key: str) -> None:
    """The evaluation after a batch, from the totals of the one before it moved by the
    batch's students (app/evaluation/kept_totals.py) or read in full, against the same one
    with nothing kept in the process."""
    contract = session.execute(select(Contract).where(Contract.key == key)).scalar_one()
    as_of = date(2027, 6, 30)
    after = service.evaluate_stored_contract(session, contract=contract, as_of=as_of)
    service.EVALUATIONS.clear()
    service.forget_inputs()
    again = service.evaluate_stored_contract(session, contract=contract, as_of=as_of)
    pd.testing.assert_frame_equal(after.result.students, again.result.students)


def test_windows_no_batch_has_seen_are_built_from_the_rows_and_read_from_the_rows_till_then(
    client, world, rostered_contract, db_session
):
    key = rostered_contract(GRADES, measures=MEASURES)
    first = {("S1", "2026-09-01", None): (30, None, 2), ("S2", "2026-09-02", "a"): (40, 2, None)}
    assert post_usage(client, world, key, first).status_code == 201
    evaluation = client.get(
        f"/v1/contracts/{key}/evaluation/students",
        params={"as_of": "2027-06-30"},
        headers=world.headers["ector-isd"],
    )
    assert evaluation.status_code == 200, evaluation.text
    assert "30" in evaluation.text and "40" in evaluation.text
    # As if the windows had never been registered (a contract the migration could not read):
    # the evaluation sums the rows, with the same numbers.
    contract_id = db_session.execute(select(Contract.id).where(Contract.key == key)).scalar_one()
    spans = select(sum_spans.c.id).where(sum_spans.c.contract_id == contract_id)
    db_session.execute(
        delete(TOTAL_TABLES["usage"]).where(TOTAL_TABLES["usage"].c.span_id.in_(spans))
    )
    db_session.execute(delete(sum_spans).where(sum_spans.c.contract_id == contract_id))
    db_session.commit()
    forget_inputs()  # else the same batches' inputs, read from the totals, are kept
    again = client.get(
        f"/v1/contracts/{key}/evaluation/students",
        params={"as_of": "2027-06-29"},  # another date: not answered from the cache
        headers=world.headers["ector-isd"],
    )
    assert again.status_code == 200, again.text
    assert again.text == evaluation.text
    # The next batch registers them and builds them from the rows already there.
    second = {("S1", "2026-09-01", None): (50, 1, None), ("S3", "2026-10-01", None): (20, None, 1)}
    assert post_usage(client, world, key, second).status_code == 201
    assert_totals_equal_the_rows(db_session, key)


OCTOBER = SumWindow("usage", "minutes", date(2026, 10, 1), date(2026, 10, 31))


def test_an_accepted_amendment_brings_its_new_windows_totals_with_it(
    client, world, definition, rostered_contract, db_session, monkeypatch
):
    key = rostered_contract(GRADES, measures=MEASURES)
    rows = {("S1", "2026-09-01", None): (30, None, 2), ("S2", "2026-10-01", "a"): (40, 2, None)}
    assert post_usage(client, world, key, rows).status_code == 201
    # A measure over a month no version summed before; then no batch at all.
    october = {"usage": "minutes", "from": "2026-10-01", "to": "2026-10-31"}
    amended = definition(key=key, measures={**MEASURES, "october": october})
    district, vendor = world.headers["ector-isd"], world.headers["bright-tutors"]
    assert client.put(f"/v1/contracts/{key}", json=amended, headers=district).is_success
    assert client.post(f"/v1/contracts/{key}/accept", headers=vendor).is_success

    contract = db_session.execute(select(Contract).where(Contract.key == key)).scalar_one()
    kept_spans = kept_windows(db_session, contract.id, [OCTOBER])
    assert OCTOBER in kept_spans  # its spans registered on acceptance, with no batch since
    kept = repository.kept_sums(db_session, "usage", kept_spans)[OCTOBER]
    ids = accepted_usage_ids(db_session, key)
    scanned = repository.scanned_sums(db_session, "usage", ids, [OCTOBER], current=True)[OCTOBER]
    assert without_zeros(kept) == without_zeros(scanned) == {"S2": 40_000}  # thousandths

    # The evaluation of the new version reads every usage sum from the totals: none scanned.
    scans: list[Any] = []
    real_scan = repository.scanned_sums

    def scan(*args: Any, **kwargs: Any) -> Any:
        scans.append(args)
        return real_scan(*args, **kwargs)

    monkeypatch.setattr(repository, "scanned_sums", scan)
    evaluation = client.get(
        f"/v1/contracts/{key}/evaluation/students",
        params={"as_of": "2027-07-31"},
        headers=district,
    )
    assert evaluation.status_code == 200, evaluation.text
    assert "october" in evaluation.text
    assert scans == []


def test_a_withdrawn_proposals_windows_are_not_kept_by_later_batches(
    client, world, definition, rostered_contract, db_session
):
    """A proposal replaced before acceptance never comes into force: its windows cost every
    later batch an update of totals that no evaluation reads."""
    key = rostered_contract(GRADES, measures=MEASURES)
    district = world.headers["ector-isd"]
    november = {"usage": "minutes", "from": "2026-11-01", "to": "2026-11-30"}
    december = {"usage": "minutes", "from": "2026-12-01", "to": "2026-12-31"}
    for extra in ({"november": november}, {"december": december}):
        amended = definition(key=key, measures={**MEASURES, **extra})
        assert client.put(f"/v1/contracts/{key}", json=amended, headers=district).is_success
    rows = {("S1", "2026-11-02", None): (30, None, 2), ("S2", "2026-12-01", None): (40, 1, None)}
    assert post_usage(client, world, key, rows).status_code == 201

    contract = db_session.execute(select(Contract).where(Contract.key == key)).scalar_one()
    kept = repository.totals.kept_windows(
        db_session,
        contract.id,
        "usage",
        [(date(2026, 12, 1), date(2026, 12, 31)), (date(2026, 11, 1), date(2026, 11, 30))],
    )
    assert (date(2026, 12, 1), date(2026, 12, 31)) in kept  # the proposal still open
    assert (date(2026, 11, 1), date(2026, 11, 30)) not in kept  # the withdrawn one
    assert_totals_equal_the_rows(db_session, key)


def test_a_day_in_three_windows_moves_one_totals_row(client, world, rostered_contract, db_session):
    """October 1st is in three of the contract's windows (from the second day, the term, the
    school year) and in one span: a batch moves one totals row for the student, not three."""
    key = rostered_contract(GRADES, measures=MEASURES)
    assert post_usage(client, world, key, {("S1", "2026-10-01", None): (30, None, 2)}).is_success
    totals = TOTAL_TABLES["usage"]
    rows = db_session.execute(
        select(sum_spans.c.first_day, sum_spans.c.last_day, totals.c.minutes)
        .join(totals, totals.c.span_id == sum_spans.c.id)
        .join(Contract, Contract.id == sum_spans.c.contract_id)
        .where(Contract.key == key, totals.c.student_id == "S1")
    ).all()
    assert rows == [(date(2026, 9, 2), date(2027, 5, 15), 30_000)]
    assert_totals_equal_the_rows(db_session, key)
