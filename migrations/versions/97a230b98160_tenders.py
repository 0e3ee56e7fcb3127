"""Tenders (招租): the notice, its Q&A, bidders, bids (rounds or sealed commitments), award and
objections, one audited record (`tender`).

Revision ID: 97a230b98160
Revises: e3dbeae575a7
Create Date: 2026-11-29 20:58:30.976113
"""
from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = '97a230b98160'
down_revision: str | Sequence[str] | None = 'e3dbeae575a7'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table('tender',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('village_id', sa.Integer(), nullable=False),
    sa.Column('number', sa.String(length=40), nullable=False),
    sa.Column('title', sa.String(length=200), nullable=False),
    sa.Column('mode', sa.Enum('AUCTION', 'SEALED', name='tendermode', native_enum=False, length=16), nullable=False),
    sa.Column('lots', sa.JSON(), nullable=False),
    sa.Column('use', sa.String(length=200), nullable=False),
    sa.Column('term_start', sa.Date(), nullable=False),
    sa.Column('term_end', sa.Date(), nullable=False),
    sa.Column('reserve_price', sa.BigInteger(), nullable=False),
    sa.Column('increment', sa.BigInteger(), nullable=False),
    sa.Column('deposit', sa.BigInteger(), nullable=False),
    sa.Column('eligibility', sa.Text(), nullable=False),
    sa.Column('plan_number', sa.String(length=40), nullable=True),
    sa.Column('publicity_start', sa.Date(), nullable=False),
    sa.Column('publicity_days', sa.Integer(), nullable=False),
    sa.Column('publicity_end', sa.Date(), nullable=False),
    sa.Column('bid_deadline', sa.Date(), nullable=False),
    sa.Column('qa', sa.JSON(), nullable=False),
    sa.Column('bidders', sa.JSON(), nullable=False),
    sa.Column('bids', sa.JSON(), nullable=False),
    sa.Column('failed_reveals', sa.JSON(), nullable=False),
    sa.Column('winner', sa.Integer(), nullable=True),
    sa.Column('winning_price', sa.BigInteger(), nullable=True),
    sa.Column('awarded_on', sa.Date(), nullable=True),
    sa.Column('objection_until', sa.Date(), nullable=True),
    sa.Column('objections', sa.JSON(), nullable=False),
    sa.Column('status', sa.Enum('OPEN', 'OPENING', 'CLOSED', 'FAILED', 'AWARDED', 'WITHDRAWN', name='tenderstatus', native_enum=False, length=16), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['village_id'], ['village.id'], name=op.f('fk_tender_village_id_village')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_tender')),
    sa.UniqueConstraint('village_id', 'number', name=op.f('uq_tender_village_id_number'))
    )
    with op.batch_alter_table('tender', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_tender_village_id'), ['village_id'], unique=False)



def downgrade() -> None:
    with op.batch_alter_table('tender', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_tender_village_id'))

    op.drop_table('tender')
