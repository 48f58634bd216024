"""`tranche verify-bundle`: check an audit bundle offline, trusting nothing the server computed.

Only the engine, the feed parser and the signature primitives are used: no database, no
server (tests/bundles/test_purity.py keeps it so). What is checked, in order:

1. the archive's bytes (rebuilt canonically from its files, app/bundles/archive.py), the
   manifest's Ed25519 signature, under the bundle's public key or one pinned by the
   caller (`--public-key`), and every file's SHA-256 against the manifest;
2. every audit entry's hash, and every checkpoint's signature over the head it names; each
   approved statement's approval must be the head a valid checkpoint signs;
3. the evaluation and every approved statement, recomputed with the engine from the bundled
   contract versions and batch rows, line by line, and each statement's billing arithmetic
   (due = payable − previously billed, total = the sum of dues).

A bundle made for a reader who may not see some raw rows (SPEC §3) cannot be recomputed in
full; the report says so instead of pretending.
"""

from __future__ import annotations

import hashlib
import io
import json
import zipfile
import zlib
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from decimal import Decimal
from types import SimpleNamespace
from typing import TYPE_CHECKING, Any, cast

import pandas as pd
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey

from app.audit.chain import hash_of
from app.audit.signing import (
    SigningKeyError,
    checkpoint_message,
    key_id,
    public_key_from_text,
    signature_is_valid,
)
from app.bundles.archive import MANIFEST, SIGNATURE, canonical_zip
from app.engine import evaluate_contract, load_definition
from app.engine.definition import Definition
from app.engine.frames import empty_frame
from app.engine.obligations import ObligationRecord
from app.engine.problems import DefinitionError
from app.feeds import FeedRejected, parse_feed
from app.feeds.columns import NATURAL_KEYS, Feed

if TYPE_CHECKING:
    from app.audit.models import AuditEntry

CHECKPOINT = "audit.checkpoint"
FEED_ORDER: tuple[Feed, ...] = ("roster", "assessments", "usage", "schedule")


@dataclass
class BundleReport:
    failures: list[str] = field(default_factory=list)  # each names where: a file, an entry
    notes: list[str] = field(default_factory=list)  # what was checked, or could not be

    @property
    def ok(self) -> bool:
        return not self.failures


class _Stop(Exception):
    """The bundle cannot be read further (not a zip, no manifest, a broken signature)."""


def check_bundle(content: bytes, *, public_key: str | None = None) -> BundleReport:
    report = BundleReport()
    try:
        files, public = _authentic_files(content, public_key, report)
        entries = _check_audit_entries(files, public, report)
        versions = {v["version"]: v for v in _load(files, "contract/versions.json")}
        statements = _load(files, "statements.json")
        _check_approvals_signed(statements, entries, report)
        batches = _Batches(_load(files, "batches/index.json"), files)
        batches.records = _records(_load(files, "obligations.json"))
        _check_evaluation(_load(files, "evaluation.json"), versions, batches, report)
        _check_statements(statements, versions, batches, report)
    except _Stop as stop:
        report.failures.append(str(stop))
    return report


# --- 1. signature and hashes -------------------------------------------------------------


def _authentic_files(
    content: bytes, pinned: str | None, report: BundleReport
) -> tuple[dict[str, bytes], Ed25519PublicKey]:
    try:
        archive = zipfile.ZipFile(io.BytesIO(content))
        files = {name: archive.read(name) for name in archive.namelist()}
    except (
        zipfile.BadZipFile,
        zlib.error,
        EOFError,
        OSError,
        ValueError,
        NotImplementedError,
    ) as error:
        # A damaged archive: a changed byte in a header, a compressed stream or a checksum.
        raise _Stop(f"the file is not a readable zip archive: {error}") from None
    for name in (MANIFEST, SIGNATURE, "public_key.txt"):
        if name not in files:
            raise _Stop(f"{name}: missing from the bundle")
    canonical = canonical_zip(files)
    if canonical != content:
        at = next(
            (i for i, (a, b) in enumerate(zip(canonical, content, strict=False)) if a != b),
            min(len(canonical), len(content)),
        )
        report.failures.append(
            f"the archive differs from the canonical layout of its own files at byte {at}: "
            "its zip structure (a header, a timestamp, padding) was changed"
        )
    try:
        public = public_key_from_text(files["public_key.txt"].decode("ascii", "replace"))
        if pinned is not None and key_id(public_key_from_text(pinned)) != key_id(public):
            raise _Stop(
                f"public_key.txt: the bundle was signed with key {key_id(public)}, not with the "
                f"key you trust ({key_id(public_key_from_text(pinned))})"
            )
    except SigningKeyError as error:
        raise _Stop(f"public_key.txt: {error}") from None
    signature = files[SIGNATURE].decode("ascii", "replace").strip()
    if not signature_is_valid(public, files[MANIFEST], signature):
        raise _Stop(
            "manifest.sig: the signature does not verify: manifest.json was changed after it "
            "was signed, or signed by another key"
        )
    report.notes.append(
        f"manifest signed by key {key_id(public)}"
        + (
            ""
            if pinned
            else " (taken from the bundle: compare it with the service's published key)"
        )
    )
    manifest = _parse(MANIFEST, files[MANIFEST])
    listed: dict[str, str] = manifest.get("files", {})
    if manifest.get("key_id") != key_id(public):
        report.failures.append(f"{MANIFEST}: names key {manifest.get('key_id')}, signed by another")
    for name in sorted(set(files) - set(listed) - {MANIFEST, SIGNATURE}):
        report.failures.append(f"{name}: not listed in the manifest")
    for name, digest in sorted(listed.items()):
        if name not in files:
            report.failures.append(f"{name}: listed in the manifest but missing")
        elif hashlib.sha256(files[name]).hexdigest() != digest:
            report.failures.append(f"{name}: SHA-256 differs from the manifest: the file changed")
    report.notes.append(f"{len(listed)} files hashed")
    return files, public


# --- 2. audit entries and checkpoints ----------------------------------------------------


def _check_audit_entries(
    files: dict[str, bytes], public: Ed25519PublicKey, report: BundleReport
) -> dict[int, dict[str, Any]]:
    entries = {e["id"]: e for e in _load(files, "audit/entries.json")}
    signed = 0
    for entry in entries.values():
        where = f"audit/entries.json: entry {entry['id']}"
        try:
            # The service's own hash function, over the entry as bundled: one rule, not two.
            fields = {**entry, "recorded_at": _moment(entry["recorded_at"])}
            recomputed = hash_of(cast("AuditEntry", SimpleNamespace(**fields)))
        except (KeyError, TypeError, ValueError, AttributeError) as error:
            report.failures.append(f"{where}: unreadable ({error})")
            continue
        if recomputed != entry["entry_hash"]:
            report.failures.append(f"{where}: content does not match its entry_hash")
            continue
        if entry["action"] != CHECKPOINT:
            continue
        details = json.loads(entry["details"])
        head_id, head_hash = details.get("head_entry_id"), details.get("head_hash")
        message = checkpoint_message(head_id, str(head_hash))
        if details.get("key_id") != key_id(public):
            report.notes.append(f"{where}: signed by key {details.get('key_id')}, not checked")
        elif not signature_is_valid(public, message, str(details.get("signature"))):
            report.failures.append(f"{where}: the checkpoint's signature does not verify")
        elif head_hash != entry["previous_hash"]:
            report.failures.append(f"{where}: signs a head other than the entry before it")
        elif head_id in entries and entries[head_id]["entry_hash"] != head_hash:
            report.failures.append(f"{where}: entry {head_id} differs from the head it signed")
        else:
            signed += 1
    report.notes.append(f"{len(entries)} audit entries hashed, {signed} checkpoints verified")
    return entries


def _check_approvals_signed(
    statements: list[dict[str, Any]], entries: dict[int, dict[str, Any]], report: BundleReport
) -> None:
    signs = {
        json.loads(e["details"]).get("head_entry_id"): e
        for e in entries.values()
        if e["action"] == CHECKPOINT
    }
    for statement in statements:
        if statement["status"] != "approved":
            continue
        approvals = [
            e
            for e in entries.values()
            if e["action"] == "statement.approved" and e["object_id"] == statement["id"]
        ]
        where = f"statements.json: statement {statement['id']}"
        if not approvals:
            report.failures.append(f"{where}: approved, but no approval entry in the audit log")
            continue
        checkpoint = signs.get(approvals[-1]["id"])
        shown = statement.get("audit_checkpoint")
        if checkpoint is None:
            if shown is not None:
                report.failures.append(f"{where}: shows a checkpoint the audit log lacks")
            else:
                report.notes.append(f"{where}: approved without a signed checkpoint")
            continue
        details = json.loads(checkpoint["details"])
        if shown is None or shown.get("signature") != details.get("signature"):
            report.failures.append(f"{where}: its audit_checkpoint differs from the audit log's")


# --- 3. recomputation --------------------------------------------------------------------


class _Batches:
    def __init__(self, index: list[dict[str, Any]], files: dict[str, bytes]) -> None:
        self.by_id = {batch["id"]: batch for batch in index}
        self.order = [batch["id"] for batch in index]  # posting order
        self.files = files
        self.records: list[ObligationRecord] = []

    def withheld(self, ids: Sequence[str]) -> list[str]:
        return [i for i in ids if i not in self.by_id or not self.by_id[i].get("file")]

    def frames(self, ids: Sequence[str], definition: Definition) -> dict[Feed, pd.DataFrame]:
        chosen = [i for i in self.order if i in set(ids)]
        frames: dict[Feed, pd.DataFrame] = {}
        for feed in FEED_ORDER:
            parsed = [
                _parse_rows(feed, self.by_id[i], self.files, definition)
                for i in chosen
                if self.by_id[i]["feed"] == feed
            ]
            if not parsed:  # no batch of this feed yet: the engine's empty frame
                frames[feed] = empty_frame(feed)
                continue
            frame = pd.concat(parsed, ignore_index=True)
            # Latest value wins in every feed (SPEC §2); a blank session_id is a key part.
            keys = list(NATURAL_KEYS[feed])
            frame = frame.drop_duplicates(subset=keys, keep="last").reset_index(drop=True)
            frames[feed] = frame
        return frames


def _parse_rows(
    feed: Feed, batch: dict[str, Any], files: dict[str, bytes], definition: Definition
) -> pd.DataFrame:
    try:
        parsed = parse_feed(
            feed,
            files[batch["file"]],
            term_start=definition.term.start,
            term_end=definition.term.end,
        )
    except FeedRejected as rejected:
        raise _Stop(f"{batch['file']}: the rows do not parse: {rejected.message}") from None
    return parsed.frame


def _evaluate(
    versions: dict[int, dict[str, Any]],
    batches: _Batches,
    *,
    version: int,
    as_of: date,
    batch_ids: Sequence[str],
    where: str,
    records_until: datetime | None = None,
) -> dict[str, Any]:
    if version not in versions:
        raise _Stop(f"{where}: version {version} is not in contract/versions.json")
    try:
        definition = load_definition(versions[version]["definition"])
    except DefinitionError as error:
        raise _Stop(f"contract/versions.json: version {version} does not load: {error}") from None
    frames = batches.frames(batch_ids, definition)
    records = [
        r for r in batches.records if records_until is None or r.recorded_at <= records_until
    ]
    result = evaluate_contract(
        definition,
        frames["roster"],
        frames["assessments"],
        frames["usage"],
        as_of,
        version,
        schedule=frames["schedule"],
        obligations=records,
    )
    return result.to_json()


def _check_evaluation(
    stated: dict[str, Any],
    versions: dict[int, dict[str, Any]],
    batches: _Batches,
    report: BundleReport,
) -> None:
    withheld = batches.withheld(stated["batches"])
    if withheld:
        report.notes.append(
            f"evaluation.json: not recomputed: {len(withheld)} batch(es) it read are withheld "
            "from this bundle's reader (SPEC §3; the district can grant raw access)"
        )
        return
    recomputed = _evaluate(
        versions,
        batches,
        version=stated["version"],
        as_of=date.fromisoformat(stated["as_of"]),
        batch_ids=stated["batches"],
        where="evaluation.json",
    )
    before = len(report.failures)
    for path, old, new in _differences(
        {k: v for k, v in stated.items() if k not in ("fingerprint", "batches")}, recomputed
    ):
        report.failures.append(f"evaluation.json: {path} is {old!r}, recomputed {new!r}")
    if len(report.failures) == before:
        report.notes.append("evaluation.json: recomputed with the engine, every figure matches")


def _check_statements(
    statements: list[dict[str, Any]],
    versions: dict[int, dict[str, Any]],
    batches: _Batches,
    report: BundleReport,
) -> None:
    billed: dict[str, Decimal] = {}
    approved = sorted(
        (s for s in statements if s["status"] == "approved"), key=lambda s: s["approval_number"]
    )
    for statement in approved:
        where = f"statements.json: statement {statement['id']}"
        _check_billing(statement, billed, where, report)
        for line in statement["lines"]:
            billed[line["tranche"]] = billed.get(line["tranche"], Decimal(0)) + Decimal(line["due"])
        ids = [b["id"] for b in statement["batches"]]
        if batches.withheld(ids):
            report.notes.append(f"{where}: lines not recomputed (batches withheld, SPEC §3)")
            continue
        fresh = _evaluate(
            versions,
            batches,
            version=statement["version"],
            as_of=date.fromisoformat(statement["as_of"]),
            batch_ids=ids,
            where=where,
            # The obligation records its draft read: those recorded before it was drafted.
            records_until=_moment(statement["created_at"]),
        )
        tranches = {t["key"]: t for t in fresh["tranches"]}
        for line in statement["lines"]:
            tranche = tranches.get(line["tranche"])
            if tranche is None or tranche["status"] == "pending":
                expected = {"earned": "0.00", "held": "0.00", "payable": "0.00"}
            else:
                expected = {name: tranche[name] for name in ("status", "earned", "held", "payable")}
            for name, value in expected.items():
                if str(line[name]) != value:
                    report.failures.append(
                        f"{where}: line {line['tranche']} {name} is {line[name]}, recomputed {value}"
                    )
    report.notes.append(f"{len(approved)} approved statement(s) checked")


def _check_billing(
    statement: dict[str, Any], billed: dict[str, Decimal], where: str, report: BundleReport
) -> None:
    total = Decimal(0)
    for line in statement["lines"]:
        previously = billed.get(line["tranche"], Decimal(0))
        if Decimal(line["previously_billed"]) != previously:
            report.failures.append(
                f"{where}: line {line['tranche']} previously_billed is "
                f"{line['previously_billed']}, earlier approved statements billed {previously}"
            )
        expected = (
            Decimal(0) if line.get("held_for_review") else Decimal(line["payable"]) - previously
        )
        if Decimal(line["due"]) != expected:
            report.failures.append(
                f"{where}: line {line['tranche']} due is {line['due']}, expected {expected}"
            )
        total += Decimal(line["due"])
    if Decimal(statement["total_due"]) != total:
        report.failures.append(
            f"{where}: total_due is {statement['total_due']}, its lines add up to {total}"
        )


# --- reading -----------------------------------------------------------------------------


def _moment(text: str) -> datetime:
    moment = datetime.fromisoformat(text.replace("Z", "+00:00"))
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def _records(documents: list[dict[str, Any]]) -> list[ObligationRecord]:
    try:
        return [
            ObligationRecord(**{**d, "recorded_at": _moment(d["recorded_at"])}) for d in documents
        ]
    except (KeyError, TypeError, ValueError) as error:
        raise _Stop(f"obligations.json: unreadable ({error})") from None


def _parse(name: str, data: bytes) -> Any:
    try:
        return json.loads(data)
    except (UnicodeDecodeError, json.JSONDecodeError) as error:
        raise _Stop(f"{name}: not valid JSON ({error})") from None


def _load(files: dict[str, bytes], name: str) -> Any:
    if name not in files:
        raise _Stop(f"{name}: missing from the bundle")
    return _parse(name, files[name])


def _differences(stated: Any, fresh: Any, path: str = "") -> list[tuple[str, Any, Any]]:
    if isinstance(stated, dict) and isinstance(fresh, dict):
        found = []
        for name in sorted(set(stated) | set(fresh)):
            found += _differences(stated.get(name), fresh.get(name), f"{path}.{name}".lstrip("."))
        return found
    if isinstance(stated, list) and isinstance(fresh, list) and len(stated) == len(fresh):
        found = []
        for number, (old, new) in enumerate(zip(stated, fresh, strict=True)):
            found += _differences(old, new, f"{path}[{number}]")
        return found
    return [] if stated == fresh else [(path, stated, fresh)]
