"""Drafts that hold a batch: `draft.batch`, the records of an imported file published together.

Revision ID: a7e3c91d5b20
Revises: 72b187b377f1
Create Date: 2026-11-29 19:00:00
"""
from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "a7e3c91d5b20"
down_revision: str | Sequence[str] | None = "72b187b377f1"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("draft") as batch:
        batch.add_column(sa.Column("batch", sa.JSON(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("draft") as batch:
        batch.drop_column("batch")
