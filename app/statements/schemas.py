"""What the statements API takes and sends back. Money is a decimal string with two places."""

from __future__ import annotations

import re
from datetime import date, datetime
from decimal import Decimal
from typing import Annotated, Any

from pydantic import BaseModel, BeforeValidator, Field, PlainSerializer, WithJsonSchema

from app.audit.schemas import SignedHead
from app.engine.fields import MAX_AMOUNT
from app.engine.money import money_text
from app.statements.disputes import Outcome

MONEY_TEXT = re.compile(r"-?\d{1,13}(\.\d{1,2})?")


def _money_in(value: Any) -> Decimal:
    # JSON numbers are binary floats in most clients: money must arrive as a string. Plain
    # digits only: "1e30" or a 5000-digit number is refused here, never parsed or overflowed.
    if not isinstance(value, str):
        raise ValueError('money is a decimal string such as "1250.00", never a JSON number')
    text = value.strip()
    if not MONEY_TEXT.fullmatch(text):
        shown = text if len(text) <= 20 else f"{text[:17]}..."
        raise ValueError(
            f"'{shown}' is not an amount of whole cents written plainly, such as \"1250.00\""
        )
    amount = Decimal(text)
    if abs(amount) > MAX_AMOUNT:
        raise ValueError(f"an amount is at most {MAX_AMOUNT} either way")
    return amount.quantize(Decimal("0.01"))


MONEY_SCHEMA = {"type": "string", "pattern": r"^-?\d+\.\d{2}$", "examples": ["1250.00"]}
MONEY_INPUT_SCHEMA = {"type": "string", "pattern": r"^-?\d+(\.\d{1,2})?$", "examples": ["1250.00"]}

MoneyOut = Annotated[
    Decimal, PlainSerializer(money_text, return_type=str), WithJsonSchema(MONEY_SCHEMA)
]
MoneyIn = Annotated[Decimal, BeforeValidator(_money_in), WithJsonSchema(MONEY_INPUT_SCHEMA)]


class DraftRequest(BaseModel):
    as_of: date = Field(description="The date the statement is made up to (SPEC §1 `as_of`).")


class PaymentRequest(BaseModel):
    amount: MoneyIn = Field(
        description="Positive: a payment to the vendor; negative: a refund received from it. "
        "Never takes the contract's outstanding past zero."
    )
    paid_on: date
    reference: str = Field(min_length=1, max_length=200, description="e.g. the check number.")


class DisputeRequest(BaseModel):
    line: str = Field(min_length=1, max_length=64, description="A tranche key on the statement.")
    reason: str = Field(min_length=1, max_length=5000)


class ResolveRequest(BaseModel):
    outcome: Outcome = Field(
        description="upheld: the vendor is right (the draft cannot be approved as it stands); "
        "rejected: the line stands."
    )
    note: str = Field(min_length=1, max_length=5000)


class ApproveRequest(BaseModel):
    override_reason: str | None = Field(
        default=None,
        max_length=5000,
        description="Why the statement may be approved while a dispute on it is open; "
        "recorded on the statement and in the audit log.",
    )


class LineOut(BaseModel):
    tranche: str
    status: str = Field(description="The tranche's status: earned, not_earned or indeterminate.")
    held_for_review: bool = Field(
        description="Indeterminate now: due 0.00, and what was billed before stays billed "
        "until a person reviews it."
    )
    earned: MoneyOut
    held: MoneyOut
    payable: MoneyOut
    previously_billed: MoneyOut = Field(
        description="Sum of this tranche's `due` on earlier approved statements."
    )
    due: MoneyOut = Field(description="payable − previously_billed; negative is a credit.")
    explanation: str
    disputed: bool = Field(description="An open dispute stands against this line.")


class BatchOut(BaseModel):
    id: str
    feed: str
    sha256: str
    rows: int


class PaymentOut(BaseModel):
    id: int
    statement: str | None = Field(description="The statement it was recorded against, if any.")
    amount: MoneyOut = Field(description="Negative: a refund received from the vendor.")
    paid_on: date
    reference: str
    recorded_at: datetime
    recorded_by: str | None


class ContractPaymentOut(PaymentOut):
    contract: str
    outstanding: MoneyOut = Field(
        description="The contract's outstanding after it: approved − payments; negative: the "
        "vendor owes the district."
    )


class DisputeOut(BaseModel):
    id: str
    statement: str
    line: str
    reason: str
    status: str = Field(description="open or resolved")
    outcome: str | None = Field(description="upheld or rejected, once resolved.")
    opened_at: datetime
    opened_by: str | None
    resolved_at: datetime | None
    resolved_by: str | None
    resolution_note: str | None


class StatusChange(BaseModel):
    status: str
    at: datetime
    by: str | None = Field(description="The organisation that made the change.")
    actor: str | None = Field(description="The person or system that made it.")


class StatementOut(BaseModel):
    id: str
    contract: str
    version: int
    as_of: date
    status: str
    lines: list[LineOut]
    total_due: MoneyOut
    fingerprint: str = Field(description="SHA-256 over version, definition, batches, engine.")
    engine_version: str
    batches: list[BatchOut]
    approval_number: int | None = Field(description="1 for the contract's first approval, …")
    created_at: datetime
    drafted_by: str | None = Field(description="The person or system that drafted it.")
    audit_head: str | None = Field(description="The audit chain's head hash when drafted.")
    approved_at: datetime | None
    approved_by: str | None = Field(description="The person or system that approved it.")
    override_reason: str | None = Field(
        description="Why it was approved while a dispute was open; null when none was."
    )
    history: list[StatusChange]
    paid: MoneyOut
    outstanding: MoneyOut = Field(
        description="total_due − payments recorded against this statement, never below 0; "
        "what may be paid is decided per contract (the vendor balance)."
    )
    payments: list[PaymentOut]
    disputes: list[DisputeOut]
    audit_checkpoint: SignedHead | None = Field(
        default=None,
        description="The signed chain head written at approval, the approval included; null "
        "for drafts and when the service has no signing key.",
    )


class StatementSummary(BaseModel):
    id: str
    contract: str
    version: int
    as_of: date
    status: str
    total_due: MoneyOut
    paid: MoneyOut
    outstanding: MoneyOut
    created_at: datetime
    approved_at: datetime | None


class FieldCheck(BaseModel):
    recorded: MoneyOut | None
    recomputed: MoneyOut | None
    matches: bool


class LineCheck(BaseModel):
    tranche: str
    matches: bool
    earned: FieldCheck
    held: FieldCheck
    payable: FieldCheck
    previously_billed: FieldCheck
    due: FieldCheck


class BatchCheck(BaseModel):
    id: str
    feed: str
    recorded_sha256: str
    stored_sha256: str | None = Field(description="null when the batch is no longer found.")
    matches: bool


class FingerprintCheck(BaseModel):
    recorded: str
    recomputed: str
    matches: bool


class VerificationOut(BaseModel):
    statement: str
    matches: bool = Field(description="Every amount, every batch and the fingerprint agree.")
    fingerprint: FingerprintCheck
    total_due: FieldCheck
    lines: list[LineCheck]
    batches: list[BatchCheck]


class ContractBalance(BaseModel):
    contract: str
    earned: MoneyOut = Field(description="Earned to date on the latest approved statement.")
    approved: MoneyOut = Field(description="Sum of total_due of approved statements.")
    paid: MoneyOut
    outstanding: MoneyOut = Field(description="approved − paid; negative: the vendor owes.")
    vendor_owes: MoneyOut = Field(description="−outstanding when negative, else 0.00.")
    held: MoneyOut = Field(description="Held back on the latest approved statement.")
    disputed: MoneyOut = Field(description="Sum of `due` of approved lines under open dispute.")


class BalanceTotals(BaseModel):
    earned: MoneyOut
    approved: MoneyOut
    paid: MoneyOut
    outstanding: MoneyOut
    vendor_owes: MoneyOut
    held: MoneyOut
    disputed: MoneyOut


class VendorBalance(BaseModel):
    vendor: str
    contracts: list[ContractBalance]
    totals: BalanceTotals
