"""Small groups are suppressed for vendors and auditors, never for the district."""

from __future__ import annotations

import pytest

AS_OF = "2027-06-30"
SMALL = {("school", "south"), ("grade", "5"), ("ell", "true")}
# Where one group alone would be hidden, the next smallest goes too (ties by name).
PROTECTING = {("school", "east"), ("grade", "3"), ("ell", "false")}


def _breakdowns(client, headers, key, **params):  # type: ignore[no-untyped-def]
    response = client.get(
        f"/v1/contracts/{key}/report", params={"as_of": AS_OF, **params}, headers=headers
    )
    assert response.status_code == 200, response.text
    return response


@pytest.mark.parametrize("reader", ["bright-tutors", "tx-state-audit"])
def test_groups_under_ten_are_suppressed_for_vendor_and_auditor(
    client, world, report_contract, reader
):
    breakdowns = _breakdowns(client, world.headers[reader], report_contract).json()["breakdowns"]
    assert breakdowns["suppression_applies"] is True
    assert breakdowns["threshold"] == 10
    hidden = {(r["dimension"], r["group"]) for r in breakdowns["rows"] if r["suppressed"]}
    assert hidden == SMALL | PROTECTING
    for row in breakdowns["rows"]:
        if row["suppressed"]:
            assert (row["students"], row["eligible"], row["metrics"]) == (None, None, None)
    reasons = {(r["dimension"], r["group"]): r["suppression_reason"] for r in breakdowns["rows"]}
    assert {reasons[g] for g in SMALL} == {"small group"}
    assert {reasons[g] for g in PROTECTING} == {"protects a small group"}
    assert "fewer than 10 students" in breakdowns["note"]


def test_groups_of_ten_or_more_stay_visible_to_auditors(client, world, report_contract):
    breakdowns = _breakdowns(client, world.headers["tx-state-audit"], report_contract).json()[
        "breakdowns"
    ]
    rows = {(r["dimension"], r["group"]): r for r in breakdowns["rows"]}
    assert rows[("school", "north")]["students"] == 12
    assert rows[("grade", "4")]["metrics"]["growth_rate"]["numerator"] == 0
    assert rows[("econ_disadv", "false")]["students"] == 13


def test_district_sees_small_groups_and_is_told_others_do_not(client, world, report_contract):
    breakdowns = _breakdowns(client, world.headers["ector-isd"], report_contract).json()[
        "breakdowns"
    ]
    assert breakdowns["suppression_applies"] is False
    south = next(
        r for r in breakdowns["rows"] if (r["dimension"], r["group"]) == ("school", "south")
    )
    assert south["students"] == 4
    assert "Vendors and auditors see groups of fewer than 10" in breakdowns["note"]


def test_suppressed_figures_are_absent_from_the_vendor_csv(client, world, report_contract):
    text = _breakdowns(client, world.headers["bright-tutors"], report_contract, format="csv").text
    assert "breakdown,school=south,suppressed,true" in text
    assert "breakdown,school=south,students" not in text
    assert "breakdown,school=north,students,12" in text


def test_suppressed_figures_are_absent_from_the_auditor_html(client, world, report_contract):
    html = _breakdowns(client, world.headers["tx-state-audit"], report_contract, format="html").text
    assert "school: south" in html
    assert "suppressed: fewer than 10 students" in html
    assert "suppressed: protects a smaller suppressed group" in html
    assert "6 group(s) suppressed" in html


def test_one_small_group_takes_the_next_smallest_with_it():
    # Nothing small, nothing hidden; one small group hides one more; two small hide no more.
    from app.reports.breakdowns import suppressed_groups

    sizes = {("school", "north"): 12, ("school", "east"): 10, ("school", "south"): 4}
    assert suppressed_groups(sizes, 1) == set()
    assert suppressed_groups(sizes, 5) == {("school", "south"), ("school", "east")}
    assert suppressed_groups(sizes, 11) == {("school", "south"), ("school", "east")}
    assert suppressed_groups(sizes, 13) == set(sizes)
