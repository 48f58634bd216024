"""oneroster-1.2: a OneRoster 1.2 CSV bulk zip → roster rows (SPEC §2b)."""

from __future__ import annotations

import pytest

from app.feeds import FeedRejected, RowProblem
from app.feeds.formats import map_export, parse_export
from tests.feeds.formats.samples import MAP_FILE, ONEROSTER_FILES, ONEROSTER_ZIP, plain_csv, zip_of

USERS_HEADER = "sourcedId,status,givenName,identifier,grades,primaryOrgSourcedId,role"
ORGS = plain_csv(
    "sourcedId,name,type,identifier",
    "org-n,North,school,sch-1",
    "org-s,South,school,sch-2",
)


def test_active_students_map_to_roster_rows_with_school_and_flags():
    mapped = map_export("oneroster-1.2", "roster", ONEROSTER_ZIP)
    assert mapped.columns == {
        "student_id": ["S1", "S2", "u-4"],  # u-4 has no identifier: its sourcedId
        "grade": ["0", "3", "5"],  # KG is 0
        "school_id": ["sch-1", "sch-2", "sch-2"],  # u-2's primary org wins over enrollments
        "ell": ["true", "false", ""],
        "sped": ["false", "false", ""],
        "econ_disadv": ["true", "false", ""],
    }
    assert mapped.lines == [3, 4, 6]  # lines of users.csv
    assert mapped.skipped_rows == {"not a student": 1, "status tobedeleted": 1}


def test_names_birth_dates_and_demographics_are_dropped_and_listed():
    dropped = set(map_export("oneroster-1.2", "roster", ONEROSTER_ZIP).dropped_columns)
    assert {
        "users.csv: givenName",
        "users.csv: familyName",
        "users.csv: email",
        "demographics.csv: birthDate",
        "demographics.csv: sex",
        "demographics.csv: hispanicOrLatinoEthnicity",
    } <= dropped


def test_students_come_from_roles_csv_when_users_csv_has_no_role_column():
    content = zip_of(
        {
            "users.csv": plain_csv("sourcedId,identifier,grades", "u-1,S1,03", "u-2,T1,"),
            "roles.csv": plain_csv(
                "sourcedId,userSourcedId,roleType,role,orgSourcedId",
                "r1,u-1,primary,student,org-n",
                "r2,u-2,primary,teacher,org-n",
            ),
            "orgs.csv": ORGS,
        }
    )
    mapped = map_export("oneroster-1.2", "roster", content)
    assert mapped.columns["student_id"] == ["S1"]


def test_a_bad_file_lists_every_bad_row_by_its_file_line_and_column():
    content = zip_of(
        {
            "users.csv": plain_csv(
                USERS_HEADER,
                'u-1,,Jan,S1,"03,04",,student',
                "u-2,,Ann,S2,PK,,student",
                "u-3,,Al,S3,05,org-x,student",
                "u-4,,Bo,S4,05,,student",
                "u-5,,Cy,S1,06,,student",
                "u-6,gone,Di,S6,06,,student",
            ),
            "orgs.csv": ORGS,
            "enrollments.csv": plain_csv(
                "sourcedId,schoolSourcedId,userSourcedId,role",
                "e1,org-n,u-4,student",
                "e2,org-s,u-4,student",
            ),
            "demographics.csv": plain_csv("sourcedId,metadata.ell", "u-5,maybe"),
        }
    )
    with pytest.raises(FeedRejected) as refused:
        parse_export("oneroster-1.2", "roster", content)
    assert refused.value.problems == [
        RowProblem(
            2,
            "users.csv: grades",
            "03,04",
            "lists several grades; a student's record must name one",
        ),
        # Line 2 of demographics.csv: the flags of u-5.
        RowProblem(
            2,
            "demographics.csv: metadata.ell",
            "maybe",
            "must be true or false (also 1/0, yes/no) or empty",
        ),
        RowProblem(
            3, "users.csv: grades", "PK", "must be KG or 01 to 12 (other grades are not K-12)"
        ),
        RowProblem(
            4,
            "users.csv: primaryOrgSourcedId",
            "org-x",
            "names org org-x, which orgs.csv does not list",
        ),
        RowProblem(
            5,
            None,
            None,
            "the student is enrolled in several schools (org-n, org-s) and has no primaryOrgSourcedId",
        ),
        RowProblem(6, "users.csv: identifier", "S1", "duplicate of row 2 (same student_id)"),
        RowProblem(7, "users.csv: status", "gone", "must be active, tobedeleted or empty"),
    ]


def test_a_csv_posted_as_oneroster_is_refused_naming_what_it_is():
    with pytest.raises(FeedRejected) as refused:
        map_export("oneroster-1.2", "roster", MAP_FILE)
    assert refused.value.message == (
        "roster feed refused: expected a OneRoster 1.2 bulk zip, but found an NWEA MAP Growth "
        "Comprehensive Data File (AssessmentResults.csv) (a CSV file)."
    )


def test_a_zip_without_users_csv_is_refused():
    content = zip_of({"orgs.csv": ONEROSTER_FILES["orgs.csv"]})
    with pytest.raises(FeedRejected) as refused:
        map_export("oneroster-1.2", "roster", content)
    assert "found no users.csv in the zip" in refused.value.message
