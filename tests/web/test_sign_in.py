"""Signing in and out (SPEC §6): each role sees only its own organisation's contracts, a
session cookie the page's scripts cannot read, a clear page when the session has ended, and
throttling after repeated refusals."""

from __future__ import annotations

import re

from playwright.sync_api import expect

from tests.web.conftest import KEY, OTHER_KEY, PASSWORD, PEOPLE, screenshot, sign_in


def test_each_role_signs_in_and_sees_only_its_own_contracts(page) -> None:  # type: ignore[no-untyped-def]
    for who, heading in (
        ("clerk", "ector-isd: contracts"),
        ("vendor", "bright-tutors: contracts"),
        ("auditor", "tx-state-audit: granted contracts"),
        ("stranger", "other-isd: contracts"),
    ):
        page.context.clear_cookies()
        sign_in(page, who)
        expect(page.get_by_role("heading", level=1)).to_have_text(heading)
        body = page.locator("main").inner_text()
        if who == "stranger":
            assert OTHER_KEY in body and KEY not in body
        else:
            assert KEY in body and OTHER_KEY not in body
        screenshot(page, f"home-{who}")


def test_the_session_cookie_is_http_only_and_same_site(page) -> None:  # type: ignore[no-untyped-def]
    sign_in(page, "viewer")
    (cookie,) = [c for c in page.context.cookies() if c["name"] == "tranche_session"]
    assert cookie["httpOnly"] is True
    assert cookie["sameSite"] == "Lax"
    assert page.evaluate("document.cookie") == ""  # no script of the page can read it


def test_a_wrong_password_is_refused_without_saying_which_part_was_wrong(page) -> None:  # type: ignore[no-untyped-def]
    page.goto("/app/sign-in")
    page.get_by_label("Email").fill(PEOPLE["viewer"][1])
    page.get_by_label("Password").fill("not the password at all")
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("alert")).to_have_text("Unknown email or wrong password.")
    screenshot(page, "sign-in-refused")


def test_signing_out_ends_the_session_for_good(page) -> None:  # type: ignore[no-untyped-def]
    sign_in(page, "viewer")
    stolen = [c for c in page.context.cookies() if c["name"] == "tranche_session"]
    page.get_by_role("button", name="Sign out").click()
    expect(page.get_by_text("You are signed out.")).to_be_visible()
    page.context.add_cookies(stolen)  # the old cookie, replayed, opens nothing
    page.goto("/app")
    expect(page.get_by_role("heading", name="Your session has ended")).to_be_visible()
    screenshot(page, "session-ended")


def test_pages_without_a_session_ask_to_sign_in(page) -> None:  # type: ignore[no-untyped-def]
    page.goto(f"/app/contracts/{KEY}")
    expect(page).to_have_url(re.compile(r"/app/sign-in$"))
    screenshot(page, "sign-in")


def test_repeated_refusals_pause_sign_in_for_that_email_even_with_the_right_password(
    page,  # type: ignore[no-untyped-def]
) -> None:
    email = PEOPLE["other-vendor"][1]
    for _ in range(5):
        page.goto("/app/sign-in")
        page.get_by_label("Email").fill(email)
        page.get_by_label("Password").fill("guess guess guess")
        page.get_by_role("button", name="Sign in").click()
        expect(page.get_by_role("alert")).to_have_text("Unknown email or wrong password.")
    page.goto("/app/sign-in")
    page.get_by_label("Email").fill(email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("alert")).to_contain_text("Too many refused sign-ins")
    assert not [c for c in page.context.cookies() if c["name"] == "tranche_session"]
    # Another person at the same office is not locked out by it.
    sign_in(page, "auditor")


def test_a_form_sent_after_the_session_ended_lands_on_the_session_ended_page(page) -> None:  # type: ignore[no-untyped-def]
    sign_in(page, "clerk")
    page.goto(f"/app/contracts/{KEY}/statements")
    token = page.locator("input[name=csrf_token]").first.get_attribute("value")
    stolen = [c for c in page.context.cookies() if c["name"] == "tranche_session"]
    page.get_by_role("button", name="Sign out").click()
    page.context.add_cookies(stolen)
    answer = page.request.post(
        f"/app/contracts/{KEY}/statements", form={"as_of": "2027-06-30", "csrf_token": str(token)}
    )
    assert answer.url.endswith("/app/session-expired")
    assert "Your session has ended" in answer.text()
