"""The vendor's and the auditor's pages (SPEC §6)."""

from __future__ import annotations

from playwright.sync_api import expect

from tests.web.conftest import AS_OF, KEY, screenshot, sign_in


def test_a_vendor_sees_what_would_raise_its_earnings(page) -> None:  # type: ignore[no-untyped-def]
    sign_in(page, "vendor")
    page.goto(f"/app/contracts/{KEY}?as_of={AS_OF}")
    hints = page.locator("#raise ~ p.hint, section:has(#raise) .hint")
    expect(page.get_by_role("heading", name="What would raise your earnings")).to_be_visible()
    growth = page.locator("[data-hint=growth]")
    expect(growth).to_contain_text("more eligible student who met their map_reading growth target")
    expect(growth).to_contain_text("$")
    expect(page.locator("[data-hint=gate-minutes]")).to_contain_text(
        "within 10% of the eligibility gate"
    )
    assert hints.count() >= 2
    screenshot(page, "contract-vendor-hints")
    page.set_viewport_size({"width": 820, "height": 1180})  # a tablet, upright
    page.goto("/app")
    screenshot(page, "home-vendor-tablet")


def test_a_district_sees_no_vendor_hints(page) -> None:  # type: ignore[no-untyped-def]
    sign_in(page, "clerk")
    page.goto(f"/app/contracts/{KEY}?as_of={AS_OF}")
    assert page.get_by_role("heading", name="What would raise your earnings").count() == 0


def test_an_auditor_reads_the_audit_log_its_verification_and_reports(page) -> None:  # type: ignore[no-untyped-def]
    sign_in(page, "auditor")
    page.goto("/app/audit")
    expect(page.locator("#verification")).to_contain_text("The hash chain verifies")
    assert page.locator("#audit-entries tbody tr").count() > 0
    screenshot(page, "audit-log")
    page.goto(f"/app/contracts/{KEY}?as_of={AS_OF}")
    page.get_by_role("link", name="HTML").click()
    expect(page.locator("body")).to_contain_text(KEY)
    screenshot(page, "report-html-auditor")


def test_an_auditor_downloads_the_audit_bundle_and_it_verifies_offline(page) -> None:  # type: ignore[no-untyped-def]
    from app.bundles.check import check_bundle

    sign_in(page, "auditor")
    page.goto(f"/app/contracts/{KEY}?as_of={AS_OF}")
    with page.expect_download() as download:
        page.get_by_role("link", name="Audit bundle").click()
    report = check_bundle(open(download.value.path(), "rb").read())  # noqa: SIM115
    assert report.ok, report.failures
