"""The township table's counted figures kept per village (village_figures): derived data, counted
again whenever a village's log has grown or the day has turned.

Revision ID: c4f1a7d2e8b5
Revises: b8e4f2a6c1d9
Create Date: 2026-11-30 07:00:00
"""
from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "c4f1a7d2e8b5"
down_revision: str | Sequence[str] | None = "b8e4f2a6c1d9"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "village_figures",
        sa.Column("village_id", sa.Integer(), nullable=False),
        sa.Column("as_of", sa.Date(), nullable=False),
        sa.Column("log_size", sa.BigInteger(), nullable=False),
        sa.Column("formula", sa.Integer(), nullable=False),
        sa.Column("area", sa.BigInteger(), nullable=False),
        sa.Column("due", sa.BigInteger(), nullable=False),
        sa.Column("received", sa.BigInteger(), nullable=False),
        sa.Column("arrears", sa.BigInteger(), nullable=False),
        sa.Column("expiring", sa.Integer(), nullable=False),
        sa.Column("open_tenders", sa.Integer(), nullable=False),
        sa.Column("unanswered", sa.Integer(), nullable=False),
        sa.Column("overdue", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(["village_id"], ["village.id"], name=op.f("fk_village_figures_village_id_village")),
        sa.PrimaryKeyConstraint("village_id", name=op.f("pk_village_figures")),
    )


def downgrade() -> None:
    op.drop_table("village_figures")
