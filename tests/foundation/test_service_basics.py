"""Health, problem documents and authentication (issue #3)."""

from __future__ import annotations

from fastapi.testclient import TestClient
from sqlalchemy import select

from app.config import Settings
from app.main import create_app
from app.organisations import service as organisations
from app.organisations.models import ApiKey


def test_health_checks_the_database(client):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json() == {"status": "ok", "database": "ok"}


def test_health_says_503_when_the_database_does_not_answer(tmp_path):
    url = f"sqlite:///{tmp_path / 'no-such-folder' / 'tranche.db'}"
    app = create_app(Settings(database_url=url))
    with TestClient(app, raise_server_exceptions=False) as client:
        response = client.get("/healthz")
    app.state.engine.dispose()
    assert response.status_code == 503
    assert response.headers["content-type"] == "application/problem+json"
    assert response.json()["detail"].startswith("The database is not answering")
    assert response.headers["retry-after"]


def test_unknown_path_is_a_problem_document(client):
    response = client.get("/v1/nothing-here")
    assert response.status_code == 404
    assert response.headers["content-type"] == "application/problem+json"
    assert response.json()["status"] == 404


def test_an_unexpected_error_is_a_500_problem_without_traceback(app, client):
    @app.get("/boom")
    def boom() -> None:
        raise RuntimeError("secret internal detail")

    response = client.get("/boom")
    assert response.status_code == 500
    assert response.headers["content-type"] == "application/problem+json"
    assert "secret internal detail" not in response.text
    assert "Traceback" not in response.text


def test_request_validation_errors_are_problem_documents(client, world):
    response = client.post(
        "/v1/contracts/x/accept",
        json={"version": "not a number"},
        headers=world.headers["bright-tutors"],
    )
    assert response.status_code == 422
    assert response.headers["content-type"] == "application/problem+json"
    assert response.json()["problems"][0]["path"].endswith("version")


def test_no_key_is_401_with_a_bearer_challenge(client):
    response = client.get("/v1/contracts")
    assert response.status_code == 401
    assert response.headers["www-authenticate"] == "Bearer"
    assert response.headers["content-type"] == "application/problem+json"


def test_a_made_up_key_is_401(client, world):
    for token in ["nonsense", "trk_abc_def", "trk__x", ""]:
        response = client.get("/v1/contracts", headers={"Authorization": f"Bearer {token}"})
        assert response.status_code == 401, token


def test_a_key_with_the_right_prefix_but_wrong_secret_is_401(client, world):
    good = world.headers["ector-isd"]["Authorization"]
    forged = good[:-4] + ("AAAA" if not good.endswith("AAAA") else "BBBB")
    assert client.get("/v1/contracts", headers={"Authorization": forged}).status_code == 401


def test_a_revoked_key_stops_working(client, world, db_session):
    headers = world.headers["ector-isd"]
    assert client.get("/v1/contracts", headers=headers).status_code == 200
    prefix = headers["Authorization"].split("_")[1]
    organisations.revoke_api_key(db_session, prefix=prefix)
    assert client.get("/v1/contracts", headers=headers).status_code == 401


def test_only_a_hash_of_the_key_is_stored(world, db_session):
    secret = world.headers["ector-isd"]["Authorization"].removeprefix("Bearer ")
    stored = db_session.execute(select(ApiKey.prefix, ApiKey.secret_sha256)).all()
    assert all(secret not in (prefix, digest) for prefix, digest in stored)
    assert any(secret.split("_")[1] == prefix for prefix, _ in stored)


def test_openapi_describes_every_endpoint_with_models(client: TestClient):
    document = client.get("/openapi.json").json()
    assert "ContractDefinition" in document["components"]["schemas"]
    for path, operations in document["paths"].items():
        for method, operation in operations.items():
            responses = operation["responses"]
            success = [code for code in responses if code.startswith("2")]
            assert success, f"{method.upper()} {path} documents no success response"
            content = responses[success[0]].get("content", {})
            assert content, f"{method.upper()} {path} documents no response body"
            if (
                method in {"post", "put"}
                and "{id}" not in path
                and not path.endswith(("accept", "approve", "void", "verify"))
            ):
                assert "requestBody" in operation or operation.get("parameters"), (
                    f"{method.upper()} {path}"
                )
