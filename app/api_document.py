"""The public OpenAPI document: every status an operation can answer, with the problem schema.

FastAPI lists only what a route declares (200, and its own 422 in a shape this service never
sends). Errors here are RFC 9457 problem documents from three places — admission (400, 401,
408, 413, 422, 503), the domain errors' single mapping (401-422) and the database handler
(409, 422, 503) — so they are declared here, once, for every operation, as
`application/problem+json` with the `Problem` schema.
"""

from __future__ import annotations

from http import HTTPStatus
from typing import Any

from app.problems import PROBLEM_JSON

PROBLEM_SCHEMA: dict[str, Any] = {
    "title": "Problem",
    "description": "An RFC 9457 problem document. Refused input lists each problem.",
    "type": "object",
    "required": ["type", "title", "status", "detail"],
    "properties": {
        "type": {"type": "string"},
        "title": {"type": "string"},
        "status": {"type": "integer"},
        "detail": {"type": "string"},
        "problems": {"type": "array", "items": {"type": "object"}},
    },
    "additionalProperties": True,
}

# Any request: two Authorization headers or a NUL (400), a body sent before signing in (401),
# too slow (408), too big (413), malformed or out of range (422), the database away (503).
EVERY_OPERATION = (400, 401, 408, 413, 422, 503)
# An operation of the API proper: a role that may not (403), a key it may not see (404), a
# state that forbids it (409), an If-Match that no longer holds (412).
API_OPERATION = (403, 404, 409, 412)
DESCRIPTIONS = {
    400: "Malformed request: e.g. more than one Authorization header, a NUL character.",
    401: "No valid credentials (a body is refused unread without them).",
    403: "Your organisation's kind or your role may not do this.",
    404: "No such thing, or not yours to see.",
    408: "The request body did not arrive in time.",
    409: "The current state forbids it (stale, already done, a concurrent change).",
    412: "The If-Match ETag no longer matches.",
    413: "The request body is larger than the limit.",
    422: "Invalid input; `problems` lists every one.",
    503: "The database is not answering; retry after the Retry-After seconds.",
}
METHODS = ("get", "put", "post", "delete", "patch", "head", "options")


def declare_problems(document: dict[str, Any]) -> dict[str, Any]:
    """Adds the problem responses to every operation of `document` (in place)."""
    document.setdefault("components", {}).setdefault("schemas", {})["Problem"] = PROBLEM_SCHEMA
    schemas = document["components"]["schemas"]
    for unused in ("HTTPValidationError", "ValidationError"):
        schemas.pop(unused, None)  # FastAPI's 422 shape; this service sends problems instead
    content = {PROBLEM_JSON: {"schema": {"$ref": "#/components/schemas/Problem"}}}
    for path, operations in document.get("paths", {}).items():
        statuses = EVERY_OPERATION + (API_OPERATION if path.startswith("/v1/") else ())
        for method, operation in operations.items():
            if method not in METHODS:
                continue
            responses = operation.setdefault("responses", {})
            for status in sorted(statuses):
                declared = responses.setdefault(str(status), {})
                declared.setdefault(
                    "description", DESCRIPTIONS.get(status, HTTPStatus(status).phrase)
                )
                declared["content"] = content
    return document
