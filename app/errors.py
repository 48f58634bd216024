"""Domain errors. They say what went wrong in the user's terms and know nothing of HTTP;
`app.problems` maps each kind to an RFC 9457 problem document."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any


class DomainError(Exception):
    """Base of every error a user can cause; the message is safe to show them."""

    title = "Request refused"

    def __init__(self, detail: str, *, extra: dict[str, Any] | None = None) -> None:
        super().__init__(detail)
        self.detail = detail
        self.extra = extra or {}


class NotAuthenticated(DomainError):
    title = "Not authenticated"


class NotFound(DomainError):
    """Also raised for things that exist but belong to someone else: never reveal them."""

    title = "Not found"


class Forbidden(DomainError):
    title = "Forbidden"


class Conflict(DomainError):
    title = "Conflict"


class PreconditionFailed(DomainError):
    title = "Precondition failed"


class InvalidInput(DomainError):
    """Input that fails validation; `problems` lists every one of them."""

    title = "Invalid input"

    def __init__(
        self,
        detail: str,
        problems: Sequence[dict[str, Any]],
        *,
        extra: dict[str, Any] | None = None,
    ) -> None:
        super().__init__(detail, extra=extra)
        self.problems = list(problems)


class PayloadTooLarge(DomainError):
    title = "Payload too large"
