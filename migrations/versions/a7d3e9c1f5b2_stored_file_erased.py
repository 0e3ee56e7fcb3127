"""A stored file erased at its person's request (个人信息删除): when, so `audit verify` accepts
that its bytes are gone from the disk while the log still names its hash.

Revision ID: a7d3e9c1f5b2
Revises: c3f9a1d7e2b4
Create Date: 2026-11-30 01:00:00
"""
from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "a7d3e9c1f5b2"
down_revision: str | Sequence[str] | None = "3cde38247df2"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("stored_file") as batch:
        batch.add_column(sa.Column("erased_at", sa.DateTime(timezone=True), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("stored_file") as batch:
        batch.drop_column("erased_at")
