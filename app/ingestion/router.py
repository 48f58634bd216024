"""Feeds over HTTP (SPEC §2, §3): post a batch, read the ingestion history."""

from __future__ import annotations

from dataclasses import replace
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Header, Query, Request, Response, status
from starlette.datastructures import UploadFile

from app.config import MULTIPART_OVERHEAD_BYTES
from app.deps import PrincipalDep, SessionDep, SettingsDep
from app.engine.feed_schema import FEED_SCHEMAS
from app.errors import InvalidInput, PayloadTooLarge
from app.feeds.columns import Feed
from app.feeds.formats import Format
from app.ingestion import service
from app.ingestion.schemas import BatchOut, batch_out
from app.ingestion.upload import Upload, media_type_of
from app.read_cache.middleware import CachedRead

router = APIRouter(prefix="/v1/contracts/{key}", tags=["ingestion"])

FEED_BODY: dict[str, Any] = {
    "requestBody": {
        "required": True,
        "content": {
            "text/csv": {"schema": {"type": "string"}},
            "application/json": {"schema": {"type": "array", "items": {"type": "object"}}},
            "application/zip": {"schema": {"type": "string", "format": "binary"}},
            "multipart/form-data": {
                "schema": {
                    "type": "object",
                    "properties": {"file": {"type": "string", "format": "binary"}},
                    "required": ["file"],
                }
            },
        },
    }
}
POST_RESPONSES: dict[int | str, dict[str, Any]] = {
    200: {
        "model": BatchOut,
        "description": "A repeat of an earlier request, or of an earlier batch's rows "
        "(`repeat_of`): that batch, and nothing new stored.",
    }
}
CSV_RESPONSE: dict[int | str, dict[str, Any]] = {
    200: {"content": {"text/csv": {"schema": {"type": "string"}}}}
}


async def read_upload(request: Request) -> Upload:
    """The posted file: a multipart part named ``file`` (keeping its name), or the raw body."""
    limit = request.app.state.settings.max_upload_bytes
    declared = request.headers.get("content-length", "")
    if declared.isdigit() and int(declared) > limit + MULTIPART_OVERHEAD_BYTES:
        raise PayloadTooLarge(f"The upload is {int(declared):,} bytes, more than {limit:,}.")
    content_type = request.headers.get("content-type", "")
    if content_type.lower().startswith("multipart/form-data"):
        form = await request.form(max_files=1, max_fields=10)
        part = form.get("file")
        if not isinstance(part, UploadFile):
            raise InvalidInput(
                "A multipart upload needs the file in a part named 'file'.",
                [{"field": "file", "reason": "missing or not a file"}],
            )
        content = await part.read()
        return Upload(content, media_type_of(part.content_type, part.filename), part.filename)
    return Upload(await request.body(), media_type_of(content_type))


UploadDep = Annotated[Upload, Depends(read_upload)]
IdempotencyKey = Annotated[
    str | None,
    Header(
        alias="Idempotency-Key",
        description="Repeating a request with the same key returns the original batch.",
    ),
]
Replaces = Annotated[
    str | None, Query(description="The id of an accepted batch of the same feed to supersede.")
]
ExportFormat = Annotated[
    Format,
    Query(
        alias="format",
        description="The file's format: `tranche` (the §2 columns) or a standard export "
        "(SPEC §2b, docs/FORMATS.md).",
    ),
]
Subject = Annotated[
    str | None,
    Query(
        max_length=64,
        description="The subject an export leaves unsaid (i-Ready, Star): e.g. `math`.",
    ),
]


def _feed_route(feed: Feed, poster: str) -> None:
    """Register ``POST /v1/contracts/{key}/<feed>``. The four feeds take the same request
    and give the same answer, so one endpoint serves them all; only the feed and who posts it
    (``app.engine.feed_schema``, checked by the service) differ."""

    def post_feed(
        key: str,
        session: SessionDep,
        principal: PrincipalDep,
        upload: UploadDep,
        response: Response,
        settings: SettingsDep,
        idempotency_key: IdempotencyKey = None,
        replaces: Replaces = None,
        export_format: ExportFormat = "tranche",
        subject: Subject = None,
    ) -> BatchOut:
        outcome = service.ingest_batch(
            session,
            principal=principal,
            key=key,
            feed=feed,
            upload=replace(upload, format=export_format, subject=subject),
            idempotency_key=idempotency_key,
            replaces=replaces,
            max_bytes=settings.max_upload_bytes,
            max_problems=settings.max_listed_problems,
        )
        if not outcome.created:
            response.status_code = status.HTTP_200_OK
        return batch_out(outcome.batch, key, repeat_of=outcome.repeat_of)

    # The name makes the OpenAPI operation id (post_usage_v1_contracts__key__usage_post, …).
    post_feed.__name__ = f"post_{feed}"
    router.post(
        f"/{feed}",
        status_code=status.HTTP_201_CREATED,
        response_model=BatchOut,
        responses=POST_RESPONSES,
        openapi_extra=FEED_BODY,
        summary=f"Post a batch of the {feed} feed ({poster})",
    )(post_feed)


for _name, _schema in FEED_SCHEMAS.items():
    _feed_route(_name, _schema.posted_by)


@router.get(
    "/batches",
    response_model=list[BatchOut],
    summary="Ingestion history",
    dependencies=[CachedRead],
)
def list_batches(
    key: str,
    session: SessionDep,
    principal: PrincipalDep,
    feed: Annotated[Feed | None, Query(description="Only batches of this feed.")] = None,
) -> list[BatchOut]:
    contract, batches = service.list_batches(session, principal=principal, key=key, feed=feed)
    return [batch_out(batch, contract.key) for batch in batches]


@router.get(
    "/batches/{batch_id}", response_model=BatchOut, summary="One batch", dependencies=[CachedRead]
)
def read_batch(key: str, batch_id: str, session: SessionDep, principal: PrincipalDep) -> BatchOut:
    contract, batch = service.get_batch(session, principal=principal, key=key, batch_id=batch_id)
    return batch_out(batch, contract.key)


@router.get(
    "/batches/{batch_id}/rows",
    response_class=Response,
    responses=CSV_RESPONSE,
    summary="A batch's rows as CSV",
    dependencies=[CachedRead],
)
def read_batch_rows(
    key: str, batch_id: str, session: SessionDep, principal: PrincipalDep
) -> Response:
    batch, content = service.get_batch_rows_csv(
        session, principal=principal, key=key, batch_id=batch_id
    )
    disposition = f'attachment; filename="{batch.feed}-{batch.public_id}.csv"'
    return Response(content, media_type="text/csv", headers={"Content-Disposition": disposition})
