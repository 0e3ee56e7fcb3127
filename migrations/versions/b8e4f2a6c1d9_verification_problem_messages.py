"""The problems an integrity check found, kept as messages (pattern and values) beside their
Chinese text, so the committee's desk shows them in the reader's language.

Revision ID: b8e4f2a6c1d9
Revises: b8e4d2a6c913
Create Date: 2026-11-30 04:00:00
"""
from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "b8e4f2a6c1d9"
down_revision: str | Sequence[str] | None = "b8e4d2a6c913"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("verification_run") as batch:
        batch.add_column(sa.Column("problem_messages", sa.Text(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("verification_run") as batch:
        batch.drop_column("problem_messages")
