"""How the kept totals are stored on PostgreSQL: a batch on top of an earlier one moves them
in place (migration 20261202_totals_fillfactor), so a month of usage at state scale rewrites
no index entry per student and the table does not grow with every month."""

from __future__ import annotations

import pytest
from sqlalchemy import text
from sqlalchemy.orm import Session

STUDENTS = [f"S{number:04d}" for number in range(1500)]  # totals over several pages


def usage(day: str) -> bytes:
    rows = [f"{student},{day},45,1" for student in STUDENTS]
    return ("student_id,date,minutes,sessions\n" + "\n".join(rows) + "\n").encode()


def totals_updates(session: Session) -> tuple[int, int]:
    """(rows updated, of which in place) in usage_totals, in this test's transaction."""
    updated, in_place = session.execute(
        text(
            "SELECT pg_stat_get_xact_tuples_updated(oid), "
            "pg_stat_get_xact_tuples_hot_updated(oid) FROM pg_class WHERE relname = 'usage_totals'"
        )
    ).one()
    return int(updated), int(in_place)


def test_a_batch_on_top_moves_every_kept_total_in_place(  # type: ignore[no-untyped-def]
    db_session: Session, active_contract: str, post
) -> None:
    if db_session.get_bind().dialect.name != "postgresql":
        pytest.skip("an update in place (HOT) is PostgreSQL's")
    roster = "student_id,grade,school_id,ell\n" + "".join(f"{s},3,sch-1,\n" for s in STUDENTS)
    assert post("roster", roster.encode()).status_code == 201
    assert post("usage", usage("2026-09-02")).status_code == 201
    before = totals_updates(db_session)
    assert post("usage", usage("2026-09-03")).status_code == 201
    after = totals_updates(db_session)
    updated, in_place = after[0] - before[0], after[1] - before[1]
    assert updated >= len(STUDENTS)  # every student's totals moved, in each window
    assert in_place == updated
