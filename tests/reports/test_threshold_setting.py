"""The suppression threshold is a setting (TRANCHE_SMALL_GROUP_THRESHOLD)."""

from __future__ import annotations

import pytest

from app.config import Settings


@pytest.fixture
def settings(database_url: str) -> Settings:
    return Settings(database_url=database_url, small_group_threshold=4)


def test_a_lower_threshold_shows_groups_at_or_above_it(client, world, report_contract):
    body = client.get(
        f"/v1/contracts/{report_contract}/report",
        params={"as_of": "2027-06-30"},
        headers=world.headers["tx-state-audit"],
    ).json()["breakdowns"]
    assert body["threshold"] == 4
    hidden = {(r["dimension"], r["group"]) for r in body["rows"] if r["suppressed"]}
    # Only ell=true (3 students) is small; ell=false is hidden with it.
    assert hidden == {("ell", "true"), ("ell", "false")}
