"""What the ingestion API sends back (SPEC §3, "a batch")."""

from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel, Field

from app.clock import as_utc
from app.ingestion.models import Batch, BatchStatus


class BatchOut(BaseModel):
    id: str
    feed: str = Field(description="roster, assessments, usage or schedule.")
    contract: str
    contract_version: int = Field(description="The version in force when it was posted.")
    status: BatchStatus = Field(description="`accepted` (its rows count) or `superseded`.")
    rows: int
    sha256: str = Field(description="SHA-256 of the content exactly as received.")
    columns: list[str] = Field(description="The feed's columns, as posted.")
    file_name: str | None
    posted_by: str = Field(description="The organisation that posted it.")
    posted_by_key: str | None = Field(
        description="The prefix of the API key used; null from the web app."
    )
    posted_at: datetime
    idempotency_key: str | None
    replaces: str | None = Field(description="The batch this one superseded, if any.")
    superseded_by: str | None
    format: str = Field(description="The §2b format the upload was read in (`tranche`: §2).")
    dropped_columns: list[str] = Field(
        description="Columns of the upload that were dropped on read and never stored."
    )
    skipped_rows: dict[str, int] = Field(
        description="Source rows the export's own rule left out, counted by reason."
    )
    repeat_of: str | None = Field(
        default=None,
        description="Set when this answer is to a post whose rows, as parsed, equal this "
        "earlier batch's: nothing new was stored.",
    )


def batch_out(batch: Batch, contract_key: str, *, repeat_of: str | None = None) -> BatchOut:
    return BatchOut(
        id=batch.public_id,
        feed=batch.feed,
        contract=contract_key,
        contract_version=batch.contract_version,
        status=batch.status,
        rows=batch.rows,
        sha256=batch.sha256,
        columns=batch.column_names,
        file_name=batch.file_name,
        posted_by=batch.organisation.key,
        posted_by_key=batch.api_key.prefix if batch.api_key else None,
        posted_at=as_utc(batch.posted_at),
        idempotency_key=batch.idempotency_key,
        replaces=batch.replaces.public_id if batch.replaces else None,
        superseded_by=batch.superseded_by.public_id if batch.superseded_by else None,
        format=batch.format,
        dropped_columns=list(batch.dropped_columns),
        skipped_rows=dict(batch.skipped_rows),
        repeat_of=repeat_of,
    )
