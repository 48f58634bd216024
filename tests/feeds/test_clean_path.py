"""The fast path for clean CSV batches (``app.feeds.clean``) answers exactly as the text path.

A clean batch is read block by block with each distinct cell checked once; anything the text
path might report sends the batch back to the text path. So for any file, ``parse_feed``
gives the same frame, or the same problems, with or without the fast path — including a
bad cell far into a file of many blocks.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path
from unittest.mock import patch

import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import app.feeds.clean as clean_module
import app.feeds.parse as parse_module
from app.engine.feed_schema import FEED_SCHEMAS
from app.feeds import FeedRejected, parse_feed
from app.feeds.clean import read_clean_bytes, read_clean_file
from tests.feeds.support import csv_bytes

ROSTER = frozenset({"S1", "S2", "S3", "S4"})
TERM = {"term_start": date(2026, 8, 1), "term_end": date(2027, 7, 31)}

# Cells by kind: mostly usable, some refused for every reason the checks know, and some with
# a line end inside (quoted, a value the text path reads; a block may be cut right there).
CELLS = {
    "student_id": ["S1", "S2", "S3", "S4"] * 4 + ["S9", "", " S1", "S1 "],
    "identifier": ["a", "b", "map", "fall"] * 3 + ["", " a", "x\ty", "z" * 65, "a\nb"],
    "grade": ["K", "3", "12", "0", "k", " 5 "] * 2 + ["13", "-1", "2.5", "x", "", "4\n"],
    "flag": ["true", "false", "1", "0", "yes", "No", ""] * 2 + ["maybe", "2", "true\r\n"],
    "quantity": ["0", "15.5", "30.125", "200", "1", "0.5"] * 3
    + ["1.2345", "-3", "abc", "nan", "", " 7 ", "1441", "99999999999999", "7\n"],
    "count": ["0", "1", "2", "50", "3.0"] * 3 + ["", "-1", "1.5", "x", "100"],
    "date": ["2026-09-01", "2026-09-02", "2026-10-15", "2027-01-04"] * 3
    + [" 2026-09-03", "2026-02-30", "2026/09/01", "", "2030-01-01", "2025-01-01"],
}


def cells_for(feed: str, name: str) -> list[str]:
    column = FEED_SCHEMAS[feed].column(name)  # type: ignore[index]
    return CELLS["student_id"] if name == "student_id" else CELLS[column.kind]


@st.composite
def feed_files(draw: st.DrawFn, feed: str) -> bytes:
    schema = FEED_SCHEMAS[feed]  # type: ignore[index]
    optional = [name for name in schema.names if name not in schema.required]
    names = list(schema.required) + draw(st.lists(st.sampled_from(optional), unique=True))
    names = draw(st.permutations(names))
    rows = draw(
        st.lists(
            st.tuples(*(st.sampled_from(cells_for(feed, name)) for name in names)),
            min_size=1,
            max_size=12,
        )
    )
    quote = draw(st.booleans())
    # Spreadsheets and pandas' QUOTE_ALL quote the header too.
    header = ",".join(f'"{name}"' if quote and draw(st.booleans()) else name for name in names)
    lines = [header] + [
        ",".join(f'"{cell}"' if quote and "\t" not in cell else cell for cell in row)
        for row in rows
    ]
    ending = draw(st.sampled_from(["\n", "\r\n"]))
    body = ending.join(lines) + draw(st.sampled_from(["", ending, ending * 2]))
    prefix = "\ufeff" if draw(st.booleans()) else ""
    return (prefix + body).encode()


def outcome(feed: str, content: bytes, *, fast: bool) -> tuple[object, ...]:
    reader = read_clean_bytes if fast else (lambda *args, **kwargs: None)
    with patch.object(parse_module, "read_clean_bytes", reader):
        try:
            parsed = parse_feed(
                feed,  # type: ignore[arg-type]
                content,
                roster_ids=None if feed == "roster" else ROSTER,
                **TERM,  # type: ignore[arg-type]
            )
        except FeedRejected as refused:
            return ("refused", refused.message, refused.problems, refused.total)
    return ("parsed", parsed.frame, parsed.columns, parsed.rows, parsed.lines.tolist())


def assert_same(fast: tuple[object, ...], text: tuple[object, ...]) -> None:
    assert fast[0] == text[0], (fast, text)
    if fast[0] == "parsed":
        frame, text_frame = fast[1], text[1]
        assert isinstance(frame, pd.DataFrame) and isinstance(text_frame, pd.DataFrame)
        pd.testing.assert_frame_equal(frame, text_frame)
        assert fast[2:] == text[2:]
    else:
        assert fast == text


@pytest.mark.parametrize("feed", ["roster", "assessments", "usage", "schedule"])
@settings(max_examples=80, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(data=st.data())
def test_any_file_gets_the_same_frame_or_problems_on_both_paths(feed: str, data) -> None:
    content = data.draw(feed_files(feed))
    block = data.draw(st.sampled_from([8, 64, 1 << 20]))  # many blocks, or one
    with patch.object(clean_module, "BLOCK_BYTES", block):
        assert_same(outcome(feed, content, fast=True), outcome(feed, content, fast=False))


def usage_rows(students: int, days: int) -> list[str]:
    return [
        f"S{student},2026-09-{day + 1:02d},{15 + day}.5,1,2,"
        for student in range(1, students + 1)
        for day in range(days)
    ]


LARGE_ROSTER = frozenset(f"S{student}" for student in range(1, 201))
HEADER = "student_id,date,minutes,sessions,lessons,session_id"


def test_a_clean_file_of_many_blocks_takes_the_fast_path_and_gives_the_text_paths_frame() -> None:
    content = csv_bytes(HEADER, *usage_rows(200, 25))
    with patch.object(clean_module, "BLOCK_BYTES", 4096):
        clean = read_clean_bytes("usage", content, roster_ids=LARGE_ROSTER, **TERM)
        assert clean is not None and clean.rows == 5000
        fast = parse_feed("usage", content, roster_ids=LARGE_ROSTER, **TERM)
    with patch.object(parse_module, "read_clean_bytes", lambda *args, **kwargs: None):
        text = parse_feed("usage", content, roster_ids=LARGE_ROSTER, **TERM)
    pd.testing.assert_frame_equal(fast.frame, text.frame)
    assert fast.frame["student_id"].iloc[-1] == "S200"
    assert fast.frame["minutes"].iloc[-1] == 39500


def test_a_bad_cell_deep_in_a_large_file_is_reported_with_its_line() -> None:
    rows = usage_rows(200, 25)
    rows[4321] = rows[4321].replace(",1,2,", ",1,2.5,")  # lessons must be whole
    rows[4900] = rows[4900].replace("S197", "S999")  # not on the roster
    content = csv_bytes(HEADER, *rows)
    with patch.object(clean_module, "BLOCK_BYTES", 4096):
        assert read_clean_bytes("usage", content, roster_ids=LARGE_ROSTER, **TERM) is None
        with pytest.raises(FeedRejected) as caught:
            parse_feed("usage", content, roster_ids=LARGE_ROSTER, **TERM)
    problems = caught.value.problems
    assert [(problem.row, problem.column, problem.value) for problem in problems] == [
        (4323, "lessons", "2.5"),
        (4902, "student_id", "S999"),
    ]
    assert problems[1].reason == "student is not on the contract's roster"


def test_a_day_over_its_maximum_across_two_sessions_is_reported_as_before() -> None:
    rows = usage_rows(50, 20)
    rows[700:700] = ["S36,2026-09-02,900,1,0,a", "S36,2026-09-02,600,1,0,b"]
    content = csv_bytes(HEADER, *rows)
    with patch.object(clean_module, "BLOCK_BYTES", 4096):
        refused = outcome("usage", content, fast=True)
    assert refused[0] == "refused"
    assert refused == outcome("usage", content, fast=False)


@pytest.mark.parametrize(
    "ending",
    [b"\n", b"\r\n", b"\n\n\n", b""],
    ids=["newline", "crlf", "blank-lines-at-end", "no-final-newline"],
)
def test_line_ends_at_the_end_of_the_file_do_not_matter(ending: bytes) -> None:
    content = ("\n".join([HEADER, *usage_rows(3, 3)])).encode() + ending
    clean = read_clean_bytes("usage", content, roster_ids=LARGE_ROSTER, **TERM)
    assert clean is not None and clean.rows == 9


def test_a_file_quoted_throughout_header_included_takes_the_fast_path() -> None:
    # What pandas' QUOTE_ALL and many exports write: every cell quoted, "" for a blank.
    quoted = [
        ",".join(f'"{cell}"' for cell in line.split(",")) for line in [HEADER, *usage_rows(3, 3)]
    ]
    content = csv_bytes(*quoted)
    clean = read_clean_bytes("usage", content, roster_ids=LARGE_ROSTER, **TERM)
    assert clean is not None and clean.rows == 9
    with patch.object(parse_module, "read_clean_bytes", lambda *args, **kwargs: None):
        text = parse_feed("usage", content, roster_ids=LARGE_ROSTER, **TERM)
    pd.testing.assert_frame_equal(clean.frame(), text.frame)
    assert text.frame["session_id"].isna().all()


def test_a_blank_line_inside_the_file_goes_to_the_text_path_which_skips_it() -> None:
    rows = usage_rows(3, 3)
    content = csv_bytes(HEADER, *rows[:4], "", *rows[4:])
    assert read_clean_bytes("usage", content, roster_ids=LARGE_ROSTER, **TERM) is None
    parsed = parse_feed("usage", content, roster_ids=LARGE_ROSTER, **TERM)
    assert parsed.rows == 9
    assert parsed.lines.tolist()[3:6] == [5, 7, 8]


def test_a_file_read_from_disk_whose_rows_get_shorter_still_gives_the_text_paths_frame(
    tmp_path: Path,
) -> None:
    # Room for the rows is estimated from the first block; these rows then get much shorter.
    long_rows = [row + "a-long-session-identifier-" + "x" * 30 for row in usage_rows(20, 5)]
    short_rows = [
        f"S{student},2026-10-{day + 1:02d},1,,," for student in range(1, 201) for day in range(20)
    ]
    content = csv_bytes(HEADER, *long_rows, *short_rows)
    path = tmp_path / "usage.csv"
    path.write_bytes(content)
    with patch.object(clean_module, "BLOCK_BYTES", 2048):
        clean = read_clean_file("usage", path, roster_ids=LARGE_ROSTER, **TERM)
    assert clean is not None and clean.rows == 100 + 4000
    with patch.object(parse_module, "read_clean_bytes", lambda *args, **kwargs: None):
        text = parse_feed("usage", content, roster_ids=LARGE_ROSTER, **TERM)
    pd.testing.assert_frame_equal(clean.frame(), text.frame)
