"""Every change to the ledger goes through the unit of work (app/unit_of_work.py): it appends
the audit entry and commits once. These tests make forgetting either impossible."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from app.audit.models import AuditEntry
from app.organisations.models import Organisation
from app.principal import OPERATOR
from app.unit_of_work import UnitOfWork, UnrecordedChange

APP = Path(__file__).resolve().parents[2] / "app"
ALLOWED = {APP / "unit_of_work.py"}


def _commit_calls(path: Path) -> list[int]:
    tree = ast.parse(path.read_text(), filename=str(path))
    return [
        node.lineno
        for node in ast.walk(tree)
        if isinstance(node, ast.Call)
        and isinstance(node.func, ast.Attribute)
        and node.func.attr == "commit"
        and not (isinstance(node.func.value, ast.Name) and node.func.value.id == "uow")
    ]


def test_no_module_commits_outside_the_unit_of_work() -> None:
    offenders = {
        str(path.relative_to(APP)): lines
        for path in APP.rglob("*.py")
        if path not in ALLOWED and (lines := _commit_calls(path))
    }
    assert offenders == {}, f"commit only through UnitOfWork: {offenders}"


def _entries(session: Session) -> int:
    return session.execute(select(func.count()).select_from(AuditEntry)).scalar_one()


def test_a_change_without_an_audit_entry_is_refused_and_rolled_back(
    db_session: Session,
) -> None:
    with pytest.raises(UnrecordedChange), UnitOfWork(db_session, actor=OPERATOR) as uow:
        db_session.add(Organisation(key="silent-isd", kind="district", name="Silent"))
        db_session.flush()
        uow.commit()
    assert db_session.execute(select(Organisation).filter_by(key="silent-isd")).first() is None


def test_a_recorded_change_commits_with_its_entry(db_session: Session) -> None:
    before = _entries(db_session)
    with UnitOfWork(db_session, actor=OPERATOR) as uow:
        db_session.add(Organisation(key="loud-isd", kind="district", name="Loud"))
        db_session.flush()
        uow.record(action="organisation.created", object_type="organisation", object_id="x")
        uow.commit()
    assert _entries(db_session) == before + 1
    assert db_session.execute(select(Organisation).filter_by(key="loud-isd")).first()


def test_leaving_the_block_without_commit_rolls_back(db_session: Session) -> None:
    before = _entries(db_session)
    with pytest.raises(ValueError), UnitOfWork(db_session, actor=OPERATOR) as uow:
        db_session.add(Organisation(key="halfway-isd", kind="district", name="Halfway"))
        db_session.flush()
        uow.record(action="organisation.created", object_type="organisation", object_id="y")
        raise ValueError("the use case failed after recording")
    assert _entries(db_session) == before
    assert db_session.execute(select(Organisation).filter_by(key="halfway-isd")).first() is None
