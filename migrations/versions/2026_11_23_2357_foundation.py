"""foundation: organisations, keys, contracts, audit

Revision ID: 0001
Revises: 
Create Date: 2026-11-23 23:57:07.367544
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op


revision = '0001'
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('audit_chain_head',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('last_entry_id', sa.Integer(), nullable=True),
    sa.Column('last_hash', sa.String(length=64), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_audit_chain_head'))
    )
    # The chain's head row exists from the start, so writers only ever lock and update it.
    op.execute("INSERT INTO audit_chain_head (id, last_entry_id, last_hash) VALUES (1, NULL, '" + "0" * 64 + "')")
    op.create_table('organisations',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('key', sa.String(length=64), nullable=False),
    sa.Column('kind', sa.Enum('district', 'vendor', 'auditor', name='organisationkind', native_enum=False, length=16), nullable=False),
    sa.Column('name', sa.String(length=200), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_organisations')),
    sa.UniqueConstraint('key', name=op.f('uq_organisations_key'))
    )
    op.create_table('api_keys',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('organisation_id', sa.Integer(), nullable=False),
    sa.Column('prefix', sa.String(length=16), nullable=False),
    sa.Column('secret_sha256', sa.String(length=64), nullable=False),
    sa.Column('label', sa.String(length=200), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('revoked_at', sa.DateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['organisation_id'], ['organisations.id'], name=op.f('fk_api_keys_organisation_id_organisations')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_api_keys')),
    sa.UniqueConstraint('prefix', name=op.f('uq_api_keys_prefix'))
    )
    with op.batch_alter_table('api_keys', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_api_keys_organisation_id'), ['organisation_id'], unique=False)

    op.create_table('contracts',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('key', sa.String(length=64), nullable=False),
    sa.Column('district_id', sa.Integer(), nullable=False),
    sa.Column('vendor_id', sa.Integer(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['district_id'], ['organisations.id'], name=op.f('fk_contracts_district_id_organisations')),
    sa.ForeignKeyConstraint(['vendor_id'], ['organisations.id'], name=op.f('fk_contracts_vendor_id_organisations')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_contracts')),
    sa.UniqueConstraint('key', name=op.f('uq_contracts_key'))
    )
    with op.batch_alter_table('contracts', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_contracts_district_id'), ['district_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_contracts_vendor_id'), ['vendor_id'], unique=False)

    op.create_table('audit_entries',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('recorded_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('organisation_id', sa.Integer(), nullable=True),
    sa.Column('api_key_id', sa.Integer(), nullable=True),
    sa.Column('action', sa.String(length=64), nullable=False),
    sa.Column('object_type', sa.String(length=32), nullable=False),
    sa.Column('object_id', sa.String(length=64), nullable=False),
    sa.Column('contract_key', sa.String(length=64), nullable=True),
    sa.Column('details', sa.Text(), nullable=False),
    sa.Column('previous_hash', sa.String(length=64), nullable=False),
    sa.Column('entry_hash', sa.String(length=64), nullable=False),
    sa.ForeignKeyConstraint(['api_key_id'], ['api_keys.id'], name=op.f('fk_audit_entries_api_key_id_api_keys')),
    sa.ForeignKeyConstraint(['organisation_id'], ['organisations.id'], name=op.f('fk_audit_entries_organisation_id_organisations')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_audit_entries')),
    sa.UniqueConstraint('entry_hash', name=op.f('uq_audit_entries_entry_hash'))
    )
    with op.batch_alter_table('audit_entries', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_audit_entries_action'), ['action'], unique=False)
        batch_op.create_index(batch_op.f('ix_audit_entries_contract_key'), ['contract_key'], unique=False)
        batch_op.create_index(batch_op.f('ix_audit_entries_recorded_at'), ['recorded_at'], unique=False)

    op.create_table('contract_versions',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('contract_id', sa.Integer(), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.Column('status', sa.Enum('proposed', 'active', 'superseded', 'withdrawn', name='versionstatus', native_enum=False, length=16), nullable=False),
    sa.Column('title', sa.String(length=300), nullable=False),
    sa.Column('definition_json', sa.Text(), nullable=False),
    sa.Column('proposed_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('proposed_by_key_id', sa.Integer(), nullable=True),
    sa.Column('accepted_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('accepted_by_key_id', sa.Integer(), nullable=True),
    sa.ForeignKeyConstraint(['accepted_by_key_id'], ['api_keys.id'], name=op.f('fk_contract_versions_accepted_by_key_id_api_keys')),
    sa.ForeignKeyConstraint(['contract_id'], ['contracts.id'], name=op.f('fk_contract_versions_contract_id_contracts')),
    sa.ForeignKeyConstraint(['proposed_by_key_id'], ['api_keys.id'], name=op.f('fk_contract_versions_proposed_by_key_id_api_keys')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_contract_versions')),
    sa.UniqueConstraint('contract_id', 'version', name=op.f('uq_contract_versions_contract_id_version'))
    )
    with op.batch_alter_table('contract_versions', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_contract_versions_contract_id'), ['contract_id'], unique=False)

    op.create_table('auditor_grants',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('contract_version_id', sa.Integer(), nullable=False),
    sa.Column('organisation_id', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['contract_version_id'], ['contract_versions.id'], name=op.f('fk_auditor_grants_contract_version_id_contract_versions')),
    sa.ForeignKeyConstraint(['organisation_id'], ['organisations.id'], name=op.f('fk_auditor_grants_organisation_id_organisations')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_auditor_grants')),
    sa.UniqueConstraint('contract_version_id', 'organisation_id', name=op.f('uq_auditor_grants_contract_version_id_organisation_id'))
    )
    with op.batch_alter_table('auditor_grants', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_auditor_grants_organisation_id'), ['organisation_id'], unique=False)



def downgrade() -> None:
    with op.batch_alter_table('auditor_grants', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_auditor_grants_organisation_id'))

    op.drop_table('auditor_grants')
    with op.batch_alter_table('contract_versions', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_contract_versions_contract_id'))

    op.drop_table('contract_versions')
    with op.batch_alter_table('audit_entries', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_audit_entries_recorded_at'))
        batch_op.drop_index(batch_op.f('ix_audit_entries_contract_key'))
        batch_op.drop_index(batch_op.f('ix_audit_entries_action'))

    op.drop_table('audit_entries')
    with op.batch_alter_table('contracts', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_contracts_vendor_id'))
        batch_op.drop_index(batch_op.f('ix_contracts_district_id'))

    op.drop_table('contracts')
    with op.batch_alter_table('api_keys', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_api_keys_organisation_id'))

    op.drop_table('api_keys')
    op.drop_table('organisations')
    op.drop_table('audit_chain_head')
