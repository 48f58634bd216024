"""Every table, imported in one place so Alembic and the tests see the whole schema."""

import app.ingestion.models
import app.obligations.models
import app.reports.models
import app.statements.models
import app.web.models  # noqa: F401 - registers the tables of these domains
from app.audit.models import AuditChainHead, AuditEntry
from app.contracts.models import AuditorGrant, Contract, ContractVersion
from app.db import Base
from app.organisations.models import AccessEpoch, ApiKey, Organisation, Person

__all__ = [
    "AccessEpoch",
    "ApiKey",
    "AuditChainHead",
    "AuditEntry",
    "AuditorGrant",
    "Base",
    "Contract",
    "ContractVersion",
    "Organisation",
    "Person",
]
