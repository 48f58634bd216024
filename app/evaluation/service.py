"""Evaluating a contract from its stored data (SPEC §1 "Evaluation result", §3).

The same engine as `tranche evaluate`: the roster and assessments are read as frames (latest
value wins by natural key), usage and schedule are summed per student in SQL within each
measure's window over the rows latest-value-wins keeps, and `app.engine.evaluate_from_totals`
does the rest. Statements and reports call
`evaluate_stored_contract`; the HTTP routes call `evaluate_for`.
"""

from __future__ import annotations

import functools
import hashlib
import json
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime

import pandas as pd
from sqlalchemy.orm import Session

from app.contracts.access import ANY_ROLE, contract_for
from app.contracts.definitions import stored_definition
from app.contracts.models import Contract, ContractVersion
from app.contracts.student_data import StudentView, per_student_columns, student_view
from app.engine import (
    ENGINE_VERSION,
    EvaluationResult,
    SumWindow,
    evaluate_from_totals,
    sum_windows,
)
from app.engine.definition import Definition
from app.engine.feed_schema import FEED_SCHEMAS, SUMMED_FEEDS, FeedName
from app.engine.obligations import ObligationRecord
from app.errors import Conflict, NotFound
from app.evaluation import kept_totals, repository
from app.evaluation.cache import EvaluationCache
from app.ingestion import repository as batches
from app.ingestion.export import feed_frame
from app.ingestion.models import Batch
from app.obligations import service as obligations
from app.principal import Principal


@dataclass(frozen=True)
class BatchRef:
    """A batch an evaluation read, as it was: enough to prove which data was used."""

    id: str
    feed: str
    sha256: str
    rows: int


@dataclass(frozen=True)
class StoredEvaluation:
    contract_key: str
    version: int
    as_of: date
    result: EvaluationResult
    batches: tuple[BatchRef, ...]  # exactly the batches whose rows were read, posting order
    fingerprint: str  # see `evaluation_fingerprint`


# Same fingerprint, same numbers: an evaluation is computed once per process (app/evaluation/cache.py).
EVALUATIONS: EvaluationCache[StoredEvaluation] = EvaluationCache()
# What an evaluation reads depends only on the batches read, each part on its own feeds':
# the roster frame on the roster batches, the assessments frame on the assessment batches,
# each summing measure's totals on the usage and schedule batches and the windows summed —
# not on as_of or the version's other terms. The last few of each are kept, so evaluating the
# same data at another date or under an amendment costs only the engine, and a new usage
# batch re-reads only the totals (at 1M students the roster and assessments are most of a
# cold read). The engine never writes into its input frames. Bounded by rows held: one
# 1M-student contract's frames (1M roster and ~3M assessment rows) and totals.
FRAME_FEEDS: tuple[FeedName, ...] = ("roster", "assessments")
FRAMES: EvaluationCache[pd.DataFrame] = EvaluationCache(max_students=4_000_000, max_entries=8)
SUMS: EvaluationCache[dict[str, pd.Series]] = EvaluationCache(max_entries=4)


def forget_inputs() -> None:
    """Drop every kept input (tests that change stored rows behind the service's back)."""
    FRAMES.clear()
    SUMS.clear()
    kept_totals.LATEST.clear()


def evaluate_stored_contract(
    session: Session,
    *,
    contract: Contract,
    as_of: date,
    batch_ids: Sequence[str] | None = None,
    version_number: int | None = None,
    records_until: datetime | None = None,
) -> StoredEvaluation:
    """Evaluate the version in force on ``as_of`` (SPEC §1 Lifecycle), or, given
    ``version_number``, that version (any, a proposed one too: to model an amendment, or to
    re-verify a statement under its own terms), on the stored data.

    ``batch_ids`` None reads the batches that count now (accepted ones); given, exactly those
    batches (accepted or since superseded, e.g. to re-verify an old statement), with the same
    latest-value-wins rule among them. Every obligation record counts (``as_of`` decides only
    whether an obligation is due), or with ``records_until`` those recorded by then.
    Access is the caller's business.
    """
    version = _version(contract, version_number, as_of)
    used = _batches(session, contract, batch_ids)
    refs = tuple(BatchRef(b.public_id, b.feed, b.sha256, b.rows) for b in used)
    records = obligations.engine_records(session, contract, recorded_until=records_until)
    fingerprint = evaluation_fingerprint(
        contract.key, version.version, version.definition_json, refs, as_of, records
    )
    return EVALUATIONS.compute_once(
        fingerprint,
        lambda: _evaluate(
            session,
            contract,
            version,
            used,
            refs,
            records,
            fingerprint,
            as_of,
            current=batch_ids is None,
        ),
        students=lambda evaluation: len(evaluation.result.detail.roster),
    )


def _evaluate(
    session: Session,
    contract: Contract,
    version: ContractVersion,
    used: Sequence[Batch],
    refs: tuple[BatchRef, ...],
    records: tuple[ObligationRecord, ...],
    fingerprint: str,
    as_of: date,
    *,
    current: bool,
) -> StoredEvaluation:
    definition = stored_definition(version.definition_json)
    frames, totals = _inputs(session, contract, definition, used, current=current)
    result = evaluate_from_totals(
        definition,
        frames["roster"],
        frames["assessments"],
        totals,
        as_of,
        version=version.version,
        obligations=records,  # records of obligations the version lacks are ignored
    )
    return StoredEvaluation(
        contract_key=contract.key,
        version=version.version,
        as_of=as_of,
        result=result,
        batches=refs,
        fingerprint=fingerprint,
    )


def _inputs(
    session: Session,
    contract: Contract,
    definition: Definition,
    used: Sequence[Batch],
    *,
    current: bool,
) -> tuple[dict[str, pd.DataFrame], dict[str, pd.Series]]:
    """The roster and assessments frames and the measures' totals, each from the kept ones
    when its own batches were read before, else read now (and kept). Totals are first
    moved from the contract's last ones by the batches added since, when that is cheaper
    (app/evaluation/kept_totals.py)."""
    ids_by_feed: dict[FeedName, list[int]] = {name: [] for name in FEED_SCHEMAS}
    for batch in used:
        ids_by_feed[batch.feed].append(batch.id)  # type: ignore[index]
    frame_keys = {feed: _inputs_key(used, (feed,)) for feed in FRAME_FEEDS}
    sums_key = _inputs_key(used, SUMMED_FEEDS, definition)
    frames: dict[str, pd.DataFrame] = {}
    for feed, key in frame_keys.items():
        kept = FRAMES.get(key)
        if kept is not None:
            frames[feed] = kept
    sums = SUMS.get(sums_key)
    latest_key = json.dumps([contract.id, _windows_key(definition)])
    if sums is None and current:
        sums = _moved_since(session, contract, definition, used, ids_by_feed, latest_key)
        if sums is not None:
            SUMS.put(sums_key, sums, students=kept_totals.counted(used, sums).students)
    missing = [feed for feed in FRAME_FEEDS if feed not in frames]
    if missing or sums is None:
        read = functools.partial(
            _read, session, contract, definition, ids_by_feed, missing, with_sums=sums is None
        )
        read_frames, read_sums = read(current=current)
        if current and _accepted_ids(session, contract) != ids_by_feed:
            # A batch committed while these were read and moved the current rows (and kept
            # totals): read exactly the batches of the fingerprint instead.
            read_frames, read_sums = read(current=False)
        for feed, frame in read_frames.items():
            frames[feed] = FRAMES.put(frame_keys[feed], frame, students=len(frame))
        if read_sums is not None:
            sums = SUMS.put(sums_key, read_sums, students=len(frames["roster"]))
    assert sums is not None  # kept, moved or read just above
    latest = kept_totals.counted(used, sums)
    kept_totals.LATEST.put(latest_key, latest, students=latest.students)
    return frames, sums


def _moved_since(
    session: Session,
    contract: Contract,
    definition: Definition,
    used: Sequence[Batch],
    ids_by_feed: dict[FeedName, list[int]],
    latest_key: str,
) -> dict[str, pd.Series] | None:
    """The totals of the contract's last evaluation under these windows, moved by the
    batches accepted since (app/evaluation/kept_totals.py), when that is cheaper than
    reading them all and no batch committed meanwhile."""
    base = kept_totals.LATEST.get(latest_key)
    added = kept_totals.added_since(base, used) if base is not None else None
    if base is None or added is None:
        return None
    moved = kept_totals.moved(session, contract.id, sum_windows(definition), base, added)
    if moved is None or _accepted_ids(session, contract) != ids_by_feed:
        return None
    return moved


def _inputs_key(
    used: Sequence[Batch], feeds: Sequence[str], definition: Definition | None = None
) -> str:
    """The batches of ``feeds`` read (by public id: never reused, unlike a row id after a
    rollback) and, for totals, the window each measure sums."""
    read = sorted(batch.public_id for batch in used if batch.feed in feeds)
    windows = _windows_key(definition) if definition is not None else []
    return json.dumps([list(feeds), read, windows])


def _windows_key(definition: Definition) -> list[tuple[str, str]]:
    return sorted((name, repr(window)) for name, window in sum_windows(definition).items())


def _read(
    session: Session,
    contract: Contract,
    definition: Definition,
    ids_by_feed: dict[FeedName, list[int]],
    feeds: Sequence[FeedName],
    *,
    with_sums: bool,
    current: bool,
) -> tuple[dict[FeedName, pd.DataFrame], dict[str, pd.Series] | None]:
    """The frames of ``feeds`` (the columns the engine reads) and, ``with_sums``, each
    summing measure's totals."""
    frames = {
        feed: feed_frame(
            feed,
            repository.latest_rows(
                session,
                feed,
                ids_by_feed[feed],
                FEED_SCHEMAS[feed].engine_names,
                current=current,
            ),
        )
        for feed in feeds
    }
    totals = (
        measure_totals_in_sql(
            session, definition, ids_by_feed, current=current, contract_id=contract.id
        )
        if with_sums
        else None
    )
    return frames, totals


def _accepted_ids(session: Session, contract: Contract) -> dict[FeedName, list[int]]:
    return {name: batches.accepted_batch_ids(session, contract, name) for name in FEED_SCHEMAS}


def evaluate_for(
    session: Session, *, principal: Principal, key: str, as_of: date, version: int | None = None
) -> StoredEvaluation:
    """The live evaluation, for the parties and the contract's auditors: under the version in
    force on `as_of`, or under `version` (any version, a proposed one too)."""
    contract = contract_for(session, principal, key, roles=ANY_ROLE)
    return evaluate_stored_contract(session, contract=contract, as_of=as_of, version_number=version)


def students_for(
    session: Session, *, principal: Principal, key: str, as_of: date, version: int | None = None
) -> tuple[StoredEvaluation, pd.DataFrame]:
    """The evaluation and its per-student detail, with only the columns the caller may see
    (SPEC §3: no roster flags for vendors and auditors without a raw grant)."""
    evaluation = evaluate_for(session, principal=principal, key=key, as_of=as_of, version=version)
    contract = contract_for(session, principal, key, roles=ANY_ROLE)
    students = evaluation.result.students
    if student_view(contract, principal) == StudentView.full:
        return evaluation, students
    detail = evaluation.result
    shown = per_student_columns(
        students.columns, measures=detail.detail.measures, metrics=detail.metrics
    )
    return evaluation, students[shown]


def evaluation_fingerprint(
    contract_key: str,
    version: int,
    definition_json: str,
    refs: Sequence[BatchRef],
    as_of: date,
    records: Sequence[ObligationRecord] = (),
) -> str:
    """SHA-256 over everything that decides the numbers: contract, version, definition, the
    batches read (id and content hash, sorted), the obligation records read (so a new record
    makes a drafted statement stale), engine version and as_of."""
    document = {
        "contract": contract_key,
        "version": version,
        "definition": json.loads(definition_json),
        "batches": sorted([ref.id, ref.sha256] for ref in refs),
        "obligation_records": [
            [r.sequence, r.obligation, r.party, r.status, r.recorded_at.isoformat()]
            for r in sorted(records, key=lambda record: record.sequence)
        ],
        "engine_version": ENGINE_VERSION,
        "as_of": as_of.isoformat(),
    }
    text = json.dumps(document, sort_keys=True, separators=(",", ":"))
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def _version(contract: Contract, number: int | None, as_of: date) -> ContractVersion:
    if number is None:
        in_force = contract.version_on(as_of)
        if in_force is None:
            raise Conflict(
                f"Contract '{contract.key}' has no version in force yet; "
                "evaluate a proposal with ?version=N."
            )
        return in_force
    for version in contract.versions:
        if version.version == number:
            return version
    raise NotFound(f"Contract '{contract.key}' has no version {number}.")


def _batches(session: Session, contract: Contract, batch_ids: Sequence[str] | None) -> list[Batch]:
    if batch_ids is None:
        return list(batches.accepted_batches(session, contract))
    found = list(batches.batches_by_public_ids(session, contract, list(batch_ids)))
    missing = set(batch_ids) - {batch.public_id for batch in found}
    if missing:
        raise NotFound(f"No batch {', '.join(sorted(missing))} on contract '{contract.key}'.")
    return found


def measure_totals_in_sql(
    session: Session,
    definition: Definition,
    ids_by_feed: dict[FeedName, list[int]],
    *,
    current: bool,
    contract_id: int | None = None,
) -> dict[str, pd.Series]:
    """Per summing measure, student_id → total in the feed's units (what the engine
    computes from rows): the totals kept at ingest when ``current`` and the contract's
    windows are kept, else all windows of a feed in one GROUP BY."""
    wanted = sum_windows(definition)
    totals: dict[SumWindow, pd.Series] = {}
    for feed in SUMMED_FEEDS:
        sums = sorted(
            {window for window in wanted.values() if window.feed == feed},
            key=lambda window: (window.field, window.start, window.end),
        )
        if sums:
            totals.update(
                repository.window_sums(
                    session,
                    feed,
                    ids_by_feed[feed],
                    sums,
                    current=current,
                    contract_id=contract_id,
                )
            )
    return {name: totals[window] for name, window in wanted.items()}
