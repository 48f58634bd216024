"""A statement's lines, batches and approval checkpoint are read from the database once per
worker (app/statements/written_once.py); everything that can still move is read every time."""

from __future__ import annotations

from app.statements import written_once


def test_a_statement_read_again_shows_new_payments_disputes_and_status_with_the_same_lines(
    desk, feeds, monkeypatch
):
    reads: list[str] = []
    real = written_once._read_parts
    monkeypatch.setattr(
        written_once, "_read_parts", lambda session, sid: reads.append(sid) or real(session, sid)
    )
    draft = desk.draft("2027-02-01")
    url = f"/v1/statements/{draft['id']}"
    first = desk.call("GET", url, "ector-isd", 200)
    assert first["status"] == "draft" and first["audit_checkpoint"] is None
    desk.approve(draft["id"])
    desk.pay(draft["id"], "100.00")
    line = first["lines"][0]["tranche"]
    desk.call(
        "POST",
        f"{url}/disputes",
        "bright-tutors",
        201,
        json={"line": line, "reason": "The roster was wrong."},
    )
    again = desk.call("GET", url, "ector-isd", 200)
    assert again["status"] == "approved"
    assert again["audit_checkpoint"] is not None  # the suite signs: approvals are checkpointed
    assert [p["amount"] for p in again["payments"]] == ["100.00"]
    assert [x["disputed"] for x in again["lines"]] == [True] + [False] * (len(first["lines"]) - 1)
    strip = lambda lines: [{k: v for k, v in x.items() if k != "disputed"} for x in lines]  # noqa: E731
    assert strip(again["lines"]) == strip(first["lines"])
    assert again["batches"] == first["batches"]
    assert reads == [draft["id"]]  # the lines and batches were read once
