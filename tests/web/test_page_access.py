"""Every /app page × every kind of signed-in person × own or foreign contract, without a
browser (the API's access matrix, for pages). A stranger never learns that a contract
exists (404); a party outside its role is refused (403); no session is sent to sign in. The
last test fails when a page is added without a row here."""

from __future__ import annotations

import re
from dataclasses import dataclass

import pytest

from app.organisations.models import Role
from app.organisations.people import create_person

OWN = {"district": "ector-isd", "vendor": "bright-tutors", "auditor": "tx-state-audit"}
STRANGERS = {"district": "other-isd", "vendor": "other-vendor", "auditor": "other-audit"}
PASSWORD = "a long enough password"
KEY = "ector-hdt-2026"
ALL = frozenset(OWN)
PARTIES = frozenset({"district", "vendor"})


@dataclass(frozen=True)
class Page:
    path: str
    allowed: frozenset[str]
    stranger: int = 404  # what a stranger whose kind may open the page gets


PAGES = [
    Page("/app", ALL, stranger=200),
    Page(f"/app/contracts/{KEY}", ALL),
    Page(f"/app/contracts/{KEY}/data", ALL),
    Page(f"/app/contracts/{KEY}/statements", ALL),
    Page(f"/app/contracts/{KEY}/students?which=eligible&as_of=2027-06-30", ALL),
    Page(f"/app/contracts/{KEY}/students.csv?which=eligible&as_of=2027-06-30", ALL),
    Page(f"/app/contracts/{KEY}/report.json?as_of=2027-06-30", ALL),
    Page(f"/app/contracts/{KEY}/audit-bundle.zip?as_of=2027-06-30", ALL),
    Page("/app/audit", frozenset({"district", "auditor"}), stranger=200),
]
# Pages anyone may open, and the form posts (tests/web/test_refusals.py drives those).
OPEN = {"/app/sign-in", "/app/session-expired", "/app/static"}
POSTS = {
    "/app/sign-in",
    "/app/sign-out",
    "/app/contracts/{key}/data",
    "/app/contracts/{key}/statements",
    "/app/contracts/{key}/payments",
    "/app/statements/{statement_id}/approve",
    "/app/statements/{statement_id}/void",
    "/app/statements/{statement_id}/payments",
    "/app/statements/{statement_id}/disputes",
    "/app/statements/{statement_id}/disputes/{dispute_id}/resolve",
}
STATEMENT_PAGE = "/app/statements/{statement_id}"  # covered by the browser's finance story


def _sign_in(client, email: str) -> None:  # type: ignore[no-untyped-def]
    client.cookies.clear()
    form = client.get("/app/sign-in").text
    token = re.search(r'name="csrf_token" value="([^"]+)"', form)
    assert token
    response = client.post(
        "/app/sign-in",
        data={"email": email, "password": PASSWORD, "csrf_token": token.group(1)},
        follow_redirects=False,
    )
    assert response.status_code == 303, response.text


@pytest.fixture
def people(world, db_session, active_contract):  # type: ignore[no-untyped-def]
    emails = {}
    for organisation in [*OWN.values(), *STRANGERS.values()]:
        email = f"viewer@{organisation}.example"
        create_person(
            db_session,
            organisation_key=organisation,
            email=email,
            name=organisation,
            role=Role.viewer,
            password=PASSWORD,
        )
        emails[organisation] = email
    return emails


@pytest.mark.parametrize("page", PAGES, ids=lambda p: p.path.split("?")[0])
def test_page_refuses_strangers_and_wrong_roles_and_serves_its_parties(client, people, page):  # type: ignore[no-untyped-def]
    client.cookies.clear()
    anonymous = client.get(page.path, follow_redirects=False)
    assert anonymous.status_code == 303
    assert anonymous.headers["location"] == "/app/sign-in"
    for kind, organisation in STRANGERS.items():
        _sign_in(client, people[organisation])
        response = client.get(page.path)
        expected = page.stranger if kind in page.allowed else 403
        assert response.status_code == expected, (organisation, response.text[:300])
        if response.status_code == 200:
            assert KEY not in response.text, organisation  # not even in a list or a log
    for kind, organisation in OWN.items():
        _sign_in(client, people[organisation])
        response = client.get(page.path)
        expected = 200 if kind in page.allowed else 403
        assert response.status_code == expected, (organisation, response.text[:300])


def test_every_app_page_is_in_the_matrix(app) -> None:  # type: ignore[no-untyped-def]
    covered = {re.sub(r"\?.*", "", p.path).replace(KEY, "{key}") for p in PAGES}
    covered = {re.sub(r"report\.json$", "report.{report_format}", path) for path in covered}
    routes = set()
    for route in app.routes:
        path = getattr(route, "path", "")
        if not path.startswith("/app"):
            continue
        methods = getattr(route, "methods", None) or {"GET"}
        if "GET" in methods and path not in OPEN and path != STATEMENT_PAGE:
            routes.add(path)
        elif "POST" in methods:
            assert path in POSTS, path
    assert routes - covered == set()
