"""``tutoring-sessions``: a tutoring provider's session log (the fields of high-dosage
tutoring reporting: student, session date, session id, minutes, attendance).

As usage: ``minutes_present`` → minutes, and a session with ``attended`` false counts 0
minutes and 0 sessions whatever else the row says. As schedule: ``minutes_scheduled`` →
minutes_offered and every row is one session offered; attendance says nothing about what
was offered, so ``attended`` is dropped.

Session logs are the large files (a row per session), so this mapping works a column at a
time: ISO dates pass through for the §2 date check, other cells are converted one by one.
"""

from __future__ import annotations

import pyarrow as pa
import pyarrow.compute as pc

from app.feeds.formats.conversions import FALSE_WORDS, TRUE_WORDS, US_DATE_HELP, export_date
from app.feeds.formats.signatures import require
from app.feeds.formats.source import MappedProblem, MappedRows, Origin, SourceTable

FORMAT = "tutoring-sessions"
ISO_DATE = r"^\d{4}-\d{2}-\d{2}$"


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
    problems: list[MappedProblem] = list(map(MappedProblem, source.problems))

    columns: dict[str, list[str]] = {"student_id": text(student)}
    origins: dict[str, Origin] = {"student_id": Origin(name(student))}
    columns["date"], origins["date"] = _dates(source, session_date, problems)
    if session is not None:
        columns["session_id"], origins["session_id"] = text(session), Origin(name(session))
    minutes_column = "minutes" if usage else "minutes_offered"
    if minutes is not None:
        columns[minutes_column], origins[minutes_column] = text(minutes), Origin(name(minutes))
    if attended is not None and minutes is not None:
        _attendance(source, attended, minutes, columns, origins, problems)
    return MappedRows(
        feed=feed,
        columns=columns,
        origins=origins,
        lines=source.lines,
        dropped_columns=source.dropped(),
        problems=problems,
    )


def _dates(
    source: SourceTable, index: int, problems: list[MappedProblem]
) -> tuple[list[str], Origin]:
    """ISO dates as they are (the §2 check refuses impossible ones); M/D/YYYY converted."""
    written = source.texts(index)
    iso = pc.match_substring_regex(pa.array(written, pa.string()), ISO_DATE)
    if pc.all(iso).as_py():
        return written, Origin(source.name(index))
    shaped = iso.to_pylist()
    dates = list(written)
    for position, value in enumerate(written):
        if shaped[position] or not value.strip():
            continue
        converted = export_date(value)
        if converted is None:
            problems.append(
                MappedProblem(source.problem(position, index, US_DATE_HELP), position, "date")
            )
        dates[position] = converted or ""
    return dates, Origin(source.name(index), values=written)


def _attendance(
    source: SourceTable,
    index: int,
    minutes: int,
    columns: dict[str, list[str]],
    origins: dict[str, Origin],
    problems: list[MappedProblem],
) -> None:
    """``attended`` false: the session counts 0 minutes and 0 sessions."""
    written = source.texts(index)
    words = [value.strip().lower() for value in written]
    missed = [position for position, word in enumerate(words) if word in FALSE_WORDS]
    for position, word in enumerate(words):
        if word and word not in TRUE_WORDS and word not in FALSE_WORDS:
            problem = source.problem(position, index, "must be true or false (or empty)")
            problems.append(MappedProblem(problem, position, "minutes"))
    rows = len(written)
    sessions = [""] * rows
    if not missed:
        columns["sessions"], origins["sessions"] = sessions, Origin(source.name(index))
        return
    minute_texts = list(columns["minutes"])
    minute_names = [source.name(minutes)] * rows
    minute_values = list(source.texts(minutes))
    for position in missed:
        minute_texts[position] = sessions[position] = "0"
        minute_names[position] = source.name(index)
        minute_values[position] = written[position]
    columns["minutes"] = minute_texts
    origins["minutes"] = Origin(minute_names, values=minute_values)
    columns["sessions"] = sessions
    origins["sessions"] = Origin(source.name(index), values=written)
