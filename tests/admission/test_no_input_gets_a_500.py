"""Every input the review turned into a 500 now gets a 4xx problem (issue #14, item 7).

Each is refused where it first can be: NUL characters, deep nesting and oversized numbers at
the door (app/admission/body_checks.py), role checks before a body is parsed, numbers beyond
Decimal's range and values a column cannot hold by the one problem handler (app/problems.py).
"""

from __future__ import annotations

import base64
import json

import pytest

PROBLEM = "application/problem+json"


def _refused(response, status: int) -> None:  # type: ignore[no-untyped-def]
    assert response.status_code == status, response.text
    assert response.headers["content-type"] == PROBLEM


def _post_definition(client, headers, body: str | bytes):  # type: ignore[no-untyped-def]
    return client.post(
        "/v1/contracts", content=body, headers={**headers, "content-type": "application/json"}
    )


def test_json_nested_100k_deep_is_refused(client, world):
    _refused(_post_definition(client, world.headers["ector-isd"], "[" * 100_000), 422)
    deep = '{"a":' * 100_000 + "1" + "}" * 100_000
    _refused(_post_definition(client, world.headers["ector-isd"], deep), 422)


def test_a_5000_digit_integer_is_refused(client, world, definition):
    body = json.dumps(definition(max_total=0)).replace(
        '"max_total": 0', '"max_total": ' + "9" * 5000
    )
    _refused(_post_definition(client, world.headers["ector-isd"], body), 422)


def test_an_astronomical_exponent_is_refused(client, world, definition):
    body = json.dumps(definition(holdback=0)).replace('"holdback": 0', '"holdback": 1e999999999')
    _refused(_post_definition(client, world.headers["ector-isd"], body), 422)


@pytest.mark.parametrize("amount", ["1e30", "1E+999999", "9" * 60])
def test_an_amount_beyond_range_as_a_string_is_refused(client, world, definition, amount):
    _refused(
        client.post(
            "/v1/contracts", json=definition(max_total=amount), headers=world.headers["ector-isd"]
        ),
        422,
    )


@pytest.mark.parametrize("kind", [{"a": 1}, ["fixed"]])
def test_a_vendor_sending_any_definition_is_forbidden_before_it_is_read(
    client, world, definition, kind
):
    document = definition()
    document["tranches"][0]["type"] = kind
    _refused(
        client.post("/v1/contracts", json=document, headers=world.headers["bright-tutors"]), 403
    )


@pytest.mark.parametrize("kind", [{"a": 1}, ["fixed"]])
def test_a_tranche_type_that_is_not_a_string_is_invalid(client, world, definition, kind):
    document = definition()
    document["tranches"][0]["type"] = kind
    _refused(client.post("/v1/contracts", json=document, headers=world.headers["ector-isd"]), 422)


def test_a_nul_in_the_path_is_refused(client, world):
    _refused(client.get("/v1/contracts/%00", headers=world.headers["ector-isd"]), 400)
    _refused(client.get("/v1/audit-log?action=%00", headers=world.headers["ector-isd"]), 400)


def test_a_nul_in_a_json_string_is_refused(client, world, active_contract):
    statement = client.post(
        f"/v1/contracts/{active_contract}/statements",
        json={"as_of": "2026-10-01"},
        headers=world.headers["ector-isd"],
    )
    assert statement.status_code == 201, statement.text
    dispute = client.post(
        f"/v1/statements/{statement.json()['id']}/disputes",
        json={"line": "base", "reason": "bad\u0000row"},
        headers=world.headers["bright-tutors"],
    )
    _refused(dispute, 422)
    escaped_backslash = client.post(
        f"/v1/statements/{statement.json()['id']}/disputes",
        content=b'{"line": "base", "reason": "a \\\\u0000 is only text here"}',
        headers={**world.headers["bright-tutors"], "content-type": "application/json"},
    )
    assert escaped_backslash.status_code == 201, escaped_backslash.text


def test_a_nul_in_a_csv_upload_is_refused(client, world, active_contract):
    response = client.post(
        f"/v1/contracts/{active_contract}/roster",
        content=b"student_id,grade\nS1\x00,3\n",
        headers={**world.headers["ector-isd"], "content-type": "text/csv"},
    )
    _refused(response, 422)


def test_a_payment_of_1e30_is_refused(client, world, active_contract):
    statement = client.post(
        f"/v1/contracts/{active_contract}/statements",
        json={"as_of": "2026-10-01"},
        headers=world.headers["ector-isd"],
    ).json()
    response = client.post(
        f"/v1/statements/{statement['id']}/payments",
        json={"amount": "1e30", "paid_on": "2026-10-15", "reference": "CHK-1"},
        headers=world.headers["ector-isd"],
    )
    assert 400 <= response.status_code < 500, response.text


def test_an_audit_cursor_of_10_to_the_30_is_refused(client, world):
    cursor = base64.urlsafe_b64encode(json.dumps({"after": 10**30}).encode()).decode().rstrip("=")
    _refused(
        client.get("/v1/audit-log", params={"cursor": cursor}, headers=world.headers["ector-isd"]),
        422,
    )


def test_an_over_long_string_is_refused(client, world, active_contract):
    statement = client.post(
        f"/v1/contracts/{active_contract}/statements",
        json={"as_of": "2026-10-01"},
        headers=world.headers["ector-isd"],
    ).json()
    response = client.post(
        f"/v1/statements/{statement['id']}/disputes",
        json={"line": "x" * 100_000, "reason": "r" * 100_000},
        headers=world.headers["bright-tutors"],
    )
    _refused(response, 422)
    _refused(client.get("/v1/contracts/" + "k" * 10_000, headers=world.headers["ector-isd"]), 404)
