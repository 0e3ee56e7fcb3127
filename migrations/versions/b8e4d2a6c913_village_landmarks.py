"""地标: the landmarks a village draws on its parcel map (村委会, roads, rivers, bridges…).

Revision ID: b8e4d2a6c913
Revises: a7d3e9c1f5b2
Create Date: 2026-11-30 04:00:00

A JSON column defaulting to an empty list, so the villages already there keep their state (and
their logged state: a village without landmarks leaves them out of its public state).
"""
from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "b8e4d2a6c913"
down_revision: str | Sequence[str] | None = "a7d3e9c1f5b2"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("village") as batch:
        batch.add_column(sa.Column("landmarks", sa.JSON(), nullable=False, server_default="[]"))


def downgrade() -> None:
    with op.batch_alter_table("village") as batch:
        batch.drop_column("landmarks")
