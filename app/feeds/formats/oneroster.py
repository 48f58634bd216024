"""``oneroster-1.2``: a OneRoster 1.2 CSV bulk file (a zip) from the student information system.

Students are the users whose role is ``student`` (the ``role`` column of ``users.csv`` where
the file has one, as OneRoster 1.1 did, else ``roles.csv``) and whose ``status`` is empty
(a bulk file) or ``active``; ``tobedeleted`` users are skipped. Their school is the org
named by ``primaryOrgSourcedId``, else the one school of their enrollments, else of their
``orgSourcedIds``; a student enrolled in several schools with no primary one is a bad row.
A student's ``grades`` must name one grade: ``KG`` (0) or ``01``–``12``.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from app.feeds.formats.archive import ArchiveLimits, read_members
from app.feeds.formats.signatures import require
from app.feeds.formats.source import (
    MappedRows,
    RowsBuilder,
    SourceTable,
    read_source,
    refuse,
)

FORMAT = "oneroster-1.2"
FEED = "roster"
FILES = frozenset(
    {"users.csv", "orgs.csv", "enrollments.csv", "demographics.csv", "roles.csv", "manifest.csv"}
)
FLAGS = {"ell": "ell", "sped": "sped", "econ_disadv": "econ_disadv"}
GRADES = {"KG": "0", **{f"{number:02d}": str(number) for number in range(1, 13)}}
INACTIVE = "status tobedeleted"
NOT_STUDENT = "not a student"
COLUMNS = ("student_id", "grade", "school_id", "ell", "sped", "econ_disadv")


Cell = tuple[str, str, str, int]


def map_oneroster(content: bytes, limits: ArchiveLimits) -> MappedRows:
    files = read_members(FEED, content, FILES, limits)
    if "users.csv" not in files:
        raise refuse(
            FEED, "expected a OneRoster bulk zip with users.csv, found no users.csv in the zip"
        )
    users = read_source(FEED, files["users.csv"], file="users.csv")
    others = {
        file: read_source(FEED, data, file=file)
        for file, data in files.items()
        if file not in ("users.csv", "manifest.csv") and data.strip()
    }
    sourced, grades = require(users, FORMAT, ["sourcedId", "grades"], feed=FEED)
    identifier = users.find("identifier")
    status = users.find("status")
    primary = users.find("primaryOrgSourcedId")
    user_orgs = users.find("orgSourcedIds")
    is_student = _students(users, others)
    orgs = _orgs(others)
    enrolled = _enrolled_schools(others)
    demographics = _demographics(others)

    text, name = users.texts, users.name
    rows = RowsBuilder(FEED, COLUMNS)
    for position, line in enumerate(users.lines):
        user = text(sourced)[position]
        if not is_student(position, user):
            rows.skip(NOT_STUDENT)
            continue
        state = text(status)[position].strip().lower() if status is not None else ""
        if state == "tobedeleted":
            rows.skip(INACTIVE)
            continue
        if state not in ("", "active"):
            rows.refuse_row(users.problem(position, status, "must be active, tobedeleted or empty"))
        written_id = text(identifier)[position] if identifier is not None else ""
        id_column = identifier if identifier is not None and written_id.strip() else sourced
        cells: dict[str, tuple[str, str, str] | Cell] = {
            "student_id": (text(id_column)[position], name(id_column), text(id_column)[position])
        }
        written_grades = text(grades)[position]
        listed = {value.strip() for value in written_grades.split(",") if value.strip()}
        grade = ""
        if len(listed) > 1:
            rows.refuse_cell(
                "grade",
                users.problem(
                    position, grades, "lists several grades; a student's record must name one"
                ),
            )
        elif listed and next(iter(listed)) not in GRADES:
            rows.refuse_cell(
                "grade",
                users.problem(
                    position, grades, "must be KG or 01 to 12 (other grades are not K-12)"
                ),
            )
        elif listed:
            grade = GRADES[next(iter(listed))]
        cells["grade"] = (grade, name(grades), written_grades)

        if primary is not None and text(primary)[position].strip():
            candidates, via = [text(primary)[position].strip()], primary
        elif user in enrolled:
            candidates, via = enrolled[user], None
        elif user_orgs is not None:
            candidates = [org.strip() for org in text(user_orgs)[position].split(",")]
            candidates, via = [org for org in candidates if org], user_orgs
        else:
            candidates, via = [], None
        school = _school(users, rows, position, candidates, via, orgs)
        if school is not None:
            cells["school_id"] = school
        cells.update(demographics.get(user, {}))
        rows.add(line, cells)

    present = {"student_id", "grade", "school_id"}
    present.update(column for flags in demographics.values() for column in flags)
    dropped = users.dropped() + [
        column for source in others.values() for column in source.dropped()
    ]
    return rows.build(present, dropped, users.problems)


def _students(users: SourceTable, others: dict[str, SourceTable]) -> Callable[[int, str], bool]:
    """Who is a student: the ``role`` column of users.csv (OneRoster 1.1, and 1.2 files that
    keep it), else the ``roles.csv`` of OneRoster 1.2."""
    role = users.find("role")
    if role is not None:
        roles = users.texts(role)
        return lambda position, _user: roles[position].strip().lower() == "student"
    if "roles.csv" in others:
        table = others["roles.csv"]
        user, kind = require(table, FORMAT, ["userSourcedId", "role"], feed=FEED)
        status = table.find("status")
        students = {
            table.texts(user)[position]
            for position in range(table.rows)
            if table.texts(kind)[position].strip().lower() == "student"
            and (status is None or table.texts(status)[position].strip().lower() != "tobedeleted")
        }
        return lambda _position, user_id: user_id in students
    raise refuse(
        FEED,
        "cannot tell the students: users.csv has no role column and the zip has no roles.csv",
    )


@dataclass(frozen=True)
class _Org:
    cell: Cell
    school: bool


def _orgs(others: dict[str, SourceTable]) -> dict[str, _Org]:
    if "orgs.csv" not in others:
        return {}
    table = others["orgs.csv"]
    (sourced,) = require(table, FORMAT, ["sourcedId"], feed=FEED)
    identifier = table.find("identifier")
    kind = table.find("type")
    orgs = {}
    for position, line in enumerate(table.lines):
        written = table.texts(identifier)[position] if identifier is not None else ""
        column = identifier if identifier is not None and written.strip() else sourced
        value = table.texts(column)[position]
        school = kind is None or table.texts(kind)[position].strip().lower() == "school"
        orgs[table.texts(sourced)[position]] = _Org(
            (value, table.name(column), value, line), school
        )
    return orgs


def _enrolled_schools(others: dict[str, SourceTable]) -> dict[str, list[str]]:
    """Each student's schools by their enrollments (as a student, not to be deleted)."""
    if "enrollments.csv" not in others:
        return {}
    table = others["enrollments.csv"]
    user, school = require(table, FORMAT, ["userSourcedId", "schoolSourcedId"], feed=FEED)
    role, status = table.find("role"), table.find("status")
    schools: dict[str, list[str]] = {}
    for position in range(table.rows):
        if role is not None and table.texts(role)[position].strip().lower() != "student":
            continue
        if status is not None and table.texts(status)[position].strip().lower() == "tobedeleted":
            continue
        listed = schools.setdefault(table.texts(user)[position], [])
        org = table.texts(school)[position].strip()
        if org and org not in listed:
            listed.append(org)
    return schools


def _school(
    users: SourceTable,
    rows: RowsBuilder,
    position: int,
    candidates: list[str],
    via: int | None,
    orgs: dict[str, _Org],
) -> Cell | None:
    unknown = [org for org in candidates if org not in orgs]
    if unknown:
        rows.refuse_cell(
            "school_id",
            users.problem(
                position, via, f"names org {', '.join(unknown)}, which orgs.csv does not list"
            ),
        )
        return None
    schools = [orgs[org] for org in candidates if orgs[org].school]
    if len(schools) > 1:
        rows.refuse_cell(
            "school_id",
            users.problem(
                position,
                via,
                f"the student is enrolled in several schools ({', '.join(candidates)}) and "
                "has no primaryOrgSourcedId",
            ),
        )
        return None
    return schools[0].cell if schools else None


def _demographics(others: dict[str, SourceTable]) -> dict[str, dict[str, Cell]]:
    """The roster flags, from demographics.csv columns named ``ell``, ``sped`` or
    ``econ_disadv`` (also as ``metadata.ell`` …, OneRoster's extension columns). OneRoster's
    own demographics (birth date, sex, race) are dropped."""
    if "demographics.csv" not in others:
        return {}
    table = others["demographics.csv"]
    (sourced,) = require(table, FORMAT, ["sourcedId"], feed=FEED)
    columns = {
        flag: index for flag in FLAGS if (index := table.find(flag, f"metadata.{flag}")) is not None
    }
    flags: dict[str, dict[str, Cell]] = {}
    for position, line in enumerate(table.lines):
        flags[table.texts(sourced)[position]] = {
            flag: (
                table.texts(index)[position],
                table.name(index),
                table.texts(index)[position],
                line,
            )
            for flag, index in columns.items()
        }
    return flags
