"""Villagers' complaints (`complaint`), the throttle's counts (`complaint_attempt`) and each
village's answer deadline (`complaint_setting`).

Revision ID: e3dbeae575a7
Revises: c4f81d2e9a17
Create Date: 2026-11-29 21:00:00
"""
from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = 'e3dbeae575a7'
down_revision: str | Sequence[str] | None = 'c4f81d2e9a17'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table('complaint_attempt',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('address', sa.String(length=64), nullable=False),
    sa.Column('village', sa.String(length=32), nullable=False),
    sa.Column('at', sa.DateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_complaint_attempt'))
    )
    with op.batch_alter_table('complaint_attempt', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_complaint_attempt_address'), ['address'], unique=False)
        batch_op.create_index(batch_op.f('ix_complaint_attempt_at'), ['at'], unique=False)
        batch_op.create_index(batch_op.f('ix_complaint_attempt_village'), ['village'], unique=False)

    op.create_table('complaint_setting',
    sa.Column('village_id', sa.Integer(), nullable=False),
    sa.Column('answer_days', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['village_id'], ['village.id'], name=op.f('fk_complaint_setting_village_id_village')),
    sa.PrimaryKeyConstraint('village_id', name=op.f('pk_complaint_setting'))
    )
    op.create_table('complaint',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('village_id', sa.Integer(), nullable=False),
    sa.Column('number', sa.String(length=40), nullable=False),
    sa.Column('kind', sa.String(length=16), nullable=False),
    sa.Column('about_entity', sa.String(length=32), nullable=True),
    sa.Column('about_number', sa.String(length=40), nullable=True),
    sa.Column('filer_name', sa.String(length=100), nullable=False),
    sa.Column('filer_phone', sa.String(length=20), nullable=False),
    sa.Column('body', sa.Text(), nullable=False),
    sa.Column('filed_on', sa.Date(), nullable=False),
    sa.Column('due_on', sa.Date(), nullable=False),
    sa.Column('status', sa.Enum('WAITING', 'ASSIGNED', 'ANSWERED', 'RESOLVED', 'REOPENED', name='complaintstatus', native_enum=False, length=16), nullable=False),
    sa.Column('assignee_id', sa.Integer(), nullable=True),
    sa.Column('assigned_on', sa.Date(), nullable=True),
    sa.Column('reply', sa.Text(), nullable=False),
    sa.Column('replied_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('replied_by', sa.String(length=16), nullable=True),
    sa.Column('feedback', sa.Text(), nullable=False),
    sa.Column('feedback_on', sa.Date(), nullable=True),
    sa.Column('round', sa.Integer(), nullable=False),
    sa.Column('tracking_hash', sa.String(length=64), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['assignee_id'], ['user_account.id'], name=op.f('fk_complaint_assignee_id_user_account')),
    sa.ForeignKeyConstraint(['village_id'], ['village.id'], name=op.f('fk_complaint_village_id_village')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_complaint')),
    sa.UniqueConstraint('tracking_hash', name=op.f('uq_complaint_tracking_hash')),
    sa.UniqueConstraint('village_id', 'number', name=op.f('uq_complaint_village_id_number'))
    )
    with op.batch_alter_table('complaint', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_complaint_village_id'), ['village_id'], unique=False)



def downgrade() -> None:
    with op.batch_alter_table('complaint', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_complaint_village_id'))

    op.drop_table('complaint')
    op.drop_table('complaint_setting')
    with op.batch_alter_table('complaint_attempt', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_complaint_attempt_village'))
        batch_op.drop_index(batch_op.f('ix_complaint_attempt_at'))
        batch_op.drop_index(batch_op.f('ix_complaint_attempt_address'))

    op.drop_table('complaint_attempt')
