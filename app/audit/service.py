"""Reading the audit log (auditors and districts): pages of entries and the chain's
verification. Entries are written only through the unit of work (app/unit_of_work.py)."""

from __future__ import annotations

import base64
import binascii
import json
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy.orm import Session

from app.audit import repository
from app.audit.checkpoints import keyring_of
from app.audit.models import AuditEntry
from app.audit.verification import ChainReport, verify_chain
from app.clock import as_utc
from app.contracts.access import contract_for, require_role, visible_contracts
from app.db import LARGEST_ID
from app.errors import InvalidInput
from app.organisations.models import OrganisationKind
from app.principal import Principal

# --- reading the log (auditors and districts) -------------------------------------------

READERS = (OrganisationKind.district, OrganisationKind.auditor)
MAX_PAGE = 1000


@dataclass(frozen=True)
class EntryView:
    entry: AuditEntry
    organisation_key: str | None


@dataclass(frozen=True)
class EntryPage:
    entries: list[EntryView]
    next_cursor: str | None


def list_entries(
    session: Session,
    *,
    principal: Principal,
    contract: str | None = None,
    action: str | None = None,
    since: datetime | None = None,
    until: datetime | None = None,
    cursor: str | None = None,
    limit: int = 100,
) -> EntryPage:
    """The entries the caller may see, oldest first. A district sees its contracts' entries
    and its own organisation's actions; an auditor the entries of contracts granting it."""
    require_role(principal, READERS)
    if contract is not None:
        contract_keys = [contract_for(session, principal, contract, roles=READERS).key]
        own_id = None
    else:
        contract_keys = [c.key for c in visible_contracts(session, principal)]
        own_id = principal.organisation_id if principal.kind == OrganisationKind.district else None
    entry_filter = repository.EntryFilter(
        contract_keys=contract_keys,
        own_organisation_id=own_id,
        action=action,
        since=as_utc(since) if since else None,
        until=as_utc(until) if until else None,
    )
    limit = max(1, min(limit, MAX_PAGE))
    rows = repository.entries_page(
        session, entry_filter, after_id=_after_id(cursor), limit=limit + 1
    )
    page, more = rows[:limit], len(rows) > limit
    keys = repository.organisation_keys(
        session, {e.organisation_id for e in page if e.organisation_id is not None}
    )
    views = [EntryView(e, keys.get(e.organisation_id) if e.organisation_id else None) for e in page]
    return EntryPage(views, _cursor_after(page[-1].id) if more else None)


def verify_log(session: Session, *, principal: Principal) -> ChainReport:
    """Recompute the whole chain (every organisation's entries: the chain is one) and check
    every checkpoint's signature against the public keys this service trusts."""
    require_role(principal, READERS)
    head = repository.chain_head(session)
    return verify_chain(repository.all_entries_in_chain_order(session), head, keyring_of(session))


def _cursor_after(entry_id: int) -> str:
    raw = json.dumps({"after": entry_id}, separators=(",", ":")).encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def _after_id(cursor: str | None) -> int:
    if cursor is None:
        return 0
    try:
        padded = cursor + "=" * (-len(cursor) % 4)
        after = json.loads(base64.urlsafe_b64decode(padded.encode()))["after"]
        if not isinstance(after, int) or not 0 <= after <= LARGEST_ID:
            raise ValueError
    except (ValueError, KeyError, TypeError, binascii.Error):
        raise InvalidInput(
            "Bad cursor.",
            [{"path": "cursor", "message": "pass the next_cursor of a previous page unchanged"}],
        ) from None
    return after
