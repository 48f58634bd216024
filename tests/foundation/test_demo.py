"""`tranche demo` builds a database a newcomer can use straight away."""

from __future__ import annotations

from pathlib import Path

from fastapi.testclient import TestClient

from app import migrate
from app.config import Settings
from app.db import make_engine, make_session_factory
from app.demo import build_demo
from app.main import create_app

CONTRACT_FILES = sorted(Path(__file__).resolve().parents[2].joinpath("contracts").glob("*.yaml"))


def test_demo_database_has_keys_active_contracts_and_data_that_evaluates(tmp_path):
    settings = Settings(database_url=f"sqlite:///{tmp_path / 'demo.db'}")
    migrate.upgrade(settings.database_url)
    engine = make_engine(settings.database_url)
    with make_session_factory(engine)() as session:
        summary = build_demo(
            session, contract_files=CONTRACT_FILES, students=60, usage_per_student=5, seed=1
        )
    engine.dispose()
    assert {"ector-isd", "bright-tutors", "tx-state-audit"} <= set(summary.keys)
    assert set(summary.contracts) == {path.stem for path in CONTRACT_FILES}
    assert all(rows["roster"] == 60 and rows["usage"] > 0 for rows in summary.contracts.values())

    app = create_app(settings)
    with TestClient(app) as client:
        district = {"Authorization": f"Bearer {summary.keys['ector-isd']}"}
        listed = client.get("/v1/contracts", headers=district).json()
        assert listed and all(contract["status"] == "active" for contract in listed)
        evaluation = client.get(
            "/v1/contracts/ector-hdt-2026/evaluation",
            params={"as_of": "2027-07-31"},
            headers=district,
        )
        assert evaluation.status_code == 200, evaluation.text
        assert evaluation.json()["metrics"]["dosage_rate"]["denominator"] > 0
    app.state.engine.dispose()
