"""The district finance office's story (SPEC §6): a statement is drafted for a date,
reviewed line by line, refused to whoever drafted it, approved by someone else, and paid."""

from __future__ import annotations

from datetime import UTC, datetime

from playwright.sync_api import expect

from tests.web.conftest import AS_OF, KEY, screenshot, sign_in


def _draft(page, as_of: str = AS_OF) -> str:  # type: ignore[no-untyped-def]
    page.goto(f"/app/contracts/{KEY}/statements")
    page.get_by_label("As of").fill(as_of)
    page.get_by_role("button", name="Draft statement").click()
    expect(page.locator("#statement-status")).to_have_text("draft")
    return str(page.url)


def _csrf(page) -> str:  # type: ignore[no-untyped-def]
    return str(page.locator("input[name=csrf_token]").first.get_attribute("value"))


def test_the_person_who_drafted_a_statement_cannot_approve_it(page) -> None:  # type: ignore[no-untyped-def]
    sign_in(page, "approver")
    own_draft = _draft(page, "2026-10-01")  # only the base is due: the story below still pays
    page.get_by_role("button", name="Approve statement").click()
    assert page.locator("h1").inner_text() == "Forbidden"
    expect(page.get_by_role("alert")).to_contain_text("drafted")
    page.goto(own_draft)
    expect(page.locator("#statement-status")).to_have_text("draft")
    page.get_by_role("button", name="Void draft").click()
    expect(page.locator("#statement-status")).to_have_text("voided")


def test_draft_review_approve_by_another_person_and_pay(page) -> None:  # type: ignore[no-untyped-def]
    sign_in(page, "clerk")
    statement = _draft(page)
    lines = page.locator("#lines tbody tr")
    assert lines.count() == 4  # base, fidelity, growth, reach: every line due by June 30
    expect(page.locator("tr[data-line=growth]")).to_contain_text("$")
    assert page.get_by_role("button", name="Approve statement").count() == 0  # a preparer
    refused = page.request.post(f"{statement}/approve", form={"csrf_token": _csrf(page)})
    assert refused.status == 403  # and the server says the same
    screenshot(page, "statement-draft")

    page.context.clear_cookies()
    sign_in(page, "approver")
    page.goto(statement)
    total = page.locator("[data-figure=total-due]").inner_text()
    page.get_by_role("button", name="Approve statement").click()
    expect(page.locator("#statement-status")).to_have_text("approved")
    expect(page.locator("[data-figure=outstanding]")).to_have_text(total)

    page.get_by_label("Paid on").fill(datetime.now(UTC).date().isoformat())  # not in the future
    page.get_by_label("Reference").fill("CHK-20270715")
    page.get_by_role("button", name="Record payment").click()
    expect(page.locator("[data-figure=outstanding]")).to_have_text("$0.00")
    expect(page.locator("#payment-list")).to_contain_text("CHK-20270715")
    screenshot(page, "statement-paid")

    page.goto("/app")
    section = page.locator("section", has=page.locator(f"a[href='/app/contracts/{KEY}']"))
    expect(section.locator("[data-figure=paid]")).to_have_text(total)
    screenshot(page, "home-district-after-payment")
