"""The statements use cases, in one place for routers, reports and the CLI.

Each lives in the module of its use case: drafting, review (read, approve, void, disputes),
payments, balance, verification. Each write use case commits exactly once.
"""

from __future__ import annotations

from app.statements.balance import Balance, ContractFigures, contract_figures, vendor_balance
from app.statements.disputes import Outcome, open_dispute, resolve_dispute
from app.statements.drafting import draft_statement
from app.statements.payments import (
    contract_outstanding,
    outstanding,
    paid,
    record_contract_payment,
    record_payment,
)
from app.statements.review import (
    approval_checkpoint,
    approve_statement,
    get_statement,
    list_statements,
    void_statement,
)
from app.statements.verification import Verification, verify_statement

__all__ = [
    "Balance",
    "ContractFigures",
    "Outcome",
    "Verification",
    "approval_checkpoint",
    "approve_statement",
    "contract_figures",
    "contract_outstanding",
    "draft_statement",
    "get_statement",
    "list_statements",
    "open_dispute",
    "outstanding",
    "paid",
    "record_contract_payment",
    "record_payment",
    "resolve_dispute",
    "vendor_balance",
    "verify_statement",
    "void_statement",
]
