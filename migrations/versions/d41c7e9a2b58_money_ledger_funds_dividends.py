"""Meetings (会议纪要), the ledger (资金收支) and its funds (专项基金), dividend plans and their lines.

Revision ID: d41c7e9a2b58
Revises: 97a230b98160
Create Date: 2026-11-29 21:00:35.714406
"""
from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = 'd41c7e9a2b58'
down_revision: str | Sequence[str] | None = '97a230b98160'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table('fund',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('village_id', sa.Integer(), nullable=False),
    sa.Column('number', sa.String(length=40), nullable=False),
    sa.Column('name', sa.String(length=100), nullable=False),
    sa.Column('category', sa.String(length=24), nullable=False),
    sa.Column('take', sa.BigInteger(), nullable=False),
    sa.Column('per', sa.BigInteger(), nullable=False),
    sa.Column('purpose', sa.String(length=500), nullable=False),
    sa.Column('status', sa.Enum('ACTIVE', 'WITHDRAWN', name='recordstatus', native_enum=False, length=16), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['village_id'], ['village.id'], name=op.f('fk_fund_village_id_village')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_fund')),
    sa.UniqueConstraint('village_id', 'number', name=op.f('uq_fund_village_id_number'))
    )
    with op.batch_alter_table('fund', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_fund_village_id'), ['village_id'], unique=False)

    op.create_table('meeting',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('village_id', sa.Integer(), nullable=False),
    sa.Column('number', sa.String(length=40), nullable=False),
    sa.Column('held_on', sa.Date(), nullable=False),
    sa.Column('kind', sa.Enum('REPRESENTATIVES', 'VILLAGERS', 'MAJOR', name='meetingkind', native_enum=False, length=24), nullable=False),
    sa.Column('title', sa.String(length=200), nullable=False),
    sa.Column('expected', sa.Integer(), nullable=False),
    sa.Column('present', sa.Integer(), nullable=False),
    sa.Column('agenda', sa.Text(), nullable=False),
    sa.Column('votes_for', sa.Integer(), nullable=False),
    sa.Column('votes_against', sa.Integer(), nullable=False),
    sa.Column('abstained', sa.Integer(), nullable=False),
    sa.Column('decision', sa.Text(), nullable=False),
    sa.Column('minutes_sha256', sa.String(length=64), nullable=True),
    sa.Column('status', sa.Enum('ACTIVE', 'WITHDRAWN', name='recordstatus', native_enum=False, length=16), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['village_id'], ['village.id'], name=op.f('fk_meeting_village_id_village')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_meeting')),
    sa.UniqueConstraint('village_id', 'number', name=op.f('uq_meeting_village_id_number'))
    )
    with op.batch_alter_table('meeting', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_meeting_village_id'), ['village_id'], unique=False)

    op.create_table('dividend_plan',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('village_id', sa.Integer(), nullable=False),
    sa.Column('number', sa.String(length=40), nullable=False),
    sa.Column('year', sa.Integer(), nullable=False),
    sa.Column('title', sa.String(length=200), nullable=False),
    sa.Column('total', sa.BigInteger(), nullable=False),
    sa.Column('meeting_id', sa.Integer(), nullable=True),
    sa.Column('publicity_from', sa.Date(), nullable=False),
    sa.Column('publicity_until', sa.Date(), nullable=False),
    sa.Column('households', sa.Integer(), nullable=False),
    sa.Column('shares', sa.BigInteger(), nullable=False),
    sa.Column('status', sa.Enum('ACTIVE', 'WITHDRAWN', name='recordstatus', native_enum=False, length=16), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['meeting_id'], ['meeting.id'], name=op.f('fk_dividend_plan_meeting_id_meeting')),
    sa.ForeignKeyConstraint(['village_id'], ['village.id'], name=op.f('fk_dividend_plan_village_id_village')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_dividend_plan')),
    sa.UniqueConstraint('village_id', 'number', name=op.f('uq_dividend_plan_village_id_number'))
    )
    with op.batch_alter_table('dividend_plan', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_dividend_plan_meeting_id'), ['meeting_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_dividend_plan_village_id'), ['village_id'], unique=False)

    op.create_table('dividend_line',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('village_id', sa.Integer(), nullable=False),
    sa.Column('plan_id', sa.Integer(), nullable=False),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.Column('household', sa.String(length=40), nullable=False),
    sa.Column('head_name', sa.String(length=100), nullable=False),
    sa.Column('shares', sa.BigInteger(), nullable=False),
    sa.Column('amount', sa.BigInteger(), nullable=False),
    sa.Column('payout', sa.Enum('PENDING', 'PAID', 'REMOVED', name='payout', native_enum=False, length=16), nullable=False),
    sa.Column('paid_on', sa.Date(), nullable=True),
    sa.Column('check_code', sa.String(length=16), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['plan_id'], ['dividend_plan.id'], name=op.f('fk_dividend_line_plan_id_dividend_plan')),
    sa.ForeignKeyConstraint(['village_id'], ['village.id'], name=op.f('fk_dividend_line_village_id_village')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_dividend_line')),
    sa.UniqueConstraint('check_code', name=op.f('uq_dividend_line_check_code')),
    sa.UniqueConstraint('plan_id', 'household', name=op.f('uq_dividend_line_plan_id_household'))
    )
    with op.batch_alter_table('dividend_line', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_dividend_line_plan_id'), ['plan_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_dividend_line_village_id'), ['village_id'], unique=False)

    op.create_table('ledger_entry',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('village_id', sa.Integer(), nullable=False),
    sa.Column('number', sa.String(length=40), nullable=False),
    sa.Column('booked_on', sa.Date(), nullable=False),
    sa.Column('direction', sa.Enum('INCOME', 'EXPENSE', name='direction', native_enum=False, length=16), nullable=False),
    sa.Column('category', sa.String(length=24), nullable=False),
    sa.Column('amount', sa.BigInteger(), nullable=False),
    sa.Column('counterparty', sa.String(length=100), nullable=False),
    sa.Column('counterparty_is_person', sa.Boolean(), nullable=False),
    sa.Column('funding_source', sa.String(length=100), nullable=False),
    sa.Column('fund_id', sa.Integer(), nullable=True),
    sa.Column('meeting_id', sa.Integer(), nullable=True),
    sa.Column('receipt_id', sa.Integer(), nullable=True),
    sa.Column('approved_by', sa.String(length=100), nullable=False),
    sa.Column('voucher_sha256', sa.String(length=64), nullable=True),
    sa.Column('note', sa.Text(), nullable=False),
    sa.Column('fund_shares', sa.JSON(), nullable=False),
    sa.Column('status', sa.Enum('ACTIVE', 'WITHDRAWN', name='recordstatus', native_enum=False, length=16), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['fund_id'], ['fund.id'], name=op.f('fk_ledger_entry_fund_id_fund')),
    sa.ForeignKeyConstraint(['meeting_id'], ['meeting.id'], name=op.f('fk_ledger_entry_meeting_id_meeting')),
    sa.ForeignKeyConstraint(['receipt_id'], ['receipt.id'], name=op.f('fk_ledger_entry_receipt_id_receipt')),
    sa.ForeignKeyConstraint(['village_id'], ['village.id'], name=op.f('fk_ledger_entry_village_id_village')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_ledger_entry')),
    sa.UniqueConstraint('receipt_id', name=op.f('uq_ledger_entry_receipt_id')),
    sa.UniqueConstraint('village_id', 'number', name=op.f('uq_ledger_entry_village_id_number'))
    )
    with op.batch_alter_table('ledger_entry', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_ledger_entry_fund_id'), ['fund_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_ledger_entry_meeting_id'), ['meeting_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_ledger_entry_village_id'), ['village_id'], unique=False)



def downgrade() -> None:
    with op.batch_alter_table('ledger_entry', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_ledger_entry_village_id'))
        batch_op.drop_index(batch_op.f('ix_ledger_entry_meeting_id'))
        batch_op.drop_index(batch_op.f('ix_ledger_entry_fund_id'))

    op.drop_table('ledger_entry')
    with op.batch_alter_table('dividend_line', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_dividend_line_village_id'))
        batch_op.drop_index(batch_op.f('ix_dividend_line_plan_id'))

    op.drop_table('dividend_line')
    with op.batch_alter_table('dividend_plan', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_dividend_plan_village_id'))
        batch_op.drop_index(batch_op.f('ix_dividend_plan_meeting_id'))

    op.drop_table('dividend_plan')
    with op.batch_alter_table('meeting', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_meeting_village_id'))

    op.drop_table('meeting')
    with op.batch_alter_table('fund', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_fund_village_id'))

    op.drop_table('fund')
