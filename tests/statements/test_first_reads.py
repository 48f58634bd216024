"""A first read (after any change to the ledger, or with the read cache off) costs a round
trip and the ORM's per-query overhead for each query it makes (issue #17, goal 4)."""

from __future__ import annotations

import pytest

from app.config import Settings
from app.read_cache.ledger import SNAPSHOT
from tests.statements_run import statements_run


@pytest.fixture
def settings(settings: Settings) -> Settings:
    return settings.model_copy(update={"read_cache_bytes": 0})  # every read a first read


def test_a_statement_read_costs_one_query_however_many_payments_and_disputes(
    desk, feeds, db_session
):
    """What can move (status, payments, disputes) comes in one query; the lines and batches
    never change and are read once per worker (app/statements/written_once.py)."""
    draft = desk.draft("2027-02-01")
    desk.approve(draft["id"])
    url = f"/v1/statements/{draft['id']}"
    desk.call("GET", url, "ector-isd", 200)  # the lines and batches, read once per worker
    tranches = [line["tranche"] for line in desk.call("GET", url, "ector-isd", 200)["lines"]]

    def queries_for_read() -> int:
        db_session.expire_all()  # as a request's own session would: nothing loaded yet
        seen.clear()
        desk.call("GET", url, "ector-isd", 200)
        # Besides the ledger snapshot admission reads (one shared by the requests waiting).
        return len([statement for statement in seen if statement != SNAPSHOT])

    with statements_run() as seen:
        bare = queries_for_read()
        for number, tranche in enumerate(tranches[:2]):
            desk.pay(draft["id"], "10.00", reference=f"CHK-{number}")
            body = {"line": tranche, "reason": "The roster was wrong."}
            desk.call("POST", f"{url}/disputes", "bright-tutors", 201, json=body)
        busy = queries_for_read()
    shown = desk.call("GET", url, "ector-isd", 200)
    assert len(shown["payments"]) == 2 and len(shown["disputes"]) == 2
    assert [d["line"] for d in shown["disputes"]] == tranches[:2]
    assert bare == busy == 1
