"""The committee's audit desk and findings: how far each member has read the log (`desk_seen`),
the results of integrity checks (`verification_run`), and the committee's findings (`finding`,
问题清单, an audited record type).

Revision ID: 3cde38247df2
Revises: c3f9a1d7e2b4
Create Date: 2026-11-30 00:32:25.059386
"""
from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = '3cde38247df2'
down_revision: str | Sequence[str] | None = 'f5a2c8e1d9b3'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table('verification_run',
    sa.Column('id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.Column('log', sa.String(length=32), nullable=False),
    sa.Column('ran_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('ok', sa.Boolean(), nullable=False),
    sa.Column('size', sa.BigInteger(), nullable=False),
    sa.Column('root', sa.String(length=64), nullable=False),
    sa.Column('problems', sa.Text(), nullable=False),
    sa.Column('problem_count', sa.Integer(), nullable=False),
    sa.Column('trigger', sa.String(length=16), nullable=False),
    sa.Column('actor', sa.String(length=100), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_verification_run'))
    )
    with op.batch_alter_table('verification_run', schema=None) as batch_op:
        batch_op.create_index('ix_verification_run_log_id', ['log', 'id'], unique=False)

    op.create_table('finding',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('village_id', sa.Integer(), nullable=False),
    sa.Column('number', sa.String(length=40), nullable=False),
    sa.Column('title', sa.String(length=200), nullable=False),
    sa.Column('description', sa.Text(), nullable=False),
    sa.Column('records', sa.Text(), nullable=False),
    sa.Column('responsible', sa.String(length=100), nullable=False),
    sa.Column('responsible_person', sa.String(length=100), nullable=False),
    sa.Column('found_on', sa.Date(), nullable=False),
    sa.Column('due_on', sa.Date(), nullable=False),
    sa.Column('status', sa.Enum('OPEN', 'RECTIFYING', 'CLOSED', name='findingstatus', native_enum=False, length=16), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['village_id'], ['village.id'], name=op.f('fk_finding_village_id_village')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_finding')),
    sa.UniqueConstraint('village_id', 'number', name=op.f('uq_finding_village_id_number'))
    )
    with op.batch_alter_table('finding', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_finding_village_id'), ['village_id'], unique=False)

    op.create_table('desk_seen',
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('log', sa.String(length=32), nullable=False),
    sa.Column('seen_seq', sa.BigInteger(), nullable=False),
    sa.Column('seen_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('since_seq', sa.BigInteger(), nullable=False),
    sa.Column('since_at', sa.DateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['user_id'], ['user_account.id'], name=op.f('fk_desk_seen_user_id_user_account')),
    sa.PrimaryKeyConstraint('user_id', name=op.f('pk_desk_seen'))
    )


def downgrade() -> None:
    op.drop_table('desk_seen')
    with op.batch_alter_table('finding', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_finding_village_id'))

    op.drop_table('finding')
    with op.batch_alter_table('verification_run', schema=None) as batch_op:
        batch_op.drop_index('ix_verification_run_log_id')

    op.drop_table('verification_run')
