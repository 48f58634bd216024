"""A small contract whose every report figure is worked out by hand below.

Population (grades 3-5): 26 students; x01, x02 are grade 2, on the roster but outside it.

| students   | school | grade | minutes | fall→spring growth (target 5 for all) |
|------------|--------|-------|---------|----------------------------------------|
| n01-n05    | north  | 3     | 1200    | 8 each  (met)                          |
| n06        | north  | 3     | 1200    | 2       (not met)                      |
| n07-n09    | north  | 4     | 1200    | 2 each  (not met)                      |
| n10        | north  | 4     | 1200    | no spring score (null)                 |
| n11        | north  | 4     | 600     | 7 (met, not eligible)                  |
| n12        | north  | 4     | 0       | 1 (not eligible, not served)           |
| e01-e04    | east   | 3     | 1200    | 6 each  (met)                          |
| e05        | east   | 3     | 1200    | 4       (not met)                      |
| e06-e08    | east   | 4     | 1200    | 4 each  (not met)                      |
| e09        | east   | 4     | 600     | 9 (met, not eligible)                  |
| e10        | east   | 4     | 600     | 3 (not eligible)                       |
| s01        | south  | 5     | 1200    | 10 (met)                               |
| s02        | south  | 5     | 1200    | no fall score (null)                   |
| s03        | south  | 5     | 0       | 0 (not served)                         |
| s04        | south  | 5     | 0       | 5 (met, not served)                    |

Groups: north 12, east 10, south 4; grade 3: 11 (n01-n06, e01-e05), grade 4: 11, grade 5: 4;
ell true: n01, e01, s01 (3); econ_disadv true: n01-n12 and e01 (13), false 13; sped all false.
Eligible (minutes ≥ 900): 20 of 26. Growth known for 18 eligible; 10 met (n01-05, e01-04, s01).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import pytest

from app import clock

NORTH = [f"n{i:02d}" for i in range(1, 13)]
EAST = [f"e{i:02d}" for i in range(1, 11)]
SOUTH = [f"s{i:02d}" for i in range(1, 5)]
GRADE = {
    **{s: 3 for s in NORTH[:6] + EAST[:5]},
    **{s: 4 for s in NORTH[6:] + EAST[5:]},
    **{s: 5 for s in SOUTH},
}
MINUTES = {
    **{s: 1200 for s in NORTH[:10] + EAST[:8] + SOUTH[:2]},
    **{s: 600 for s in ("n11", "e09", "e10")},
}
GROWTH = {
    **{s: 8 for s in NORTH[:5]},
    **{s: 2 for s in NORTH[5:9]},
    "n11": 7,
    "n12": 1,
    **{s: 6 for s in EAST[:4]},
    **{s: 4 for s in EAST[4:8]},
    "e09": 9,
    "e10": 3,
    "s01": 10,
    "s03": 0,
    "s04": 5,
}
ELL = {"n01", "e01", "s01"}
ECON = set(NORTH) | {"e01"}

REPORT_DEFINITION_CHANGES = {
    "measures": {
        "minutes": {"usage": "minutes", "from": "2026-09-01", "to": "2027-05-15"},
        "growth": {
            "assessment": "map_reading",
            "from_window": "fall-2026",
            "to_window": "spring-2027",
            "value": "growth",
        },
        "met_goal": {
            "assessment": "map_reading",
            "from_window": "fall-2026",
            "to_window": "spring-2027",
            "value": "met_target",
        },
    },
    "metrics": {
        "dosage_rate": {
            "share_of": "population",
            "where": [{"measure": "minutes", "at_least": 900}],
        },
        "growers": {"count_of": "eligible", "where": [{"measure": "met_goal", "is": True}]},
        "growth_rate": {"share_of": "eligible", "where": [{"measure": "met_goal", "is": True}]},
        "avg_growth": {"mean_of": "growth", "over": "eligible"},
    },
}


def roster_csv() -> str:
    lines = ["student_id,grade,school_id,ell,sped,econ_disadv"]
    for school, students in (("north", NORTH), ("east", EAST), ("south", SOUTH)):
        for s in students:
            lines.append(
                f"{s},{GRADE[s]},{school},{str(s in ELL).lower()},false,{str(s in ECON).lower()}"
            )
    lines += ["x01,2,north,false,false,false", "x02,2,north,false,false,false"]
    return "\n".join(lines) + "\n"


def assessments_csv() -> str:
    lines = ["student_id,assessment,window,score,growth_target"]
    for s in NORTH + EAST + SOUTH:
        if s != "s02":
            lines.append(f"{s},map_reading,fall-2026,200,5")
        if s in GROWTH:
            lines.append(f"{s},map_reading,spring-2027,{200 + GROWTH[s]},")
    lines.append("s02,map_reading,spring-2027,215,")  # no fall score: growth is null
    return "\n".join(lines) + "\n"


def usage_csv() -> str:
    lines = ["student_id,date,minutes,sessions"]
    for s, minutes in MINUTES.items():
        for day in range(minutes // 300):
            lines.append(f"{s},2026-10-{day + 1:02d},300,1")
    return "\n".join(lines) + "\n"


@dataclass
class ReportWorld:
    key: str
    statement_id: str


def _post_csv(client, path, body, headers):  # type: ignore[no-untyped-def]
    response = client.post(path, content=body, headers={**headers, "Content-Type": "text/csv"})
    assert response.status_code == 201, response.text
    return response.json()


@pytest.fixture(autouse=True)
def after_the_school_year(monkeypatch):  # type: ignore[no-untyped-def]
    """Today is 2027-12-31 for these reports, so payments of 2027 are not in the future."""
    monkeypatch.setattr(clock, "today", lambda: date(2027, 12, 31))


@pytest.fixture
def report_contract(client, world, definition) -> str:  # type: ignore[no-untyped-def]
    """The table above, posted through the ingestion endpoints to an accepted contract."""
    created = client.post(
        "/v1/contracts",
        json=definition(**REPORT_DEFINITION_CHANGES),
        headers=world.headers["ector-isd"],
    )
    assert created.status_code == 201, created.text
    accepted = client.post(
        "/v1/contracts/ector-hdt-2026/accept", headers=world.headers["bright-tutors"]
    )
    assert accepted.status_code == 200, accepted.text
    base = "/v1/contracts/ector-hdt-2026"
    _post_csv(client, f"{base}/roster", roster_csv(), world.headers["ector-isd"])
    _post_csv(client, f"{base}/assessments", assessments_csv(), world.headers["ector-isd"])
    _post_csv(client, f"{base}/usage", usage_csv(), world.headers["bright-tutors"])
    return "ector-hdt-2026"


@pytest.fixture
def paid_contract(client, world, report_contract) -> ReportWorld:  # type: ignore[no-untyped-def]
    """A statement as of 2027-06-30 (due 2350.00) approved and paid 1000.00 + 999.98, with one
    dispute opened by the vendor on the growth line."""
    district = world.headers["ector-isd"]
    drafted = client.post(
        f"/v1/contracts/{report_contract}/statements",
        json={"as_of": "2027-06-30"},
        headers=district,
    )
    assert drafted.status_code == 201, drafted.text
    statement = drafted.json()["id"]
    approved = client.post(
        f"/v1/statements/{statement}/approve", headers=world.headers["ector-isd:approver"]
    )
    assert approved.status_code == 200, approved.text
    for amount, day in (("1000.00", "2027-07-10"), ("999.98", "2027-08-15")):
        paid = client.post(
            f"/v1/statements/{statement}/payments",
            json={"amount": amount, "paid_on": day, "reference": f"check {day}"},
            headers=district,
        )
        assert paid.status_code == 201, paid.text
    disputed = client.post(
        f"/v1/statements/{statement}/disputes",
        json={"line": "growth", "reason": "Two growers are missing."},
        headers=world.headers["bright-tutors"],
    )
    assert disputed.status_code == 201, disputed.text
    return ReportWorld(key=report_contract, statement_id=statement)
