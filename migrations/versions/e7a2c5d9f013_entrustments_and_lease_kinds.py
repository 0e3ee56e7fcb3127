"""Entrustments (流转委托) with their parcels; lease kinds on contracts (fixed, 保底+分成, 无偿使用)
with the declared revenues and the meeting decision; the meeting a tender follows.

Revision ID: e7a2c5d9f013
Revises: c3f9a1d7e2b4
Create Date: 2026-11-30 00:40:00

Existing contracts become fixed-rent leases (their logged state is unchanged: a fixed lease's
public state has no kind keys).
"""
from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "e7a2c5d9f013"
down_revision: str | Sequence[str] | None = "a8d3f5c1e724"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "entrustment",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("village_id", sa.Integer(), nullable=False),
        sa.Column("number", sa.String(length=40), nullable=False),
        sa.Column("household_name", sa.String(length=100), nullable=False),
        sa.Column("household_id_number", sa.String(length=32), nullable=False),
        sa.Column("household_phone", sa.String(length=20), nullable=False),
        sa.Column("start_date", sa.Date(), nullable=False),
        sa.Column("end_date", sa.Date(), nullable=False),
        sa.Column("rent_rate", sa.BigInteger(), nullable=False),
        sa.Column("signed_on", sa.Date(), nullable=True),
        sa.Column("note", sa.String(length=500), nullable=False),
        sa.Column("payments", sa.JSON(), nullable=False),
        sa.Column("status", sa.Enum("ACTIVE", "WITHDRAWN", name="recordstatus", native_enum=False, length=16),
                  nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["village_id"], ["village.id"], name=op.f("fk_entrustment_village_id_village")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_entrustment")),
        sa.UniqueConstraint("village_id", "number", name=op.f("uq_entrustment_village_id_number")),
    )
    with op.batch_alter_table("entrustment", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_entrustment_village_id"), ["village_id"], unique=False)
    op.create_table(
        "entrusted_asset",
        sa.Column("entrustment_id", sa.Integer(), nullable=False),
        sa.Column("asset_id", sa.Integer(), nullable=False),
        sa.Column("area", sa.BigInteger(), nullable=False),
        sa.ForeignKeyConstraint(["asset_id"], ["asset.id"], name=op.f("fk_entrusted_asset_asset_id_asset")),
        sa.ForeignKeyConstraint(["entrustment_id"], ["entrustment.id"],
                                name=op.f("fk_entrusted_asset_entrustment_id_entrustment")),
        sa.PrimaryKeyConstraint("entrustment_id", "asset_id", name=op.f("pk_entrusted_asset")),
    )
    with op.batch_alter_table("contract", schema=None) as batch_op:
        batch_op.add_column(sa.Column("kind", sa.Enum("FIXED", "REVENUE_SHARE", "RENT_FREE", name="contractkind",
                                                      native_enum=False, length=16),
                                      nullable=False, server_default="FIXED"))
        batch_op.add_column(sa.Column("share_percent", sa.BigInteger(), nullable=False, server_default="0"))
        batch_op.add_column(sa.Column("revenues", sa.JSON(), nullable=False, server_default="[]"))
        batch_op.add_column(sa.Column("meeting_number", sa.String(length=40), nullable=True))
    with op.batch_alter_table("contract", schema=None) as batch_op:
        batch_op.alter_column("kind", server_default=None)
        batch_op.alter_column("share_percent", server_default=None)
        batch_op.alter_column("revenues", server_default=None)
    with op.batch_alter_table("tender", schema=None) as batch_op:
        batch_op.add_column(sa.Column("meeting_number", sa.String(length=40), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("tender", schema=None) as batch_op:
        batch_op.drop_column("meeting_number")
    with op.batch_alter_table("contract", schema=None) as batch_op:
        batch_op.drop_column("meeting_number")
        batch_op.drop_column("revenues")
        batch_op.drop_column("share_percent")
        batch_op.drop_column("kind")
    op.drop_table("entrusted_asset")
    with op.batch_alter_table("entrustment", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_entrustment_village_id"))
    op.drop_table("entrustment")
