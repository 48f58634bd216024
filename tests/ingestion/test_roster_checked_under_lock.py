"""A usage or assessment batch is checked against the roster as it stands when the batch is
stored, not as it stood when parsing began (a roster correction can land in between)."""

from __future__ import annotations

import pytest

from app.ingestion import service
from app.ingestion.roster import Roster

ROSTER_WITHOUT_S2 = b"student_id,grade\n00123,3\nS3,5\n"


@pytest.fixture
def roster_reads(monkeypatch) -> list[tuple[int, ...]]:  # type: ignore[no-untyped-def]
    """The roster batches of every read of the roster's students from the database."""
    reads: list[tuple[int, ...]] = []
    real_read = service.repository.roster_student_ids

    def counting_read(session, batch_ids):  # type: ignore[no-untyped-def]
        reads.append(tuple(batch_ids))
        return real_read(session, batch_ids)

    monkeypatch.setattr(service.repository, "roster_student_ids", counting_read)
    return reads


def test_a_student_removed_from_the_roster_during_parsing_is_refused(
    roster_batch, post, stored, monkeypatch
):
    corrected = post("roster", ROSTER_WITHOUT_S2, params={"replaces": roster_batch["id"]})
    assert corrected.status_code == 201, corrected.text
    before = stored()

    real_roster = service.effective_roster
    # What a parse that began before the correction saw: the roster batch it superseded.
    views = iter([Roster((), {"00123", "S2", "S3"})])

    def stale_then_current(session, contract, known=None):  # type: ignore[no-untyped-def]
        return next(views, None) or real_roster(session, contract, known)

    monkeypatch.setattr(service, "effective_roster", stale_then_current)
    response = post("usage", b"student_id,date,minutes\nS2,2026-09-02,30\n")

    assert response.status_code == 422, response.text
    problem = response.json()["problems"][0]
    assert (problem["row"], problem["column"], problem["value"]) == (2, "student_id", "S2")
    assert stored() == before


def test_an_unchanged_roster_is_not_checked_twice(roster_batch, post, monkeypatch):
    parses = []
    real_parse = service.parse_upload

    def counting_parse(*args, **kwargs):  # type: ignore[no-untyped-def]
        parses.append(args[0])
        return real_parse(*args, **kwargs)

    monkeypatch.setattr(service, "parse_upload", counting_parse)
    response = post("usage", b"student_id,date,minutes\nS2,2026-09-02,30\n")
    assert response.status_code == 201, response.text
    assert parses == ["usage"]


def test_an_unchanged_roster_is_read_once(roster_batch, post, roster_reads):
    response = post("usage", b"student_id,date,minutes\nS2,2026-09-02,30\n")
    assert response.status_code == 201, response.text
    assert len(roster_reads) == 1


def test_the_roster_is_read_again_only_when_a_roster_batch_lands(roster_batch, post, roster_reads):
    """Kept in the process by its batches (app/ingestion/roster.py): at 1M students the read
    was most of the time to store a small batch."""
    assert post("usage", b"student_id,date,minutes\nS2,2026-09-02,30\n").status_code == 201
    assert post("usage", b"student_id,date,minutes\nS3,2026-09-02,30\n").status_code == 201
    refused = post("usage", b"student_id,date,minutes\nS9,2026-09-02,30\n")
    assert refused.status_code == 422, refused.text
    assert len(roster_reads) == 1
    assert post("roster", b"student_id,grade\nS9,4\n").status_code == 201
    assert post("usage", b"student_id,date,minutes\nS9,2026-09-02,30\n").status_code == 201
    assert len(roster_reads) == 2
