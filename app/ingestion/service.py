"""Ingestion use cases (SPEC §2): accept a batch whole or not at all, exactly once.

A batch is parsed and checked completely before anything is written; then the batch row, all
of its data rows, the latest-value flags (``app.ingestion.current``), the superseding of the
batch it replaces, the per-student totals of the summed feeds (``app.ingestion.totals``), the
checks across batches and the audit entry go into the database in one transaction, committed
once. A batch whose rows, as parsed, equal an earlier batch's of the
feed is a repeat: nothing is stored and the earlier batch is returned.
"""

from __future__ import annotations

import hashlib
import uuid
from collections.abc import Sequence
from collections.abc import Set as AbstractSet
from dataclasses import asdict, dataclass
from typing import NoReturn

from sqlalchemy.orm import Session

from app.clock import utcnow
from app.contracts import repository as contracts
from app.contracts.access import ANY_ROLE, DISTRICT, VENDOR, contract_for
from app.contracts.definitions import stored_definition
from app.contracts.models import Contract
from app.contracts.student_data import hidden_batch_columns
from app.engine.definition import Definition
from app.engine.feed_schema import FEED_SCHEMAS
from app.errors import Conflict, InvalidInput, NotFound, PayloadTooLarge
from app.feeds import ParsedFeed, RowProblem, rows_digest
from app.feeds.columns import Feed
from app.feeds.formats import ParsedExport
from app.feeds.problems import summary
from app.ingestion import overlap, repository, totals
from app.ingestion.bulk import insert_rows
from app.ingestion.current import mark_current, plan_for_new_rows
from app.ingestion.daily import over_daily_maximum
from app.ingestion.export import batch_rows_csv
from app.ingestion.formats import parse_upload
from app.ingestion.models import Batch, BatchStatus
from app.ingestion.roster import effective_roster
from app.ingestion.statistics import refresh_after_load
from app.ingestion.upload import Upload
from app.organisations.models import OrganisationKind, Role
from app.principal import Principal
from app.unit_of_work import UnitOfWork

POSTED_BY: dict[Feed, tuple[OrganisationKind, ...]] = {
    name: DISTRICT if schema.posted_by == "district" else VENDOR
    for name, schema in FEED_SCHEMAS.items()
}
MAX_IDEMPOTENCY_KEY = 200


@dataclass(frozen=True)
class IngestOutcome:
    """The batch, and whether this request created it (False: the batch an Idempotency-Key
    names, or the earlier batch with the same rows, then ``repeat_of`` says which)."""

    batch: Batch
    created: bool
    repeat_of: str | None = None


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
    keyed = _keyed_batch(session, contract, request)
    if keyed is not None:
        return IngestOutcome(keyed, created=False)
    replaced = _replaceable(session, contract, feed, replaces) if replaces else None

    definition = stored_definition(version.definition_json)
    roster = None if feed == "roster" else effective_roster(session, contract)
    roster_ids = None if roster is None else roster.student_ids
    # Parsed before the lock, so one slow upload does not hold up the contract's other feeds.
    export = _parsed(feed, upload, definition, roster_ids, max_bytes, max_problems)

    contracts.lock_contract(session, contract)
    if roster is not None:
        # A roster correction may have committed while this batch was parsed: under the lock,
        # check its students against the roster as it is now (rarely differs; then re-check).
        current_roster = effective_roster(session, contract, known=roster)
        if current_roster is not roster:
            export = _parsed(
                feed, upload, definition, current_roster.student_ids, max_bytes, max_problems
            )
    parsed = export.parsed
    # Decided under the lock: a concurrent copy of this request may have just won.
    keyed = _keyed_batch(session, contract, request)
    if keyed is not None:
        return IngestOutcome(keyed, created=False)
    if replaced is not None:
        session.refresh(replaced)
        _check_replaceable(replaced, feed)

    with UnitOfWork(session, actor=principal) as uow:
        accepted_ids = repository.accepted_batch_ids(session, contract, feed)
        earlier_ids = [
            batch_id for batch_id in accepted_ids if replaced is None or batch_id != replaced.id
        ]
        spans = totals.prepare_spans(session, contract, feed, accepted_ids)
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
                rows_sha256=None,  # set below, once worked out while the rows are stored
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
        # The earlier rows on the batch's days, read before its own rows are stored: the
        # pages those fill are not summarized in the BRIN indexes until after the commit
        # (app/ingestion/statistics.py), so a read after them would scan them all (a month
        # at 1M students: 1.9 s for no row).
        meets = None
        if earlier_ids and overlap.applies(session, feed, replaced.id if replaced else None):
            meets = overlap.read_overlap(session, feed, earlier_ids, parsed.frame)
        # The digest and the new rows' totals are worked out while PostgreSQL stores the
        # rows, not before: that is time it spends anyway (a month at 1M students: ~3 s).
        digest, added = insert_rows(
            session,
            feed=feed,
            batch_id=batch.id,
            frame=parsed.frame,
            meanwhile=lambda: (
                rows_digest(feed, parsed.frame),
                totals.frame_sums(feed, spans, parsed.frame),
            ),
        )
        if replaced is None:
            # A replacement is never a repeat: posting the same rows to replace a batch says
            # that batch is wrong and these rows are right. A repeat leaves the unit of work
            # uncommitted: rolled back, nothing of this batch is stored.
            repeated = repository.batch_with_rows(session, contract, feed, digest)
            if repeated is not None:
                return IngestOutcome(repeated, created=False, repeat_of=repeated.public_id)
        batch.rows_sha256 = digest
        session.flush()  # alone: with the replaced batch's superseded_by it would be a cycle
        plan_for_new_rows(session)
        if replaced is not None:
            replaced.status = BatchStatus.superseded
            replaced.superseded_by = batch
            session.flush()
        mark_current(
            session,
            feed=feed,
            batch_id=batch.id,
            earlier_ids=earlier_ids,
            replaced_id=replaced.id if replaced is not None else None,
            spans=spans,
            added=added,
            overlap=meets,
        )
        if earlier_ids:  # within the batch alone, the parser has checked it already
            _check_across_batches(session, parsed, batch.id, earlier_ids, max_problems, meets)
        _audit(uow, contract, batch, replaced)
        uow.commit()
    refresh_after_load(session, feed=feed, rows=batch.rows)
    return IngestOutcome(batch, created=True)


def _check_across_batches(
    session: Session,
    parsed: ParsedFeed,
    batch_id: int,
    earlier_ids: list[int],
    max_problems: int,
    meets: overlap.Overlap | None,
) -> None:
    if meets is not None:
        problems, total = overlap.over_daily_maximum(meets, parsed.lines, max_problems)
    else:
        problems, total = over_daily_maximum(
            session,
            feed=parsed.feed,
            batch_id=batch_id,
            counted_ids=[*earlier_ids, batch_id],
            lines=parsed.lines,
            max_problems=max_problems,
        )
    if total:
        _refuse(summary(parsed.feed, problems, total), problems, total)


def _refuse(message: str, problems: list[RowProblem], total: int) -> NoReturn:
    raise InvalidInput(
        message,
        [asdict(problem) for problem in problems],
        extra={"total": total},
    )


def _parsed(
    feed: Feed,
    upload: Upload,
    definition: Definition,
    roster_ids: AbstractSet[str] | None,
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


def _keyed_batch(session: Session, contract: Contract, request: _Request) -> Batch | None:
    """The batch posted under this request's Idempotency-Key, if the request is the same;
    the same key for a different request is a conflict."""
    if request.idempotency_key is None:
        return None
    keyed = repository.batch_by_idempotency_key(
        session, contract, request.principal.organisation_id, request.idempotency_key
    )
    if keyed is None:
        return None
    if (
        keyed.feed == request.feed
        and keyed.sha256 == request.sha256
        and _replaces(keyed) == request.replaces
    ):
        return keyed
    raise Conflict(
        "This Idempotency-Key was already used for a different request "
        f"(batch {keyed.public_id}); use a new key for new content."
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
