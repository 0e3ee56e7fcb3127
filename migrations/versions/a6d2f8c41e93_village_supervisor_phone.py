"""监督电话: the phone number of the village's supervisory committee, printed on every notice.

Revision ID: a6d2f8c41e93
Revises: c3f9a1d7e2b4
Create Date: 2026-11-30 00:20:00

A column with a default of "", so the villages already there keep their state (and their logged
state: an empty number is left out of a village's public state).
"""
from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "a6d2f8c41e93"
down_revision: str | Sequence[str] | None = "e7a2c5d9f013"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("village") as batch:
        batch.add_column(sa.Column("supervisor_phone", sa.String(40), nullable=False, server_default=""))


def downgrade() -> None:
    with op.batch_alter_table("village") as batch:
        batch.drop_column("supervisor_phone")
