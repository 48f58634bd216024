"""``tutoring-sessions``: a tutoring provider's session log (the fields of high-dosage
tutoring reporting: student, session date, session id, minutes, attendance).

As usage: ``minutes_present`` → minutes, and a session with ``attended`` false counts 0
minutes and 0 sessions whatever else the row says. As schedule: ``minutes_scheduled`` →
minutes_offered and every row is one session offered; attendance says nothing about what
was offered, so ``attended`` is dropped.
"""

from __future__ import annotations

from app.feeds.formats.conversions import US_DATE_HELP, export_date, flag
from app.feeds.formats.signatures import require
from app.feeds.formats.source import MappedRows, RowsBuilder, SourceTable

FORMAT = "tutoring-sessions"
USAGE_COLUMNS = ("student_id", "date", "minutes", "sessions", "session_id")
SCHEDULE_COLUMNS = ("student_id", "date", "sessions_offered", "minutes_offered", "session_id")


def map_tutoring(source: SourceTable, *, feed: str) -> MappedRows:
    usage = feed == "usage"
    student, session_date = require(source, FORMAT, ["student_id", "session_date"], feed=feed)
    session = source.find("session_id")
    minutes: int | None
    if usage:
        (minutes,) = require(source, FORMAT, ["minutes_present"], feed=feed)
        attended = source.find("attended")
    else:
        minutes = source.find("minutes_scheduled")
        attended = None
    text, name = source.texts, source.name
    minutes_column = "minutes" if usage else "minutes_offered"

    rows = RowsBuilder(feed, USAGE_COLUMNS if usage else SCHEDULE_COLUMNS)
    for position, line in enumerate(source.lines):
        cells: dict[str, tuple[str, str, str]] = {
            column: (text(index)[position], name(index), text(index)[position])
            for column, index in (
                ("student_id", student),
                ("session_id", session),
                (minutes_column, minutes),
            )
            if index is not None
        }
        written_date = text(session_date)[position]
        iso = export_date(written_date) if written_date.strip() else ""
        if iso is None:
            rows.refuse_cell("date", source.problem(position, session_date, US_DATE_HELP))
        cells["date"] = (iso or "", name(session_date), written_date)
        if attended is not None:
            written = text(attended)[position]
            present = flag(written) if written.strip() else True
            if present is None:
                rows.refuse_cell(
                    "minutes",
                    source.problem(position, attended, "must be true or false (or empty)"),
                )
            elif not present:
                cells["minutes"] = ("0", name(attended), written)
                cells["sessions"] = ("0", name(attended), written)
        rows.add(line, cells)

    present_columns = {"student_id", "date", minutes_column} - (
        {"minutes_offered"} if minutes is None else set()
    )
    if session is not None:
        present_columns.add("session_id")
    if attended is not None:
        present_columns.add("sessions")
    return rows.build(present_columns, source.dropped(), source.problems)
