"""The two SPEC v2 example contracts (issue #13), evaluated to amounts worked by hand, over
HTTP and offline with `tranche evaluate`, to the same JSON.

- ector-tutoring-2026: per-student tutoring with a regression penalty, students the district
  did not schedule excused, and a district scheduling obligation covering the attendance bonus.
- lakeview-mathgrowth-2026: a licence paid by a percent-of-typical-growth rate card, with
  tests outside their window or rushed ignored.
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from app.cli import cli
from app.engine import load_definition
from app.organisations.models import OrganisationKind

CONTRACTS = Path(__file__).resolve().parents[2] / "contracts"
FEEDS = {"roster": "district", "assessments": "district", "schedule": "district", "usage": "vendor"}
OBLIGATIONS_HEADER = "obligation,party,status,recorded_at,note\n"


def folder(key: str) -> Path:
    return CONTRACTS / "examples" / key


def offline(key: str, as_of: str, obligations: Path | None = None) -> dict[str, Any]:
    """What `tranche evaluate` prints for the example's own files."""
    files = [
        part
        for feed in FEEDS
        if (folder(key) / f"{feed}.csv").exists()
        for part in (f"--{feed}", str(folder(key) / f"{feed}.csv"))
    ]
    if obligations is None and (folder(key) / "obligations.csv").exists():
        obligations = folder(key) / "obligations.csv"
    if obligations is not None:
        files += ["--obligations", str(obligations)]
    result = CliRunner().invoke(
        cli, ["evaluate", str(CONTRACTS / f"{key}.yaml"), *files, "--as-of", as_of]
    )
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout)  # type: ignore[no-any-return]


def records_file(tmp_path: Path, *rows: str) -> Path:
    path = tmp_path / "obligations.csv"
    path.write_text(OBLIGATIONS_HEADER + "".join(f"{row}\n" for row in rows))
    return path


@pytest.fixture
def served(client, world) -> Callable[[str], Callable[[str], dict[str, Any]]]:  # type: ignore[no-untyped-def]
    """Load an example contract and its data through the API; returns its evaluation reader."""

    def serve(key: str) -> Callable[[str], dict[str, Any]]:
        definition = load_definition((CONTRACTS / f"{key}.yaml").read_bytes())
        parties = {"district": definition.district, "vendor": definition.vendor}
        for organisation, kind in (
            (definition.district, OrganisationKind.district),
            (definition.vendor, OrganisationKind.vendor),
        ):
            if organisation not in world.headers:
                world.add(organisation, kind)
        headers = {party: world.headers[org] for party, org in parties.items()}
        created = client.post(
            "/v1/contracts", json=definition.to_document(), headers=headers["district"]
        )
        assert created.status_code == 201, created.text
        accepted = client.post(f"/v1/contracts/{key}/accept", headers=headers["vendor"])
        assert accepted.status_code == 200, accepted.text
        for feed, party in FEEDS.items():
            path = folder(key) / f"{feed}.csv"
            if path.exists():
                posted = client.post(
                    f"/v1/contracts/{key}/{feed}",
                    content=path.read_bytes(),
                    headers={**headers[party], "Content-Type": "text/csv"},
                )
                assert posted.status_code == 201, (feed, posted.text)

        def evaluate(as_of: str) -> dict[str, Any]:
            response = client.get(
                f"/v1/contracts/{key}/evaluation",
                params={"as_of": as_of},
                headers=headers["district"],
            )
            assert response.status_code == 200, response.text
            return response.json()  # type: ignore[no-any-return]

        return evaluate

    return serve


def record(client, world, party_org: str, obligation: str, status: str) -> None:  # type: ignore[no-untyped-def]
    response = client.post(
        f"/v1/contracts/ector-tutoring-2026/obligations/{obligation}",
        json={"status": status, "note": "as recorded in the example"},
        headers=world.headers[party_org],
    )
    assert response.status_code == 201, response.text


def lines(document: dict[str, Any]) -> dict[str, tuple[str, str, str, str]]:
    return {
        line["key"]: (line["status"], line["earned"], line["held"], line["payable"])
        for line in document["tranches"]
    }


# --- ector-tutoring-2026 -------------------------------------------------------------------
#
# Population h01-h22 (grades 6-8); h23, h24 are grade 5. Sessions offered 2026-09-01 to
# 2027-05-15 (schedule.csv): h01-h18 6 + 6 = 12; h19 9 + 1 (a blank sessions_offered counts 1)
# = 10, exactly enough; h20 9; h21 0 (its 12 are on 2027-05-20); h22 no rows, 0.
# Excused (offered < 10): h20, h21, h22 → 3; the population base is 22 − 3 = 19.
# Sessions attended in the same window (usage.csv): h01-h13 10, h14 6, h15 8, h16 7, h17 2,
# h18 0 (its 3 are on 2027-05-20), h19 9 (h20 attended 12 but is excused).
# Eligible (attended ≥ 8, not excused): h01-h13, h15, h19 → 15.
# attendance_rate = 15 / 19 = 0.789474 < 0.80 → attendance not earned (obligation met).
# Growth fall → spring vs the fall growth_target, eligible students only:
#   h01 10 ≥ 8, h02 6 ≥ 6, h03 10 ≥ 7, h04 6 ≥ 5, h05 10 ≥ 9, h06 5 ≥ 4, h07 10 ≥ 10,
#   h15 10 ≥ 8, h19 7 ≥ 7 → 9 growers; h08 7 < 8, h09 −1, h10 −4, h11 −0.5, h12 0 do not;
#   h13 has no spring score.
# growth = 9 × $500.00 = $4,500.00 (cap $10,000.00); 10% held: $450.00, $4,050.00 payable.
# regressed (growth ≤ −1): h09 (−1), h10 (−4) → 2 (h11's −0.5 is not; h16's −5 and h20's
# −10 are not eligible) → −(2 × $250.00) = −$500.00, never held back.
# Due totals at 2027-06-30: earned 5,000 + 0 + 4,500 − 500 = 9,000.00; held 450.00;
# payable 8,550.00.
TUTORING_AS_OF = "2027-06-30"
TUTORING_MET = {
    "launch": ("earned", "5000.00", "0.00", "5000.00"),
    "attendance": ("not_earned", "0.00", "0.00", "0.00"),
    "growth": ("earned", "4500.00", "450.00", "4050.00"),
    "regression": ("deducted", "-500.00", "0.00", "-500.00"),
}


def test_tutoring_contract_to_hand_computed_amounts() -> None:
    document = offline("ector-tutoring-2026", TUTORING_AS_OF)
    assert document["population"] == {"students": 22, "excused": 3, "eligible": 15}
    assert document["obligations"] == {"scheduling": "met"}
    metrics = document["metrics"]
    assert (metrics["attendance_rate"]["numerator"], metrics["attendance_rate"]["denominator"]) == (
        15,
        19,
    )
    assert metrics["attendance_rate"]["value"] == "0.789474"
    assert (metrics["growers"]["numerator"], metrics["regressed"]["numerator"]) == (9, 2)
    assert lines(document) == TUTORING_MET
    assert document["totals"] == {
        "earned": "9000.00",
        "held": "450.00",
        "payable": "8550.00",
        "projected": "9000.00",
    }


def test_tutoring_missed_scheduling_pays_the_attendance_bonus_in_full(tmp_path: Path) -> None:
    # The district's own latest record says missed: attendance earns its full $4,000.00 from
    # the obligation's due date (2026-09-30) on; 10% held: $400.00.
    missed = records_file(
        tmp_path,
        "scheduling,district,met,2026-09-28T15:00:00Z,",
        "scheduling,district,missed,2026-10-20T09:00:00Z,Room 12 had no devices until December",
    )
    document = offline("ector-tutoring-2026", TUTORING_AS_OF, missed)
    assert document["obligations"] == {"scheduling": "missed"}
    assert lines(document)["attendance"] == ("earned", "4000.00", "400.00", "3600.00")
    assert "scheduling" in next(
        line["explanation"] for line in document["tranches"] if line["key"] == "attendance"
    )
    # 9,000 + 4,000 = 13,000.00 earned; 450 + 400 = 850.00 held; 12,150.00 payable.
    assert document["totals"]["payable"] == "12150.00"


def test_tutoring_vendor_contesting_the_obligation_holds_the_line_for_review(
    tmp_path: Path,
) -> None:
    # The district says met, the vendor says missed: disputed ⇒ attendance indeterminate.
    disputed = records_file(
        tmp_path,
        "scheduling,district,met,2026-09-28T15:00:00Z,",
        "scheduling,vendor,missed,2026-10-02T12:00:00Z,Half the rooms had no headsets",
    )
    document = offline("ector-tutoring-2026", TUTORING_AS_OF, disputed)
    assert document["obligations"] == {"scheduling": "disputed"}
    assert lines(document)["attendance"] == ("indeterminate", "0.00", "0.00", "0.00")


def test_tutoring_over_http_equals_tranche_evaluate(served, client, world) -> None:
    evaluate = served("ector-tutoring-2026")
    record(client, world, "ector-isd", "scheduling", "met")
    for as_of in ("2026-09-29", "2027-01-31", TUTORING_AS_OF, "2027-07-31"):
        assert evaluate(as_of) == offline("ector-tutoring-2026", as_of), as_of
    assert lines(evaluate(TUTORING_AS_OF)) == TUTORING_MET


def test_tutoring_over_http_a_missed_record_pays_in_full(served, client, world, tmp_path) -> None:
    evaluate = served("ector-tutoring-2026")
    record(client, world, "ector-isd", "scheduling", "met")
    record(client, world, "ector-isd", "scheduling", "missed")
    same = records_file(
        tmp_path,
        "scheduling,district,met,2026-09-28T15:00:00Z,",
        "scheduling,district,missed,2026-10-20T09:00:00Z,",
    )
    document = evaluate(TUTORING_AS_OF)
    assert document == offline("ector-tutoring-2026", TUTORING_AS_OF, same)
    assert lines(document)["attendance"] == ("earned", "4000.00", "400.00", "3600.00")


# --- lakeview-mathgrowth-2026 --------------------------------------------------------------
#
# Population g01-g28 (grades 3-5); g29, g30 are grade 6. Sessions 2026-09-01 to 2027-05-28:
# g01-g24 4 × 5 = 20; g25, g26 10; g27 5; g28 0 (its 5 are on 2027-06-07) → eligible g01-g24
# (24); active_share = 24 / 28 = 0.857143.
# Ignored assessment rows: outside their window — g21's fall test on 2026-10-12 (the window
# closed 2026-10-09), g19's spring test on 2027-06-02 (also rushed: counted once, here), g20's
# spring row without a test_date → 3; rapid guessing — g22's 0.35 and g23's 0.30 (at the
# limit) → 2. Winter rows have no agreed window and are kept; g24's blank rapid_guessing too.
# percent_of_typical = growth ÷ the fall row's typical_growth (20 for g01-g12, 16 after):
#   $300 (≥ 1.5): g01 40/20 = 2.0, g02 30/20 = 1.5, g11 35/20 = 1.75, g13 24/16 = 1.5,
#                 g17 30/16 = 1.875 → 5 × 300 = 1,500
#   $200 (≥ 1.0): g03 29.9/20 = 1.495, g04 20/20 = 1.0, g05 25/20 = 1.25, g12 22/20 = 1.1,
#                 g14 16/16 = 1.0, g24 20/16 = 1.25 → 6 × 200 = 1,200
#   $100 (≥ 0.5): g06 10/20 = 0.5, g10 15/20 = 0.75, g15 8/16 = 0.5, g16 12/16 = 0.75
#                 → 4 × 100 = 400
#   $0:           g07 9.9/20 = 0.495, g08 0, g09 −5/20 = −0.25, g18 4/16 = 0.25 → 4
#   no value:     g19-g23 (a needed row ignored) → coverage 19 / 24 = 0.791667 ≥ 0.75
# Sum 3,100.00 → capped at 3,000.00; 10% held (as_of before the term ends 2027-07-31):
# 300.00 held, 2,700.00 payable. Totals: 6,000 + 3,000 = 9,000.00 earned; 300.00 held.
LICENCE_AS_OF = "2027-06-30"
LICENCE_LINES = {
    "licence": ("earned", "6000.00", "0.00", "6000.00"),
    "per_student": ("earned", "3000.00", "300.00", "2700.00"),
}


def test_rate_card_licence_to_hand_computed_amounts() -> None:
    document = offline("lakeview-mathgrowth-2026", LICENCE_AS_OF)
    assert document["population"] == {"students": 28, "excused": 0, "eligible": 24}
    assert document["ignored_rows"] == {"outside_window": 3, "rapid_guessing": 2}
    assert document["metrics"]["active_share"]["value"] == "0.857143"
    assert lines(document) == LICENCE_LINES
    explanation = next(
        line["explanation"] for line in document["tranches"] if line["key"] == "per_student"
    )
    for count in ("5", "6", "4"):
        assert count in explanation
    assert document["totals"] == {
        "earned": "9000.00",
        "held": "300.00",
        "payable": "8700.00",
        "projected": "9000.00",
    }


def test_rate_card_licence_over_http_equals_tranche_evaluate(served) -> None:
    evaluate = served("lakeview-mathgrowth-2026")
    for as_of in ("2026-09-01", LICENCE_AS_OF, "2027-07-31"):
        assert evaluate(as_of) == offline("lakeview-mathgrowth-2026", as_of), as_of
    assert lines(evaluate(LICENCE_AS_OF)) == LICENCE_LINES


def students(client, world, key: str, org: str, as_of: str) -> dict[str, dict[str, str]]:  # type: ignore[no-untyped-def]
    response = client.get(
        f"/v1/contracts/{key}/evaluation/students",
        params={"as_of": as_of},
        headers=world.headers[org],
    )
    assert response.status_code == 200, response.text
    rows = list(csv.DictReader(io.StringIO(response.text)))
    return {row["student_id"]: row for row in rows}


def test_tutoring_student_export_shows_who_was_excused_and_who_regressed(
    served, client, world
) -> None:
    served("ector-tutoring-2026")
    rows = students(client, world, "ector-tutoring-2026", "ector-isd", TUTORING_AS_OF)
    assert len(rows) == 22  # the population, excused students included
    assert [sid for sid, row in rows.items() if row["excused"] == "true"] == ["h20", "h21", "h22"]
    # h20 attended 12 sessions and fell 10 points, but was excused: not eligible, not counted
    assert (rows["h20"]["eligible"], rows["h20"]["regressed.base"]) == ("false", "false")
    assert [sid for sid, row in rows.items() if row["regressed.met"] == "true"] == ["h09", "h10"]
    assert rows["h19"]["offered"] == "10"


def test_rate_card_student_export_shows_each_students_level(served, client, world) -> None:
    served("lakeview-mathgrowth-2026")
    rows = students(client, world, "lakeview-mathgrowth-2026", "lakeview-usd", LICENCE_AS_OF)
    levels = {sid: row["per_student.level"] for sid, row in rows.items()}
    assert (levels["g01"], levels["g03"], levels["g06"], levels["g07"]) == ("1.5", "1.0", "0.5", "")
    # g22's rushed spring test was ignored: no value, not counted on the rate card
    assert (rows["g22"]["pct_typ"], rows["g22"]["per_student.counted"]) == ("", "false")
    assert rows["g24"]["pct_typ"] == "1.25"
