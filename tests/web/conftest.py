"""The browser suite: a live uvicorn server on 127.0.0.1 (a random port) over a database of
its own, driven by a real headless Chromium through Playwright.

The server commits for real, so it never shares the rollback-per-test database: on SQLite it
gets its own file, on PostgreSQL (TRANCHE_TEST_DATABASE_URL) a database of its own next to
the test database, created and dropped here. Screenshots go to tests/.artifacts/web/.
"""

from __future__ import annotations

import copy
import os
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
import uvicorn
import yaml
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

from app import migrate
from app.config import Settings
from app.contracts.service import load_contract_documents
from app.db import make_engine, make_session_factory
from app.ingestion.service import ingest_batch
from app.ingestion.upload import Upload
from app.main import create_app
from app.migrate import PROJECT_ROOT
from app.organisations import service as organisations
from app.organisations.models import OrganisationKind, Role
from app.organisations.people import create_person, principal_for_person
from app.principal import OPERATOR
from tests.conftest import SIGNING_KEY

playwright_api = pytest.importorskip("playwright.sync_api")

CHROMIUM = os.environ.get("TRANCHE_CHROMIUM", "/usr/bin/chromium")
PASSWORD = "correct horse battery staple"
ARTIFACTS = PROJECT_ROOT / "tests" / ".artifacts" / "web"
KEY = "ector-hdt-2026"
OTHER_KEY = "other-hdt-2026"
AS_OF = "2027-06-30"

# One person per role and organisation the stories need; every password is PASSWORD.
PEOPLE = {
    "clerk": ("ector-isd", "clerk@ector.example", "Casey Clerk", Role.preparer),
    "approver": ("ector-isd", "approver@ector.example", "Avery Approver", Role.approver),
    "viewer": ("ector-isd", "viewer@ector.example", "Vic Viewer", Role.viewer),
    "vendor": ("bright-tutors", "pm@bright.example", "Pat Manager", Role.preparer),
    "auditor": ("tx-state-audit", "auditor@txaudit.example", "Ada Auditor", Role.viewer),
    "stranger": ("other-isd", "approver@other.example", "Sam Stranger", Role.approver),
    "other-vendor": ("other-vendor", "pm@other-vendor.example", "Oli Other", Role.preparer),
}
ORGANISATIONS = {
    "ector-isd": OrganisationKind.district,
    "other-isd": OrganisationKind.district,
    "bright-tutors": OrganisationKind.vendor,
    "other-vendor": OrganisationKind.vendor,
    "tx-state-audit": OrganisationKind.auditor,
}


@dataclass(frozen=True)
class LiveServer:
    url: str
    database_url: str


@pytest.fixture(scope="session")
def web_database_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    base = os.environ.get("TRANCHE_TEST_DATABASE_URL")
    if not base:
        yield f"sqlite:///{tmp_path_factory.mktemp('web') / 'web.db'}"
        return
    url = make_url(Settings(database_url=base).database_url)
    name = f"{url.database}_browser"
    admin = create_engine(url.set(database="postgres"), isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        connection.execute(text(f'CREATE DATABASE "{name}"'))
    try:
        yield url.set(database=name).render_as_string(hide_password=False)
    finally:
        with admin.connect() as connection:
            connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


def _other_contract() -> bytes:
    """The same contract between two other parties: a stranger's contract to be refused."""
    document = yaml.safe_load((PROJECT_ROOT / "contracts" / f"{KEY}.yaml").read_text())
    document = copy.deepcopy(document)
    document.update(key=OTHER_KEY, district="other-isd", vendor="other-vendor", auditors=[])
    return yaml.safe_dump(document).encode()


def _seed(database_url: str) -> None:
    engine = make_engine(database_url)
    with make_session_factory(engine)() as session:
        for key, kind in ORGANISATIONS.items():
            organisations.create_organisation(session, key=key, kind=kind)
        people = {}
        for label, (organisation, email, name, role) in PEOPLE.items():
            people[label], _ = create_person(
                session,
                organisation_key=organisation,
                email=email,
                name=name,
                role=role,
                password=PASSWORD,
            )
        documents = [
            (f"{KEY}.yaml", (PROJECT_ROOT / "contracts" / f"{KEY}.yaml").read_bytes()),
            (f"{OTHER_KEY}.yaml", _other_contract()),
        ]
        load_contract_documents(session, documents, accept=True, actor=OPERATOR)
        examples = PROJECT_ROOT / "contracts" / "examples" / KEY
        for contract, district, vendor in (
            (KEY, "clerk", "vendor"),
            (OTHER_KEY, "stranger", "other-vendor"),
        ):
            for feed, poster in (
                ("roster", district),
                ("assessments", district),
                ("usage", vendor),
            ):
                ingest_batch(
                    session,
                    principal=principal_for_person(people[poster]),
                    key=contract,
                    feed=feed,
                    upload=Upload(
                        (examples / f"{feed}.csv").read_bytes(), "text/csv", f"{feed}.csv"
                    ),
                    max_bytes=10_000_000,
                    max_problems=100,
                )
    engine.dispose()


@pytest.fixture(scope="session")
def live_server(web_database_url: str) -> Iterator[LiveServer]:
    migrate.upgrade(web_database_url)
    _seed(web_database_url)
    app = create_app(
        Settings(database_url=web_database_url, sign_in_attempts=5, signing_key=SIGNING_KEY)
    )
    server = uvicorn.Server(
        uvicorn.Config(app, host="127.0.0.1", port=0, log_level="warning", lifespan="on")
    )
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 30
    while not server.started:
        if time.monotonic() > deadline or not thread.is_alive():
            raise RuntimeError("the live server did not start")
        time.sleep(0.05)
    port = server.servers[0].sockets[0].getsockname()[1]
    yield LiveServer(url=f"http://127.0.0.1:{port}", database_url=web_database_url)
    server.should_exit = True
    thread.join(timeout=10)


# Package scope: Playwright's sync API keeps an event loop running in the main thread while it
# is open, which would break any later test that calls asyncio.run().
@pytest.fixture(scope="package")
def browser() -> Iterator[object]:
    if not Path(CHROMIUM).exists():
        message = "Debian's chromium is not installed (apt-get install -y chromium)"
        if os.environ.get("CI"):
            pytest.fail(message)  # CI installs it (.ci/run): never pass by skipping there
        pytest.skip(message)
    with playwright_api.sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=CHROMIUM)
        yield launched
        launched.close()


@pytest.fixture
def page(browser, live_server):  # type: ignore[no-untyped-def]
    context = browser.new_context(base_url=live_server.url, viewport={"width": 1280, "height": 900})
    context.set_default_timeout(15_000)
    tab = context.new_page()
    yield tab
    context.close()


def sign_in(page, who: str) -> None:  # type: ignore[no-untyped-def]
    page.goto("/app/sign-in")
    page.get_by_label("Email").fill(PEOPLE[who][1])
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url("**/app")


def screenshot(page, name: str) -> Path:  # type: ignore[no-untyped-def]
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    path = ARTIFACTS / f"{name}.png"
    page.screenshot(path=str(path), full_page=True)
    return path
