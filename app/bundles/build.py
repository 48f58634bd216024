"""The audit bundle (SPEC §3): one zip with everything needed to re-check a contract offline.

    manifest.json             what the bundle is, for whom, and the SHA-256 of every other file
    manifest.sig              Ed25519 signature (base64) of manifest.json's exact bytes
    public_key.txt            the public key (base64) that signed it and the checkpoints
    contract/versions.json    every version with its definition
    batches/index.json        every batch's provenance; which rows this reader received
    batches/<id>.csv          a batch's rows, as much of them as the reader may see (§3)
    statements.json           every statement as the API shows it, lines and payments included
    payments.json             every payment, by statement
    obligations.json          every obligation record, as the engine reads them
    evaluation.json           the §1 evaluation at `as_of`, its fingerprint and batches read
    evaluation/students.csv   the per-student detail, as much of it as the reader may see
    audit/entries.json        the contract's audit entries and the chain's checkpoints

`tranche verify-bundle` (app/bundles/check.py) checks it with no server and no database.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import asdict, dataclass
from datetime import date
from typing import Any

from sqlalchemy.orm import Session

from app.audit import repository as audit_log
from app.audit.chain import canonical_moment
from app.audit.checkpoints import require_signing
from app.audit.models import AuditEntry
from app.audit.signing import public_key_text
from app.bundles.archive import MANIFEST, SIGNATURE, canonical_zip
from app.clock import utcnow
from app.contracts.access import ANY_ROLE, contract_for
from app.contracts.models import Contract
from app.contracts.student_data import hidden_batch_columns, student_view
from app.errors import Forbidden
from app.evaluation.service import evaluate_stored_contract, students_for
from app.evaluation.students import students_csv
from app.ingestion import repository as ingestion
from app.ingestion.export import batch_rows_csv
from app.ingestion.models import Batch
from app.obligations import service as obligations
from app.principal import Principal
from app.statements import repository as statements
from app.statements.responses import statement_out
from app.statements.review import approval_checkpoint

BUNDLE_FORMAT = "tranche-audit-bundle/1"


@dataclass(frozen=True)
class AuditBundle:
    content: bytes
    file_name: str


def audit_bundle(session: Session, *, principal: Principal, key: str, as_of: date) -> AuditBundle:
    """The bundle of contract `key` for a party or a granted auditor, evaluated at `as_of`."""
    contract = contract_for(session, principal, key, roles=ANY_ROLE)
    signer = require_signing(session, "No audit bundle can be signed here.")
    files: dict[str, bytes] = {
        "contract/versions.json": _json(_versions(contract)),
        "public_key.txt": (public_key_text(signer.public) + "\n").encode(),
    }
    index, rows = _batches(session, contract, principal)
    files["batches/index.json"] = _json(index)
    files.update(rows)
    statement_documents = [
        statement_out(s, checkpoint=approval_checkpoint(session, s)).model_dump(mode="json")
        for s in statements.statements_of_contract(session, contract.id)
    ]
    files["statements.json"] = _json(statement_documents)
    files["payments.json"] = _json(
        [{"statement": s["id"], **p} for s in statement_documents for p in s["payments"]]
    )
    files["obligations.json"] = _json(
        [
            {**asdict(record), "recorded_at": canonical_moment(record.recorded_at)}
            for record in obligations.engine_records(session, contract)
        ]
    )
    evaluation = evaluate_stored_contract(session, contract=contract, as_of=as_of)
    files["evaluation.json"] = _json(
        {
            **evaluation.result.to_json(),
            "fingerprint": evaluation.fingerprint,
            "batches": [ref.id for ref in evaluation.batches],
        }
    )
    _, students = students_for(session, principal=principal, key=key, as_of=as_of)
    files["evaluation/students.csv"] = students_csv(students)
    files["audit/entries.json"] = _json(
        [entry_document(e) for e in audit_log.contract_entries(session, contract.key)]
    )
    head = audit_log.chain_head(session)
    manifest = _json(
        {
            "format": BUNDLE_FORMAT,
            "contract": contract.key,
            "as_of": as_of.isoformat(),
            "generated_at": canonical_moment(utcnow()),
            "generated_for": {
                "organisation": principal.organisation_key,
                "kind": principal.kind.value,
                "view": student_view(contract, principal).value,
            },
            "chain_head": {"entry_id": head.last_entry_id, "hash": head.last_hash},
            "key_id": signer.key_id,
            "files": {
                path: hashlib.sha256(data).hexdigest() for path, data in sorted(files.items())
            },
        }
    )
    files[MANIFEST] = manifest
    files[SIGNATURE] = (signer.sign(manifest) + "\n").encode()
    return AuditBundle(canonical_zip(files), f"{contract.key}-audit-bundle-{as_of.isoformat()}.zip")


def entry_document(entry: AuditEntry) -> dict[str, Any]:
    """Every column of an entry, so whatever its hash covers (app/audit/chain.py) travels."""
    document = {column.key: getattr(entry, column.key) for column in AuditEntry.__mapper__.columns}
    document["recorded_at"] = canonical_moment(entry.recorded_at)
    return document


def _versions(contract: Contract) -> list[dict[str, Any]]:
    return [
        {
            "version": v.version,
            "status": v.status.value,
            "proposed_at": canonical_moment(v.proposed_at),
            "accepted_at": canonical_moment(v.accepted_at) if v.accepted_at else None,
            "definition": json.loads(v.definition_json),
        }
        for v in contract.versions
    ]


def _batches(
    session: Session, contract: Contract, principal: Principal
) -> tuple[list[dict[str, Any]], dict[str, bytes]]:
    index, rows = [], {}
    for batch in ingestion.batches_of(session, contract):
        entry = _batch_document(batch)
        try:
            hidden = hidden_batch_columns(
                contract, principal, feed=batch.feed, posted_by=batch.organisation_id
            )
        except Forbidden as refused:
            entry.update(file=None, withheld=refused.detail)
        else:
            path = f"batches/{batch.public_id}.csv"
            rows[path] = batch_rows_csv(session, batch, hide=hidden)
            entry.update(file=path, hidden_columns=list(hidden))
        index.append(entry)
    return index, rows


def _batch_document(batch: Batch) -> dict[str, Any]:
    return {
        "id": batch.public_id,
        "feed": batch.feed,
        "status": batch.status.value,
        "rows": batch.rows,
        "sha256": batch.sha256,
        "posted_by": batch.organisation.key,
        "posted_at": canonical_moment(batch.posted_at),
        "replaces": batch.replaces.public_id if batch.replaces else None,
    }


def _json(document: Any) -> bytes:
    return json.dumps(document, indent=1, sort_keys=True, ensure_ascii=False).encode("utf-8")
