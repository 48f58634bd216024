"""A contract's data: its batches with their provenance, and uploads. A refused upload shows
every bad row the ingestion service listed, and stores nothing (the service's rule)."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import RedirectResponse, Response
from starlette.datastructures import UploadFile

from app.contracts import service as contracts
from app.deps import SessionDep, SettingsDep
from app.errors import InvalidInput
from app.feeds.columns import Feed
from app.feeds.formats import FEEDS_OF, FORMATS
from app.ingestion import service as ingestion
from app.ingestion.upload import Upload, media_type_of
from app.organisations.models import Role
from app.principal import Principal
from app.web.deps import FormDep, UserDep, text_field
from app.web.sessions import SignedIn
from app.web.templating import render

router = APIRouter(prefix="/app/contracts/{key}/data", include_in_schema=False)


def feeds_for(principal: Principal) -> list[Feed]:
    """The feeds this person may post: their organisation's feeds, if their role prepares."""
    if not principal.has_role(Role.preparer):
        return []
    return [feed for feed, kinds in ingestion.POSTED_BY.items() if principal.kind in kinds]


def _page(
    request: Request,
    session: SessionDep,
    user: SignedIn,
    key: str,
    *,
    status_code: int = 200,
    **context: Any,
) -> Response:
    contract, batches = ingestion.list_batches(session, principal=user.principal, key=key)
    return render(
        request,
        "data.html",
        {
            "contract": contract,
            "batches": batches,
            "feeds": feeds_for(user.principal) if contract.version_in_force else [],
            "formats": [(name, FEEDS_OF.get(name, ())) for name in FORMATS],
            **context,
        },
        status_code=status_code,
    )


@router.get("")
def data_page(
    key: str, request: Request, session: SessionDep, user: UserDep, posted: str | None = None
) -> Response:
    return _page(request, session, user, key, posted=posted)


@router.post("")
def upload(
    key: str,
    request: Request,
    session: SessionDep,
    user: UserDep,
    settings: SettingsDep,
    form: FormDep,
) -> Response:
    contracts.get_contract(session, principal=user.principal, key=key)  # 404 before anything
    feed = text_field(form, "feed")
    part = form.get("file")
    if feed not in ingestion.POSTED_BY or not isinstance(part, UploadFile) or not part.filename:
        raise InvalidInput(
            "Choose a feed and a file to upload.",
            [
                {
                    "field": "feed" if feed not in ingestion.POSTED_BY else "file",
                    "problem": "missing",
                }
            ],
        )
    export_format = text_field(form, "format") or "tranche"
    if export_format not in FORMATS:
        raise InvalidInput(
            "Choose one of the listed file formats.",
            [{"field": "format", "problem": f"unknown format {export_format!r}"}],
        )
    upload = Upload(
        part.file.read(),
        media_type_of(part.content_type, part.filename),
        part.filename,
        format=export_format,
        subject=text_field(form, "subject") or None,
    )
    try:
        outcome = ingestion.ingest_batch(
            session,
            principal=user.principal,
            key=key,
            feed=feed,  # checked against POSTED_BY above
            upload=upload,
            max_bytes=settings.max_upload_bytes,
            max_problems=settings.max_listed_problems,
        )
    except InvalidInput as refused:
        return _page(
            request,
            session,
            user,
            key,
            status_code=422,
            refused=refused,
            refused_file=part.filename,
            refused_total=refused.extra.get("total", len(refused.problems)),
        )
    batch = outcome.batch
    return RedirectResponse(f"/app/contracts/{key}/data?posted={batch.public_id}", status_code=303)
