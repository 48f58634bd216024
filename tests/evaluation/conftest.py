"""A small, hand-made data set for the contract of `tests/conftest.py` (grades 3-5, minutes
from 2026-09-01 to 2027-05-15, map_reading fall-2026 → spring-2027), and a way to evaluate
the same files offline with `tranche evaluate`."""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from app.cli import cli
from app.contracts.repository import contract_by_key
from app.evaluation import service

ROSTER = (
    "student_id,grade,school_id,ell,sped,econ_disadv\n"
    "s01,3,north,true,false,true\n"
    "s02,3,north,false,false,false\n"
    "s03,4,north,false,true,true\n"
    "s04,4,south,,,\n"
    "s05,5,south,false,false,true\n"
    "s06,5,south,true,false,false\n"
    "s07,K,south,false,false,false\n"
    "s08,3,north,false,false,true\n"
)
ASSESSMENTS = (
    "student_id,assessment,window,score,growth_target,test_date\n"
    "s01,map_reading,fall-2026,180,8,2026-09-20\n"
    "s01,map_reading,spring-2027,191,,2027-04-20\n"
    "s02,map_reading,fall-2026,175.5,6,2026-09-20\n"
    "s02,map_reading,spring-2027,180,,2027-04-20\n"
    "s03,map_reading,fall-2026,190,5,2026-09-21\n"
    "s03,map_reading,spring-2027,195,,2027-04-21\n"
    "s04,map_reading,fall-2026,170,7,2026-09-21\n"
    "s05,map_reading,fall-2026,200,4,2026-09-22\n"
    "s05,map_reading,spring-2027,210,,2027-04-22\n"
    "s06,map_reading,spring-2027,188,,2027-04-22\n"
    "s08,map_reading,fall-2026,160,10,2026-09-22\n"
    "s08,map_reading,spring-2027,171,,2027-04-22\n"
)


def usage_csv(minutes_by_student: dict[str, list[tuple[str, str]]]) -> str:
    lines = ["student_id,date,minutes,sessions"]
    for student, entries in minutes_by_student.items():
        lines += [f"{student},{day},{minutes},1" for day, minutes in entries]
    return "\n".join(lines) + "\n"


# s01..s03 pass 900 minutes inside the window; s04 only with rows outside it (August and
# late May do not count); s05 reaches exactly 900; s06, s08 fall short.
USAGE = usage_csv(
    {
        "s01": [("2026-09-02", "500"), ("2026-10-02", "450.5")],
        "s02": [("2026-09-03", "900")],
        "s03": [("2026-11-03", "600"), ("2027-05-15", "300")],
        "s04": [("2026-08-15", "600"), ("2027-05-16", "600"), ("2026-12-01", "100")],
        "s05": [("2026-09-05", "450"), ("2026-09-06", "450")],
        "s06": [("2026-09-05", "899.999")],
        "s08": [("2026-09-05", "30")],
        "s07": [("2026-09-05", "1000")],
    }
)


@pytest.fixture
def post_feed(client, world) -> Callable[..., Any]:  # type: ignore[no-untyped-def]
    posters = {"roster": "ector-isd", "assessments": "ector-isd", "usage": "bright-tutors"}

    def send(feed: str, text: str, **params: str) -> dict[str, Any]:
        response = client.post(
            f"/v1/contracts/ector-hdt-2026/{feed}",
            content=text.encode(),
            params=params,
            headers={**world.headers[posters[feed]], "Content-Type": "text/csv"},
        )
        assert response.status_code == 201, response.text
        return response.json()  # type: ignore[no-any-return]

    return send


@pytest.fixture
def loaded(active_contract, post_feed) -> dict[str, dict[str, Any]]:  # type: ignore[no-untyped-def]
    """The data set posted to the active contract; the batches by feed."""
    return {
        "roster": post_feed("roster", ROSTER),
        "assessments": post_feed("assessments", ASSESSMENTS),
        "usage": post_feed("usage", USAGE),
    }


@pytest.fixture
def offline(tmp_path: Path, definition) -> Callable[..., dict[str, Any]]:  # type: ignore[no-untyped-def]
    """What `tranche evaluate` prints for the contract and the given feed texts."""

    def run(*, roster: str, assessments: str, usage: str, as_of: str) -> dict[str, Any]:
        contract = tmp_path / "contract.json"
        contract.write_text(json.dumps(definition()))
        files = {"roster": roster, "assessments": assessments, "usage": usage}
        for name, text in files.items():
            (tmp_path / f"{name}.csv").write_text(text)
        result = CliRunner().invoke(
            cli,
            [
                "evaluate",
                str(contract),
                *[arg for name in files for arg in (f"--{name}", str(tmp_path / f"{name}.csv"))],
                "--as-of",
                as_of,
            ],
        )
        assert result.exit_code == 0, result.output
        return json.loads(result.stdout)  # type: ignore[no-any-return]

    return run


@pytest.fixture
def stored(db_session) -> Callable[..., service.StoredEvaluation]:  # type: ignore[no-untyped-def]
    """stored(as_of, batch_ids): the active contract evaluated on its stored data, through
    the service's caches as a served request is."""

    def evaluate(as_of: date = date(2027, 6, 30), batch_ids=None):  # type: ignore[no-untyped-def]
        contract = contract_by_key(db_session, "ector-hdt-2026")
        return service.evaluate_stored_contract(
            db_session, contract=contract, as_of=as_of, batch_ids=batch_ids
        )

    return evaluate
