"""Forms posted without the page's CSRF token, or at another organisation's contract, are
refused (SPEC §6, §3): 403 and 404, and nothing is written."""

from __future__ import annotations

from tests.web.conftest import AS_OF, KEY, OTHER_KEY, sign_in


def _csrf(page) -> str:  # type: ignore[no-untyped-def]
    token = page.locator("input[name=csrf_token]").first.get_attribute("value")
    assert token
    return str(token)


def _statements(page) -> int:  # type: ignore[no-untyped-def]
    page.goto(f"/app/contracts/{KEY}/statements")
    return page.locator("#statement-list a", has_text="Open").count()


def test_a_form_post_without_the_csrf_token_is_refused(page) -> None:  # type: ignore[no-untyped-def]
    sign_in(page, "clerk")
    before = _statements(page)
    response = page.request.post(f"/app/contracts/{KEY}/statements", form={"as_of": AS_OF})
    assert response.status == 403
    forged = page.request.post(
        f"/app/contracts/{KEY}/statements", form={"as_of": AS_OF, "csrf_token": "0" * 64}
    )
    assert forged.status == 403
    assert _statements(page) == before


def test_a_form_post_at_another_organisations_contract_is_not_found(page) -> None:  # type: ignore[no-untyped-def]
    sign_in(page, "clerk")
    page.goto(f"/app/contracts/{KEY}/statements")
    token = _csrf(page)
    response = page.request.post(
        f"/app/contracts/{OTHER_KEY}/statements", form={"as_of": AS_OF, "csrf_token": token}
    )
    assert response.status == 404
    upload = page.request.post(
        f"/app/contracts/{OTHER_KEY}/data",
        multipart={
            "csrf_token": token,
            "feed": "roster",
            "file": {"name": "r.csv", "mimeType": "text/csv", "buffer": b"student_id,grade\nX,3\n"},
        },
    )
    assert upload.status == 404
    assert page.request.get(f"/app/contracts/{OTHER_KEY}").status == 404


def test_a_viewer_gets_no_draft_button_and_the_server_refuses_the_post(page) -> None:  # type: ignore[no-untyped-def]
    sign_in(page, "viewer")
    page.goto(f"/app/contracts/{KEY}/statements")
    assert page.get_by_role("button", name="Draft statement").count() == 0
    refused = page.request.post(
        f"/app/contracts/{KEY}/statements", form={"as_of": AS_OF, "csrf_token": _csrf(page)}
    )
    assert refused.status == 403
