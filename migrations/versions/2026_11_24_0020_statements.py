"""statements: statements, lines, batches used, payments, disputes

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-24 00:20:00

Money columns are whole cents in BIGINT (app.db.Money). Nothing here is ever deleted: a
statement's row changes once (draft → approved or voided); lines, batches and payments are
written once.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('statements',
    sa.Column('id', sa.String(length=36), nullable=False),
    sa.Column('contract_id', sa.Integer(), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.Column('as_of', sa.Date(), nullable=False),
    sa.Column('status', sa.Enum('draft', 'approved', 'voided', name='statementstatus', native_enum=False, length=16), nullable=False),
    sa.Column('total_due', sa.BigInteger(), nullable=False),
    sa.Column('engine_version', sa.String(length=32), nullable=False),
    sa.Column('fingerprint', sa.String(length=64), nullable=False),
    sa.Column('approvals_before', sa.Integer(), nullable=False),
    sa.Column('approval_number', sa.Integer(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('created_by_key_id', sa.Integer(), nullable=True),
    sa.Column('approved_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('approved_by_key_id', sa.Integer(), nullable=True),
    sa.Column('voided_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('voided_by_key_id', sa.Integer(), nullable=True),
    sa.ForeignKeyConstraint(['approved_by_key_id'], ['api_keys.id'], name=op.f('fk_statements_approved_by_key_id_api_keys')),
    sa.ForeignKeyConstraint(['contract_id'], ['contracts.id'], name=op.f('fk_statements_contract_id_contracts')),
    sa.ForeignKeyConstraint(['created_by_key_id'], ['api_keys.id'], name=op.f('fk_statements_created_by_key_id_api_keys')),
    sa.ForeignKeyConstraint(['voided_by_key_id'], ['api_keys.id'], name=op.f('fk_statements_voided_by_key_id_api_keys')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_statements')),
    sa.UniqueConstraint('contract_id', 'approval_number', name=op.f('uq_statements_contract_id_approval_number'))
    )
    with op.batch_alter_table('statements', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_statements_contract_id'), ['contract_id'], unique=False)

    op.create_table('statement_batches',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('statement_id', sa.String(length=36), nullable=False),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.Column('batch_id', sa.String(length=64), nullable=False),
    sa.Column('feed', sa.String(length=16), nullable=False),
    sa.Column('sha256', sa.String(length=64), nullable=False),
    sa.Column('rows', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['statement_id'], ['statements.id'], name=op.f('fk_statement_batches_statement_id_statements')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_statement_batches')),
    sa.UniqueConstraint('statement_id', 'batch_id', name=op.f('uq_statement_batches_statement_id_batch_id'))
    )
    with op.batch_alter_table('statement_batches', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_statement_batches_statement_id'), ['statement_id'], unique=False)

    op.create_table('statement_lines',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('statement_id', sa.String(length=36), nullable=False),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.Column('tranche', sa.String(length=64), nullable=False),
    sa.Column('tranche_status', sa.String(length=16), nullable=False),
    sa.Column('flagged', sa.Boolean(), nullable=False),
    sa.Column('earned', sa.BigInteger(), nullable=False),
    sa.Column('held', sa.BigInteger(), nullable=False),
    sa.Column('payable', sa.BigInteger(), nullable=False),
    sa.Column('previously_billed', sa.BigInteger(), nullable=False),
    sa.Column('due', sa.BigInteger(), nullable=False),
    sa.Column('explanation', sa.Text(), nullable=False),
    sa.ForeignKeyConstraint(['statement_id'], ['statements.id'], name=op.f('fk_statement_lines_statement_id_statements')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_statement_lines')),
    sa.UniqueConstraint('statement_id', 'tranche', name=op.f('uq_statement_lines_statement_id_tranche'))
    )
    with op.batch_alter_table('statement_lines', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_statement_lines_statement_id'), ['statement_id'], unique=False)

    op.create_table('statement_payments',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('statement_id', sa.String(length=36), nullable=False),
    sa.Column('amount', sa.BigInteger(), nullable=False),
    sa.Column('paid_on', sa.Date(), nullable=False),
    sa.Column('reference', sa.String(length=200), nullable=False),
    sa.Column('recorded_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('recorded_by_key_id', sa.Integer(), nullable=True),
    sa.ForeignKeyConstraint(['recorded_by_key_id'], ['api_keys.id'], name=op.f('fk_statement_payments_recorded_by_key_id_api_keys')),
    sa.ForeignKeyConstraint(['statement_id'], ['statements.id'], name=op.f('fk_statement_payments_statement_id_statements')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_statement_payments'))
    )
    with op.batch_alter_table('statement_payments', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_statement_payments_statement_id'), ['statement_id'], unique=False)

    op.create_table('statement_disputes',
    sa.Column('id', sa.String(length=36), nullable=False),
    sa.Column('statement_id', sa.String(length=36), nullable=False),
    sa.Column('line_id', sa.Integer(), nullable=False),
    sa.Column('reason', sa.Text(), nullable=False),
    sa.Column('opened_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('opened_by_key_id', sa.Integer(), nullable=True),
    sa.Column('resolved_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('resolved_by_key_id', sa.Integer(), nullable=True),
    sa.Column('resolution_note', sa.Text(), nullable=True),
    sa.ForeignKeyConstraint(['line_id'], ['statement_lines.id'], name=op.f('fk_statement_disputes_line_id_statement_lines')),
    sa.ForeignKeyConstraint(['opened_by_key_id'], ['api_keys.id'], name=op.f('fk_statement_disputes_opened_by_key_id_api_keys')),
    sa.ForeignKeyConstraint(['resolved_by_key_id'], ['api_keys.id'], name=op.f('fk_statement_disputes_resolved_by_key_id_api_keys')),
    sa.ForeignKeyConstraint(['statement_id'], ['statements.id'], name=op.f('fk_statement_disputes_statement_id_statements')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_statement_disputes'))
    )
    with op.batch_alter_table('statement_disputes', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_statement_disputes_line_id'), ['line_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_statement_disputes_statement_id'), ['statement_id'], unique=False)



def downgrade() -> None:
    with op.batch_alter_table('statement_disputes', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_statement_disputes_statement_id'))
        batch_op.drop_index(batch_op.f('ix_statement_disputes_line_id'))

    op.drop_table('statement_disputes')
    with op.batch_alter_table('statement_payments', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_statement_payments_statement_id'))

    op.drop_table('statement_payments')
    with op.batch_alter_table('statement_lines', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_statement_lines_statement_id'))

    op.drop_table('statement_lines')
    with op.batch_alter_table('statement_batches', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_statement_batches_statement_id'))

    op.drop_table('statement_batches')
    with op.batch_alter_table('statements', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_statements_contract_id'))

    op.drop_table('statements')
