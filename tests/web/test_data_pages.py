"""The data page (SPEC §6): batches with their provenance; a refused upload lists every bad
row in a table and stores nothing; the drill-down from a count to its students, as CSV."""

from __future__ import annotations

from playwright.sync_api import expect

from tests.web.conftest import AS_OF, KEY, screenshot, sign_in

BAD_ROSTER = b"student_id,grade\nS-100,3\nS-101,eleventy\nS-100,4\n ,5\n"


def test_a_bad_upload_shows_every_bad_row_and_changes_nothing(page, tmp_path) -> None:  # type: ignore[no-untyped-def]
    sign_in(page, "clerk")
    page.goto(f"/app/contracts/{KEY}/data")
    batches = page.locator("#batch-table tbody tr").count()
    bad = tmp_path / "roster-with-mistakes.csv"
    bad.write_bytes(BAD_ROSTER)
    page.get_by_label("Feed").select_option("roster")
    page.get_by_label("File (CSV or JSON)").set_input_files(str(bad))
    page.get_by_role("button", name="Upload").click()
    expect(
        page.get_by_role("heading", name="roster-with-mistakes.csv was refused: nothing was stored")
    ).to_be_visible()
    rows = page.locator("#bad-rows tbody tr")
    assert rows.count() >= 3  # the bad grade, the repeated student, the empty id
    assert "eleventy" in page.locator("#bad-rows").inner_text()
    assert page.locator("#batch-table tbody tr").count() == batches
    screenshot(page, "data-refused-upload")
    page.goto(f"/app/contracts/{KEY}/data")
    assert page.locator("#batch-table tbody tr").count() == batches


def test_a_vendor_uploads_usage_and_sees_its_batch(page, tmp_path) -> None:  # type: ignore[no-untyped-def]
    sign_in(page, "vendor")
    page.goto(f"/app/contracts/{KEY}/data")
    assert page.get_by_label("Feed").locator("option").all_inner_texts() == ["usage"]
    usage = tmp_path / "usage-december.csv"
    usage.write_bytes(b"student_id,date,minutes\nt01,2027-05-20,45\n")
    page.get_by_label("File (CSV or JSON)").set_input_files(str(usage))
    page.get_by_role("button", name="Upload").click()
    expect(page.get_by_role("status")).to_contain_text("is stored and counts")
    expect(page.locator("#batch-table")).to_contain_text("usage-december.csv")
    screenshot(page, "data-vendor")


def test_a_count_drills_down_to_its_students_and_downloads_them(page) -> None:  # type: ignore[no-untyped-def]
    sign_in(page, "clerk")
    page.goto(f"/app/contracts/{KEY}?as_of={AS_OF}")
    screenshot(page, "contract-district")
    count = page.locator("a[data-drill=growers]").inner_text()
    page.locator("a[data-drill=growers]").click()
    expect(page.locator("h1")).to_contain_text(f"{count} student(s)")
    assert page.locator("tbody tr").count() == int(count)
    with page.expect_download() as download:
        page.get_by_role("link", name="Download CSV").click()
    lines = open(download.value.path()).read().splitlines()  # noqa: SIM115
    assert lines[0].startswith("student_id,")
    assert len(lines) == int(count) + 1
    screenshot(page, "students-drill-down")


def test_a_vendors_drill_down_shows_no_roster_flags(page) -> None:  # type: ignore[no-untyped-def]
    """SPEC §3: per student, vendors see the id, grade, measures and flags of what counted —
    never ell, sped or econ_disadv — in the page as in the API."""
    sign_in(page, "vendor")
    page.goto(f"/app/contracts/{KEY}?as_of={AS_OF}")
    page.locator("a[data-drill=growers]").click()
    with page.expect_download() as download:
        page.get_by_role("link", name="Download CSV").click()
    header = open(download.value.path()).readline().strip().split(",")  # noqa: SIM115
    assert header[:2] == ["student_id", "grade"]
    assert not {"ell", "sped", "econ_disadv", "school_id"} & set(header)
    assert not {"ell", "sped", "econ_disadv"} & set(page.locator("thead th").all_inner_texts())
