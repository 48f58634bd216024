"""Due lines never move when only a projection changes (SPEC §1 max_total, §3): `max_total`
is walked in due-date order, so a line already due and billed is never reduced by what a
line due later is projected to earn."""

from __future__ import annotations

import pytest

from tests.statements.conftest import ASSESSMENTS_CSV, ROSTER_CSV, USAGE_CSV, Feeds, amounts


@pytest.fixture
def capped(client, world, definition) -> Feeds:  # type: ignore[no-untyped-def]
    """The story contract with `max_total: 1200.00`, accepted, roster and usage posted."""
    created = client.post(
        "/v1/contracts", json=definition(max_total="1200.00"), headers=world.headers["ector-isd"]
    )
    assert created.status_code == 201, created.text
    accepted = client.post(
        "/v1/contracts/ector-hdt-2026/accept", headers=world.headers["bright-tutors"]
    )
    assert accepted.status_code == 200, accepted.text
    posted = Feeds(client=client, headers=world.headers, contract="ector-hdt-2026", ids={})
    posted.post("roster", ROSTER_CSV)
    posted.post("usage", USAGE_CSV)
    return posted


def test_a_projection_never_claws_back_a_line_already_billed(capped, desk):
    # As of 2026-12-01 only base (fixed 1000.00, due 2026-10-01) is due.
    first = desk.approve(desk.draft("2026-12-01")["id"])
    assert [(line["tranche"], line["due"]) for line in first["lines"]] == [("base", "1000.00")]
    # New scores lift growth's projection (due 2027-06-30) to 8 × 100.00 = 800.00, which with
    # base would pass max_total 1200.00. Base was due first: it keeps its 1000.00.
    capped.post("assessments", ASSESSMENTS_CSV)
    second = desk.draft("2026-12-15")
    assert [(line["tranche"], amounts(line)) for line in second["lines"]] == [
        ("base", ("1000.00", "0.00", "1000.00", "1000.00", "0.00"))
    ]
    assert second["total_due"] == "0.00"
    # When fidelity falls due (500.00 earned), only the 200.00 left under the cap is earned.
    third = desk.draft("2027-02-01")
    lines = {line["tranche"]: line for line in third["lines"]}
    assert lines["base"]["due"] == "0.00"
    assert lines["fidelity"]["earned"] == "200.00"
    assert "1,200.00" in lines["fidelity"]["explanation"]
