"""``renaissance-star``: a Renaissance Star Reading, Math or Early Literacy data export.

One row per test. The window is the screening period's name (``Fall 2026`` →
``fall-2026``); tests outside every screening period (progress monitoring) are not screening
results and are skipped. When a student tested more than once in one screening period,
Renaissance's screening reports use the last test taken in it: so does Tranche (by
``CompletedDateLocal``); the earlier ones are counted as skipped. Two tests completed at the
same moment are both refused (there is no last one).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from app.feeds.formats.conversions import export_datetime, slug
from app.feeds.formats.signatures import require
from app.feeds.formats.source import MappedRows, RowsBuilder, SourceTable
from app.feeds.problems import RowProblem

FORMAT = "renaissance-star"
PRODUCTS = {
    "star_reading": "reading",
    "reading": "reading",
    "sr": "reading",
    "star_math": "math",
    "math": "math",
    "sm": "math",
    "star_early_literacy": "early_literacy",
    "early_literacy": "early_literacy",
    "sel": "early_literacy",
}
NOT_SCREENING = "not taken in a screening period (no ScreeningPeriodWindowName)"
EARLIER = "an earlier test in the same screening period (Renaissance reports the last)"
DATE_HELP = "is not a date and time (M/D/YYYY h:mm or YYYY-MM-DD hh:mm, four-digit year)"
COLUMNS = ("student_id", "assessment", "window", "score", "growth_percentile", "test_date")


def product_of(text: str) -> str | None:
    """``Star Reading`` / ``Reading`` / ``SR`` → ``reading``; ``None`` if it names none."""
    return PRODUCTS.get(slug(text))


def file_product(file_name: str | None, subject: str | None) -> str | None:
    """The product the whole file is about: ``?subject=``, else named in its file name."""
    if subject:
        return product_of(subject) or slug(subject)
    name = slug(file_name or "")
    for words, product in (
        ("early_literacy", "early_literacy"),
        ("reading", "reading"),
        ("math", "math"),
    ):
        if words in name:
            return product
    return None


@dataclass
class _Test:
    line: int
    cells: dict[str, tuple[str, str, str]]
    problems: list[tuple[str, RowProblem]]
    key: tuple[str, str, str]
    moment: datetime | None


def map_star(
    source: SourceTable, *, file_name: str | None = None, subject: str | None = None
) -> MappedRows:
    student, score, period, completed = require(
        source,
        FORMAT,
        [
            ("StudentIdentifier", "StudentID"),
            "ScaledScore",
            "ScreeningPeriodWindowName",
            ("CompletedDateLocal", "CompletedDate"),
        ],
    )
    kind = source.find("AssessmentType")
    fall_spring = source.find("StudentGrowthPercentileFallSpring")
    fall_winter = source.find("StudentGrowthPercentileFallWinter")
    default_product = file_product(file_name, subject)
    text, name = source.texts, source.name

    rows = RowsBuilder("assessments", COLUMNS)
    tests: list[_Test] = []
    for position, line in enumerate(source.lines):
        written_period = text(period)[position]
        if not written_period.strip():
            rows.skip(NOT_SCREENING)
            continue
        window = slug(written_period, "-")
        cells: dict[str, tuple[str, str, str]] = {
            "student_id": (text(student)[position], name(student), text(student)[position]),
            "score": (text(score)[position], name(score), text(score)[position]),
            "window": (window, name(period), written_period),
        }
        problems: list[tuple[str, RowProblem]] = []
        written_kind = text(kind)[position] if kind is not None else ""
        product = product_of(written_kind) or default_product
        if product is None:
            shown = f"AssessmentType '{written_kind}' does not" if kind is not None else "nothing"
            problems.append(
                (
                    "assessment",
                    source.problem(
                        position,
                        kind,
                        f"{shown} name a Star product (Reading, Math, Early Literacy), and "
                        "neither ?subject= nor the file name does",
                    ),
                )
            )
        product_source = (
            name(kind) if kind is not None and product_of(written_kind) else "?subject="
        )
        cells["assessment"] = (f"star_{product}" if product else "", product_source, written_kind)

        written_date = text(completed)[position]
        moment = export_datetime(written_date)
        if moment is None:
            problems.append(("test_date", source.problem(position, completed, DATE_HELP)))
        cells["test_date"] = (
            moment.date().isoformat() if moment else "",
            name(completed),
            written_date,
        )
        season = "winter" if "winter" in window else "spring" if "spring" in window else None
        percentile = {"winter": fall_winter, "spring": fall_spring}.get(season or "")
        if percentile is not None:
            written = text(percentile)[position]
            cells["growth_percentile"] = (written, name(percentile), written)
        key = (text(student)[position], cells["assessment"][0], window)
        tests.append(_Test(line, cells, problems, key, moment))

    last: dict[tuple[str, str, str], datetime] = {}
    for test in tests:
        if test.moment is not None and not test.problems:
            last[test.key] = max(test.moment, last.get(test.key, test.moment))
    for test in tests:
        if test.moment is not None and not test.problems and test.moment < last[test.key]:
            rows.skip(EARLIER)
            continue
        for column, problem in test.problems:
            rows.refuse_cell(column, problem)
        rows.add(test.line, test.cells)

    present = {"student_id", "assessment", "window", "score", "test_date"}
    if fall_spring is not None or fall_winter is not None:
        present.add("growth_percentile")
    return rows.build(present, source.dropped(), source.problems)
