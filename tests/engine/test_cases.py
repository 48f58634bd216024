"""Worked examples as data: each tests/engine/cases/*.yaml gives a contract, the students'
data and the expected metrics, lines and totals (only the fields it lists are compared)."""

from __future__ import annotations

from datetime import date, datetime
from pathlib import Path
from typing import Any

import pytest

from app.engine import ObligationRecord, load_definition
from app.engine.loading import parse_yaml

from .builders import assessment_rows, document, evaluate, roster, schedule, scores, usage

CASES = sorted((Path(__file__).parent / "cases").glob("*.yaml"))


def subset(actual: dict[str, Any], expected: dict[str, Any]) -> dict[str, Any]:
    return {key: actual.get(key) for key in expected}


@pytest.mark.parametrize("path", CASES, ids=[path.stem for path in CASES])
def test_worked_example(path: Path) -> None:
    case = parse_yaml(path.read_bytes())
    contract = load_definition(document(**case["contract"]))
    students = case["roster"]
    frame = roster(
        [str(s["student_id"]) for s in students],
        grades=[int(s.get("grade", 4)) for s in students],
        schools=[str(s.get("school_id", "001")) for s in students],
    )
    rows = case.get("assessments", [])
    if rows and isinstance(rows[0], dict):
        assessments = assessment_rows(rows)
    else:
        assessments = scores(
            [(str(r[0]), r[1], r[2], str(r[3]), None if r[4] is None else str(r[4])) for r in rows]
        )
    usage_rows = [(str(r[0]), str(r[1]), str(r[2]), int(r[3])) for r in case.get("usage", [])]
    schedule_rows = [(str(r[0]), str(r[1]), int(r[2]), str(r[3])) for r in case.get("schedule", [])]
    records = [
        ObligationRecord(
            obligation=str(r["obligation"]),
            party=r["party"],
            status=r["status"],
            recorded_at=datetime.fromisoformat(str(r["recorded_at"])),
            sequence=int(r.get("sequence", index)),
        )
        for index, r in enumerate(case.get("obligation_records", []))
    ]
    result = evaluate(
        contract,
        frame,
        assessments,
        usage(usage_rows),
        date.fromisoformat(str(case["as_of"])),
        schedule_rows=schedule(schedule_rows),
        obligations=records,
    ).to_json()
    expected = case["expect"]
    for field in ("population", "ignored_rows", "obligations"):
        if field in expected:
            assert result[field] == expected[field], field
    for name, fields in expected.get("metrics", {}).items():
        assert subset(result["metrics"][name], fields) == fields, name
    lines = {line["key"]: line for line in result["tranches"]}
    for key, fields in expected.get("tranches", {}).items():
        explanation = fields.pop("explanation_contains", [])
        assert subset(lines[key], fields) == fields, key
        for words in explanation:
            assert words in lines[key]["explanation"], (key, lines[key]["explanation"])
    if "totals" in expected:
        assert result["totals"] == expected["totals"]
