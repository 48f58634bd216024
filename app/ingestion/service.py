"""Ingestion use cases (SPEC §2): accept a batch whole or not at all, exactly once.

A batch is parsed and checked completely before anything is written; then the batch row, all
of its data rows, the superseding of the batch it replaces and the audit entry go into the
database in one transaction, committed once.
"""

from __future__ import annotations

import hashlib
import uuid
from collections.abc import Sequence
from dataclasses import dataclass

from sqlalchemy.orm import Session

from app.clock import utcnow
from app.contracts import repository as contracts
from app.contracts.access import ANY_ROLE, DISTRICT, VENDOR, contract_for
from app.contracts.definitions import stored_definition
from app.contracts.models import Contract
from app.contracts.student_data import hidden_batch_columns
from app.engine.definition import Definition
from app.errors import Conflict, InvalidInput, NotFound, PayloadTooLarge
from app.feeds.columns import Feed
from app.feeds.formats import ParsedExport
from app.ingestion import repository
from app.ingestion.bulk import insert_rows, refresh_planner_statistics
from app.ingestion.export import batch_rows_csv
from app.ingestion.formats import parse_upload
from app.ingestion.models import Batch, BatchStatus
from app.ingestion.upload import Upload
from app.organisations.models import OrganisationKind, Role
from app.principal import Principal
from app.unit_of_work import UnitOfWork

POSTED_BY: dict[Feed, tuple[OrganisationKind, ...]] = {
    "roster": DISTRICT,
    "assessments": DISTRICT,
    "usage": VENDOR,
}
MAX_IDEMPOTENCY_KEY = 200


@dataclass(frozen=True)
class IngestOutcome:
    """The batch, and whether this request created it (False: a repeat of an earlier one)."""

    batch: Batch
    created: bool


def ingest_batch(
    session: Session,
    *,
    principal: Principal,
    key: str,
    feed: Feed,
    upload: Upload,
    idempotency_key: str | None = None,
    replaces: str | None = None,
    max_bytes: int,
    max_problems: int,
) -> IngestOutcome:
    contract = contract_for(session, principal, key, roles=POSTED_BY[feed], at_least=Role.preparer)
    version = contract.version_in_force
    if version is None:
        raise Conflict(
            f"Contract '{key}' is proposed, not active: data can be posted only once "
            "the vendor has accepted it."
        )
    if idempotency_key is not None and not 0 < len(idempotency_key) <= MAX_IDEMPOTENCY_KEY:
        raise InvalidInput(
            "The Idempotency-Key header is unusable.",
            [{"header": "Idempotency-Key", "reason": f"1 to {MAX_IDEMPOTENCY_KEY} characters"}],
        )
    if len(upload.content) > max_bytes:
        raise PayloadTooLarge(
            f"The upload is {len(upload.content):,} bytes, more than the limit of {max_bytes:,}."
        )
    request = _Request(
        principal, feed, hashlib.sha256(upload.content).hexdigest(), idempotency_key, replaces
    )
    earlier = _earlier_batch(session, contract, request)
    if earlier is not None:
        return IngestOutcome(earlier, created=False)
    replaced = _replaceable(session, contract, feed, replaces) if replaces else None

    definition = stored_definition(version.definition_json)
    roster_ids = None if feed == "roster" else effective_roster_ids(session, contract)
    # Parsed before the lock, so one slow upload does not hold up the contract's other feeds.
    export = _parsed(feed, upload, definition, roster_ids, max_bytes, max_problems)

    contracts.lock_contract(session, contract)
    if roster_ids is not None:
        # A roster correction may have committed while this batch was parsed: under the lock,
        # check its students against the roster as it is now (rarely differs; then re-check).
        current_roster = effective_roster_ids(session, contract)
        if current_roster != roster_ids:
            export = _parsed(feed, upload, definition, current_roster, max_bytes, max_problems)
    parsed = export.parsed
    # Decided again under the lock: a concurrent copy of this request may have just won.
    earlier = _earlier_batch(session, contract, request)
    if earlier is not None:
        return IngestOutcome(earlier, created=False)
    if replaced is not None:
        session.refresh(replaced)
        _check_replaceable(replaced, feed)

    with UnitOfWork(session, actor=principal) as uow:
        batch = repository.add_batch(
            session,
            Batch(
                public_id=str(uuid.uuid4()),
                contract_id=contract.id,
                contract_version=version.version,
                feed=feed,
                status=BatchStatus.accepted,
                rows=parsed.rows,
                sha256=parsed.sha256,
                columns=",".join(parsed.columns),
                format=export.format,
                dropped_columns=export.dropped_columns,
                skipped_rows=export.skipped_rows,
                file_name=upload.file_name,
                content_type=upload.content_type,
                idempotency_key=idempotency_key,
                organisation_id=principal.organisation_id,
                api_key_id=principal.api_key_id,
                posted_at=utcnow(),
                replaces=replaced,
            ),
        )
        insert_rows(session, feed=feed, batch_id=batch.id, frame=parsed.frame)
        if replaced is not None:
            replaced.status = BatchStatus.superseded
            replaced.superseded_by = batch
            session.flush()
        _audit(uow, contract, batch, replaced)
        uow.commit()
    refresh_planner_statistics(session, feed=feed, rows=batch.rows)
    return IngestOutcome(batch, created=True)


def _parsed(
    feed: Feed,
    upload: Upload,
    definition: Definition,
    roster_ids: set[str] | None,
    max_bytes: int,
    max_problems: int,
) -> ParsedExport:
    return parse_upload(
        feed, upload, definition, roster_ids, max_bytes=max_bytes, max_problems=max_problems
    )


@dataclass(frozen=True)
class _Request:
    principal: Principal
    feed: Feed
    sha256: str
    idempotency_key: str | None
    replaces: str | None


def _earlier_batch(session: Session, contract: Contract, request: _Request) -> Batch | None:
    """The batch this request repeats: the one posted under the same Idempotency-Key (if the
    request is the same), else an accepted batch with byte-identical content."""
    if request.idempotency_key is not None:
        keyed = repository.batch_by_idempotency_key(
            session, contract, request.principal.organisation_id, request.idempotency_key
        )
        if keyed is not None:
            if (
                keyed.feed == request.feed
                and keyed.sha256 == request.sha256
                and _replaces(keyed) == (request.replaces)
            ):
                return keyed
            raise Conflict(
                "This Idempotency-Key was already used for a different request "
                f"(batch {keyed.public_id}); use a new key for new content."
            )
    identical = repository.accepted_batch_with_content(
        session, contract, request.feed, request.sha256
    )
    if identical is None:
        return None
    if request.replaces in (None, _replaces(identical), identical.public_id):
        return identical
    raise Conflict(
        f"This content is already batch {identical.public_id}, which counts; replacing batch "
        f"{request.replaces} with the same content would count it twice."
    )


def _replaces(batch: Batch) -> str | None:
    return batch.replaces.public_id if batch.replaces else None


def _replaceable(session: Session, contract: Contract, feed: Feed, public_id: str) -> Batch:
    replaced = repository.batch_by_public_id(session, contract, public_id)
    if replaced is None:
        raise NotFound(f"No batch '{public_id}' on contract '{contract.key}'.")
    _check_replaceable(replaced, feed)
    return replaced


def _check_replaceable(replaced: Batch, feed: Feed) -> None:
    if replaced.feed != feed:
        raise Conflict(
            f"Batch {replaced.public_id} is a {replaced.feed} batch; a {feed} batch cannot "
            "replace it."
        )
    if replaced.status != BatchStatus.accepted:
        successor = replaced.superseded_by.public_id if replaced.superseded_by else "another"
        raise Conflict(
            f"Batch {replaced.public_id} was already replaced by batch {successor}; "
            "replace that one instead."
        )


def _audit(
    uow: UnitOfWork,
    contract: Contract,
    batch: Batch,
    replaced: Batch | None,
) -> None:
    details = {
        "feed": batch.feed,
        "rows": batch.rows,
        "sha256": batch.sha256,
        "file_name": batch.file_name,
        "format": batch.format,
        "dropped_columns": batch.dropped_columns,
        "replaces": replaced.public_id if replaced else None,
    }
    uow.record(
        action="batch.accepted",
        object_type="batch",
        object_id=batch.public_id,
        contract_key=contract.key,
        details=details,
    )
    if replaced is not None:
        uow.record(
            action="batch.superseded",
            object_type="batch",
            object_id=replaced.public_id,
            contract_key=contract.key,
            details={"feed": replaced.feed, "superseded_by": batch.public_id},
        )


def effective_roster_ids(session: Session, contract: Contract) -> set[str]:
    """The students on the contract's roster now: on any accepted roster batch."""
    roster = [
        batch.id
        for batch in repository.accepted_batches(session, contract)
        if batch.feed == "roster"
    ]
    return repository.roster_student_ids(session, roster)


def list_batches(
    session: Session, *, principal: Principal, key: str, feed: Feed | None = None
) -> tuple[Contract, Sequence[Batch]]:
    contract = contract_for(session, principal, key, roles=ANY_ROLE)
    return contract, repository.batches_of(session, contract, feed)


def get_batch(
    session: Session, *, principal: Principal, key: str, batch_id: str
) -> tuple[Contract, Batch]:
    contract = contract_for(session, principal, key, roles=ANY_ROLE)
    batch = repository.batch_by_public_id(session, contract, batch_id)
    if batch is None:
        raise NotFound(f"No batch '{batch_id}' on contract '{key}'.")
    return contract, batch


def get_batch_rows_csv(
    session: Session, *, principal: Principal, key: str, batch_id: str
) -> tuple[Batch, bytes]:
    """A batch's rows as CSV (superseded ones too: history is never hidden), as much of them
    as the reader may see (app/contracts/student_data.py)."""
    contract, batch = get_batch(session, principal=principal, key=key, batch_id=batch_id)
    hidden = hidden_batch_columns(
        contract, principal, feed=batch.feed, posted_by=batch.organisation_id
    )
    return batch, batch_rows_csv(session, batch, hide=hidden)
