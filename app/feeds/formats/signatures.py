"""What each export looks like, so a file posted under the wrong ``format`` is refused with
a message naming what was expected and what was found."""

from __future__ import annotations

from collections.abc import Sequence

from app.feeds.formats.source import SourceTable, header_key
from app.feeds.problems import FeedRejected

#: The columns that identify each export (all must be present), and what to call it.
SIGNATURES: tuple[tuple[str, str, tuple[str, ...]], ...] = (
    (
        "nwea-map-cdf",
        "an NWEA MAP Growth Comprehensive Data File (AssessmentResults.csv)",
        ("StudentID", "TermName", "TestRITScore"),
    ),
    (
        "renaissance-star",
        "a Renaissance Star data export",
        ("ScaledScore", "ScreeningPeriodWindowName"),
    ),
    (
        "iready-diagnostic",
        "an i-Ready Diagnostic Results export",
        ("Student ID", "Completion Date", "Overall Scale Score"),
    ),
    ("oneroster-1.2", "a OneRoster users.csv", ("sourcedId", "grades")),
    ("tutoring-sessions", "a tutoring session log", ("student_id", "session_date")),
    ("tranche", "Tranche's own assessments columns", ("student_id", "assessment", "window")),
    ("tranche", "Tranche's own roster columns", ("student_id", "grade")),
    ("tranche", "Tranche's own usage columns", ("student_id", "date", "minutes")),
    ("tranche", "Tranche's own schedule columns", ("student_id", "date", "sessions_offered")),
)
DESCRIPTIONS = {key: description for key, description, _ in SIGNATURES}


def recognise(headers: Sequence[str]) -> tuple[str, str] | None:
    """(format, description) of the first export whose identifying columns are all there."""
    keys = {header_key(name) for name in headers}
    for key, description, columns in SIGNATURES:
        if all(header_key(column) in keys for column in columns):
            return key, description
    return None


def wrong_format(
    feed: str, expected: str, missing: Sequence[str], headers: Sequence[str]
) -> FeedRejected:
    """The file is not the export ``expected``: say what is missing and what it looks like."""
    found = recognise(headers)
    if found is not None and found[0] != expected:
        what = f"this looks like {found[1]}"
        hint = (
            " (post it without ?format=)"
            if found[0] == "tranche"
            else f" (post it with ?format={found[0]})"
        )
    else:
        shown = ", ".join(headers[:8]) + (", …" if len(headers) > 8 else "")
        what, hint = f"the file's columns are {shown or 'none'}", ""
    return FeedRejected.single(
        feed,
        f"expected {DESCRIPTIONS.get(expected, expected)}, but the file has no "
        f"{', '.join(missing)} column, and {what}{hint}",
    )


def require(
    source: SourceTable,
    expected: str,
    names: Sequence[str | tuple[str, ...]],
    feed: str = "assessments",
) -> list[int]:
    """The positions of the required columns (a tuple: the first of these that exists); a
    file without them is the wrong format."""
    found: list[int] = []
    missing: list[str] = []
    for name in names:
        alternatives = (name,) if isinstance(name, str) else name
        index = source.find(*alternatives)
        if index is None:
            missing.append(" or ".join(alternatives))
        else:
            found.append(index)
    if missing:
        label = f"{source.file}: " if source.file else ""
        raise wrong_format(
            feed,
            expected,
            [label + column for column in missing],
            source.headers,
        )
    return found
