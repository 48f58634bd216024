"""``iready-diagnostic``: Curriculum Associates' i-Ready Diagnostic Results export.

The export has no window column: each diagnostic belongs to the contract's declared window
(``assessment_rules.windows``) whose dates contain its ``Completion Date``. A diagnostic in
no declared window, or in two overlapping ones, is a bad row; a contract that declares no
windows cannot take this format. The export lists every completed diagnostic: two in one
window for one student are refused as duplicates (Tranche does not choose which counts).
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date

from app.feeds.formats.conversions import US_DATE_HELP, export_date, slug
from app.feeds.formats.signatures import require
from app.feeds.formats.source import MappedRows, RowsBuilder, SourceTable, refuse

FORMAT = "iready-diagnostic"
RUSHED = ("red", "yellow")
NOT_RUSHED = ("", "green", "none", "no")
COLUMNS = (
    "student_id",
    "assessment",
    "window",
    "score",
    "typical_growth",
    "rapid_guessing",
    "test_date",
)

Windows = Mapping[str, tuple[date, date]]


def windows_containing(day: date, windows: Windows) -> list[str]:
    return [name for name, (start, end) in windows.items() if start <= day <= end]


def map_iready(
    source: SourceTable, *, windows: Windows | None, subject: str | None = None
) -> MappedRows:
    feed = "assessments"
    if not windows:
        raise refuse(
            feed,
            "i-Ready diagnostics are placed in windows by their Completion Date, and this "
            "contract declares no assessment_rules.windows; declare them, or post the "
            "Tranche columns with an explicit window",
        )
    student, completed, score = require(
        source, FORMAT, ["Student ID", "Completion Date", "Overall Scale Score"]
    )
    subject_column = source.find("Subject")
    typical = source.find("Annual Typical Growth Measure")
    rush = source.find("Rush Flag")
    if subject_column is None and not subject:
        raise refuse(
            feed,
            "the i-Ready export has no Subject column: say which subject it is with "
            "?subject=reading or ?subject=math",
        )
    text, name = source.texts, source.name
    declared = ", ".join(f"{key} ({start} to {end})" for key, (start, end) in windows.items())

    rows = RowsBuilder(feed, COLUMNS)
    for position, line in enumerate(source.lines):
        cells: dict[str, tuple[str, str, str]] = {
            column: (text(index)[position], name(index), text(index)[position])
            for column, index in (
                ("student_id", student),
                ("score", score),
                ("typical_growth", typical),
            )
            if index is not None
        }
        written_subject = text(subject_column)[position] if subject_column is not None else ""
        chosen = slug(written_subject) or slug(subject or "")
        if written_subject.strip() and subject and slug(subject) != chosen:
            rows.refuse_cell(
                "assessment",
                source.problem(
                    position, subject_column, f"differs from ?subject={subject} of the request"
                ),
            )
        elif not chosen:
            rows.refuse_cell(
                "assessment",
                source.problem(position, subject_column, "the subject is empty; give ?subject="),
            )
        cells["assessment"] = (
            f"iready_{chosen}" if chosen else "",
            name(subject_column)
            if written_subject.strip() and subject_column is not None
            else "?subject=",
            written_subject or (subject or ""),
        )

        written_date = text(completed)[position]
        iso = export_date(written_date)
        window = ""
        if iso is None:
            rows.refuse_cell(
                "test_date", source.problem(position, completed, US_DATE_HELP), also=("window",)
            )
        else:
            found = windows_containing(date.fromisoformat(iso), windows)
            if len(found) == 1:
                window = found[0]
            else:
                reason = (
                    f"is in no window the contract declares ({declared})"
                    if not found
                    else f"is in several of the contract's windows ({', '.join(found)}); "
                    "windows must not overlap"
                )
                rows.refuse_cell("window", source.problem(position, completed, reason))
        cells["test_date"] = (iso or "", name(completed), written_date)
        cells["window"] = (window, name(completed), written_date)

        if rush is not None:
            written = text(rush)[position]
            word = written.strip().lower()
            if word in RUSHED:
                cells["rapid_guessing"] = ("1", name(rush), written)
            elif word not in NOT_RUSHED:
                rows.refuse_cell(
                    "rapid_guessing",
                    source.problem(position, rush, "must be red, yellow, green or empty"),
                )
        rows.add(line, cells)

    present = {"student_id", "assessment", "window", "score", "test_date"}
    if typical is not None:
        present.add("typical_growth")
    if rush is not None:
        present.add("rapid_guessing")
    return rows.build(present, source.dropped(), source.problems)
