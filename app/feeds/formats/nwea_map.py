"""``nwea-map-cdf``: NWEA MAP Growth's Comprehensive Data File, ``AssessmentResults.csv``.

One row per test event. NWEA marks, per student, subject and term, the one event that
counts for growth (``GrowthMeasureYN``: of several valid tests in the term's window, the one
with the lowest standard error); only those rows are read, the others are counted as
skipped. Two marked rows for one student, subject and term are refused as duplicates.
"""

from __future__ import annotations

import re

from app.feeds.formats.conversions import US_DATE_HELP, export_date, flag, percent_as_share, slug
from app.feeds.formats.signatures import require
from app.feeds.formats.source import MappedRows, RowsBuilder, SourceTable

FORMAT = "nwea-map-cdf"
SUBJECTS = {
    "mathematics": "map_math",
    "reading": "map_reading",
    "language_usage": "map_language",
    "science": "map_science",
}
_TERM = re.compile(r"^(fall|winter|spring)\s+(\d{4})\s*-\s*(\d{4})$", re.IGNORECASE)
SKIPPED = "GrowthMeasureYN is false: not the growth test event of its term"
COLUMNS = (
    "student_id",
    "assessment",
    "window",
    "score",
    "typical_growth",
    "growth_percentile",
    "standard_error",
    "rapid_guessing",
    "test_date",
)


def window_of_term(term_name: str) -> tuple[str, str] | None:
    """``Fall 2026-2027`` → (``fall``, ``fall-2026``); winter and spring take the second year."""
    match = _TERM.match(term_name.strip())
    if match is None or int(match[3]) != int(match[2]) + 1:
        return None
    season = match[1].lower()
    year = match[2] if season == "fall" else match[3]
    return season, f"{season}-{year}"


def map_nwea_map(source: SourceTable) -> MappedRows:
    feed = "assessments"
    student, term, score, growth_flag = require(
        source, FORMAT, ["StudentID", "TermName", "TestRITScore", "GrowthMeasureYN"]
    )
    (subject,) = require(source, FORMAT, [("Discipline", "MeasurementScale")])
    start = source.find("TestStartDate")
    error = source.find("TestStandardError")
    guessing = source.find("RapidGuessingPercentage")
    typical = source.find("TypicalFallToSpringGrowth")
    projected = source.find("FallToSpringProjectedGrowth")
    winter_cgp = source.find("FallToWinterConditionalGrowthPercentile")
    spring_cgp = source.find("FallToSpringConditionalGrowthPercentile")

    rows = RowsBuilder(feed, COLUMNS)
    text = source.texts
    name = source.name
    for position, line in enumerate(source.lines):
        counts = flag(text(growth_flag)[position])
        if counts is None:
            rows.refuse_row(source.problem(position, growth_flag, "must be TRUE or FALSE (or Y/N)"))
            continue
        if not counts:
            rows.skip(SKIPPED)
            continue
        cells: dict[str, tuple[str, str, str]] = {}
        for column, index in (("student_id", student), ("score", score), ("standard_error", error)):
            if index is not None:
                cells[column] = (text(index)[position], name(index), text(index)[position])

        written_subject = text(subject)[position]
        subject_slug = slug(written_subject)
        assessment = SUBJECTS.get(subject_slug, f"map_{subject_slug}" if subject_slug else "")
        cells["assessment"] = (assessment, name(subject), written_subject)

        written_term = text(term)[position]
        season_window = window_of_term(written_term)
        season = season_window[0] if season_window else None
        if season_window is None:
            rows.refuse_cell(
                "window",
                source.problem(
                    position,
                    term,
                    "must be a term such as 'Fall 2026-2027', 'Winter 2026-2027' or "
                    "'Spring 2026-2027'",
                ),
            )
        cells["window"] = (season_window[1] if season_window else "", name(term), written_term)

        if start is not None:
            written = text(start)[position]
            iso = export_date(written) if written.strip() else ""
            if iso is None:
                rows.refuse_cell("test_date", source.problem(position, start, US_DATE_HELP))
            cells["test_date"] = (iso or "", name(start), written)

        if guessing is not None:
            written = text(guessing)[position]
            share = percent_as_share(written)
            if share is None:
                rows.refuse_cell(
                    "rapid_guessing",
                    source.problem(position, guessing, "must be a percentage from 0 to 100"),
                )
            cells["rapid_guessing"] = (share or "", name(guessing), written)

        if season == "fall":
            typical_cell = _typical_growth(source, rows, position, typical, projected)
            if typical_cell is not None:
                cells["typical_growth"] = typical_cell
        percentile = {"winter": winter_cgp, "spring": spring_cgp}.get(season or "")
        if percentile is not None:
            written = text(percentile)[position]
            cells["growth_percentile"] = (written, name(percentile), written)
        rows.add(line, cells)

    present = {"student_id", "assessment", "window", "score"}
    optional = {
        "test_date": start,
        "standard_error": error,
        "rapid_guessing": guessing,
        "typical_growth": typical if typical is not None else projected,
        "growth_percentile": winter_cgp if winter_cgp is not None else spring_cgp,
    }
    present.update(column for column, index in optional.items() if index is not None)
    return rows.build(present, source.dropped(), source.problems)


def _typical_growth(
    source: SourceTable,
    rows: RowsBuilder,
    position: int,
    typical: int | None,
    projected: int | None,
) -> tuple[str, str, str] | None:
    """NWEA's typical fall-to-spring growth for the student's fall score. Newer files carry it
    as ``TypicalFallToSpringGrowth``, older ones as ``FallToSpringProjectedGrowth`` on the fall
    row; when both are filled they must agree (Tranche does not choose between them)."""
    filled = [
        index
        for index in (typical, projected)
        if index is not None and source.texts(index)[position].strip()
    ]
    if not filled:
        return None
    first = filled[0]
    value = source.texts(first)[position]
    if len(filled) == 2 and value.strip() != source.texts(filled[1])[position].strip():
        rows.refuse_cell(
            "typical_growth",
            source.problem(
                position,
                filled[1],
                f"differs from {source.name(first)} ({value}) on the same row; the two must agree",
            ),
        )
    return value, source.name(first), value
