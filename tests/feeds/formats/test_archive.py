"""A OneRoster upload is a zip: bounded, and unable to reach outside itself."""

from __future__ import annotations

import io
import zipfile

import pytest

from app.feeds import FeedRejected
from app.feeds.formats import map_export
from app.feeds.formats.archive import ArchiveLimits, read_members
from tests.feeds.formats.samples import ONEROSTER_FILES, zip_of

WANTED = frozenset({"users.csv", "orgs.csv"})


def refusal(content: bytes, limits: ArchiveLimits = ArchiveLimits()) -> str:
    with pytest.raises(FeedRejected) as refused:
        read_members("roster", content, WANTED, limits)
    return refused.value.message


@pytest.mark.parametrize(
    "name", ["../users.csv", "/etc/users.csv", "a/../../users.csv", "a\\users.csv", "C:/users.csv"]
)
def test_a_member_path_that_could_leave_the_archive_is_refused(name):
    assert "has an unsafe path" in refusal(zip_of({name: b"sourcedId,grades\n"}))


def test_a_zip_bomb_is_refused_by_its_ratio_while_expanding():
    bomb = zip_of({"users.csv": b"sourcedId,grades\n" + b"0" * (4 * 1024 * 1024)})
    message = refusal(bomb, ArchiveLimits(ratio_floor_bytes=64 * 1024))
    assert "expands more than 100 times: refused as a possible zip bomb" in message


def test_the_total_expanded_size_is_bounded():
    content = zip_of({"users.csv": bytes(range(256)) * 1024, "orgs.csv": bytes(range(256)) * 1024})
    message = refusal(content, ArchiveLimits(max_total_bytes=300 * 1024))
    assert "the zip expands to more than 307,200 bytes" in message


def test_the_number_of_members_is_bounded():
    content = zip_of({f"extra-{index}.csv": b"x\n" for index in range(5)})
    assert "more than 4" in refusal(content, ArchiveLimits(max_members=4))


def test_a_file_named_twice_is_refused_not_chosen():
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("users.csv", b"a\n")
        archive.writestr("export/users.csv", b"b\n")
    assert "holds users.csv more than once" in refusal(buffer.getvalue())


def test_a_damaged_zip_is_refused():
    content = zip_of(ONEROSTER_FILES)
    assert "damaged" in refusal(content[:40] + b"\x00" * 10)


def test_files_in_one_folder_are_found_and_others_ignored():
    content = zip_of(
        {f"oneroster/{name}": data for name, data in ONEROSTER_FILES.items()}
        | {"notes/readme.txt": b"hello"}
    )
    mapped = map_export("oneroster-1.2", "roster", content)
    assert mapped.columns["student_id"] == ["S1", "S2", "u-4"]
