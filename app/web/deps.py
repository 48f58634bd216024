"""The web app's dependencies: who is signed in, and a form whose CSRF token checked out."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Request
from starlette.datastructures import FormData

from app.deps import SessionDep
from app.errors import Forbidden
from app.web import sessions
from app.web.sessions import SignedIn

CSRF_FIELD = "csrf_token"
# A form has a handful of fields and at most one file (an upload).
MAX_FORM_FIELDS = 20


def signed_in_user(request: Request, session: SessionDep) -> SignedIn:
    user = sessions.signed_in(session, request.cookies.get(sessions.COOKIE))
    request.state.signed_in = user  # for the page header, and error pages
    return user


UserDep = Annotated[SignedIn, Depends(signed_in_user)]


async def checked_form(request: Request, user: UserDep) -> FormData:
    """The posted form, read only once the session is known (no body is read for strangers),
    and refused unless it carries this session's CSRF token."""
    form = await request.form(max_files=1, max_fields=MAX_FORM_FIELDS)
    offered = form.get(CSRF_FIELD)
    if not sessions.tokens_match(offered if isinstance(offered, str) else None, user.csrf_token):
        raise Forbidden(
            "This form was not sent from a page of your current session (a missing or old "
            "security token). Reload the page and try again."
        )
    return form


FormDep = Annotated[FormData, Depends(checked_form)]


def text_field(form: FormData, name: str) -> str:
    value = form.get(name)
    return value.strip() if isinstance(value, str) else ""
