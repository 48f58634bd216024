"""An obligations file for `tranche evaluate --obligations` (SPEC §4): the records a party
would have posted (§3), as CSV with the columns ``obligation, party, status, recorded_at``
(and optionally ``note``) or as a JSON array of the same objects.

It is checked as the API checks a record, and nothing is guessed: an obligation the contract
does not declare, a party or status outside the vocabulary, a moment without its UTC offset
or a note longer than the API takes is a bad row; every bad row is listed and nothing is
evaluated. Rows of equal ``recorded_at`` are ordered by their place in the file (later wins).
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Collection, Mapping
from datetime import datetime
from typing import Any, Literal

from app.engine.obligations import ObligationRecord
from app.feeds.problems import FeedRejected, RowProblem
from app.obligations.models import MAX_NOTE

REQUIRED = ("obligation", "party", "status", "recorded_at")
OPTIONAL = ("note",)
PARTIES: dict[str, Literal["district", "vendor"]] = {"district": "district", "vendor": "vendor"}
STATUSES: dict[str, Literal["met", "missed"]] = {"met": "met", "missed": "missed"}


def parse_obligation_records(
    content: bytes, *, is_json: bool, obligations: Collection[str]
) -> tuple[ObligationRecord, ...]:
    """The file's records, in file order (``sequence`` = data row number); raises
    :class:`FeedRejected` listing every problem. An empty file or a header alone is no
    records."""
    if not content.strip():
        return ()
    rows, first_row = _rows_of_json(content) if is_json else _rows_of_csv(content)
    problems: list[RowProblem] = []
    columns = {name for row in rows for name in row} if is_json else set(_header(content))
    if not is_json:  # a JSON object missing a field is a bad row, below
        for missing in (name for name in REQUIRED if name not in columns):
            problems.append(RowProblem(None, missing, None, "required column is missing"))
    for unknown in sorted(columns - set(REQUIRED) - set(OPTIONAL)):
        problems.append(RowProblem(None, unknown, None, "unknown column"))
    if problems:
        raise _rejected(problems)
    records = []
    for offset, row in enumerate(rows):
        number = first_row + offset
        record = _record(row, number, obligations, problems)
        if record is not None:
            records.append(record)
    if problems:
        raise _rejected(problems)
    return tuple(records)


def _record(
    row: Mapping[str, Any], number: int, obligations: Collection[str], problems: list[RowProblem]
) -> ObligationRecord | None:
    found = len(problems)
    if None in row:  # csv.DictReader keeps cells beyond the header under None
        problems.append(RowProblem(number, None, None, "more cells than the header has columns"))
        return None
    values = {name: row.get(name) for name in (*REQUIRED, *OPTIONAL)}
    for name, value in values.items():
        if value is None and name in REQUIRED:
            problems.append(RowProblem(number, name, None, "required"))
        elif value is not None and not isinstance(value, str):
            problems.append(RowProblem(number, name, str(value), "must be text"))
    if len(problems) > found:
        return None
    obligation, party, status, moment, note = (values[name] or "" for name in (*REQUIRED, "note"))
    if obligation not in obligations:
        declared = ", ".join(sorted(obligations)) or "none"
        problems.append(
            RowProblem(
                number, "obligation", obligation, f"not an obligation of the contract ({declared})"
            )
        )
    if party not in PARTIES:
        problems.append(RowProblem(number, "party", party, "must be district or vendor"))
    if status not in STATUSES:
        problems.append(RowProblem(number, "status", status, "must be met or missed"))
    recorded_at = _moment(moment)
    if recorded_at is None:
        problems.append(
            RowProblem(
                number,
                "recorded_at",
                moment,
                "must be a date and time with its UTC offset, e.g. 2026-09-14T16:30:00Z",
            )
        )
    if len(note) > MAX_NOTE:
        problems.append(RowProblem(number, "note", None, f"longer than {MAX_NOTE} characters"))
    if len(problems) > found or recorded_at is None:
        return None
    return ObligationRecord(
        obligation=obligation,
        party=PARTIES[party],
        status=STATUSES[status],
        recorded_at=recorded_at,
        sequence=number,
    )


def _moment(text: str) -> datetime | None:
    try:
        moment = datetime.fromisoformat(text)
    except ValueError:
        return None
    # A moment without its offset (or a bare date) would be a guess at the recorder's zone.
    return moment if moment.tzinfo is not None else None


def _header(content: bytes) -> list[str]:
    text = _text(content)
    first = next(csv.reader(io.StringIO(text)), [])
    return [name.strip() for name in first]


def _rows_of_csv(content: bytes) -> tuple[list[dict[str, str]], int]:
    reader = csv.DictReader(io.StringIO(_text(content)))
    rows: list[dict[Any, Any]] = [
        {key if key is None else key.strip(): value for key, value in row.items()} for row in reader
    ]
    return rows, 2  # the header is line 1


def _rows_of_json(content: bytes) -> tuple[list[dict[str, Any]], int]:
    if not content.strip():
        return [], 1
    try:
        document = json.loads(_text(content))
    except ValueError as error:
        raise FeedRejected.single("obligations", f"not valid JSON ({error})") from None
    if not isinstance(document, list) or not all(isinstance(item, dict) for item in document):
        raise FeedRejected.single("obligations", "a JSON file must be an array of objects")
    return document, 1


def _text(content: bytes) -> str:
    try:
        return content.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise FeedRejected.single("obligations", "not UTF-8 text") from None


def _rejected(problems: list[RowProblem]) -> FeedRejected:
    return FeedRejected(f"obligations file refused: {len(problems)} problem(s).", problems)
