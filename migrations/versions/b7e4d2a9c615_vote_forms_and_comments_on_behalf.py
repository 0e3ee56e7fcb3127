"""A consent vote's signed opinion forms (`consent_vote.forms_sha256`) and a comment entered by
staff on a villager's behalf (`plan_comment.on_behalf`, the reason shown with it).

Revision ID: b7e4d2a9c615
Revises: a7e3c91d5b20
Create Date: 2026-11-30 10:00:00
"""
from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "b7e4d2a9c615"
down_revision: str | Sequence[str] | None = "a7e3c91d5b20"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("consent_vote") as batch:
        batch.add_column(sa.Column("forms_sha256", sa.String(64), nullable=True))
    with op.batch_alter_table("plan_comment") as batch:
        batch.add_column(sa.Column("on_behalf", sa.String(200), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("plan_comment") as batch:
        batch.drop_column("on_behalf")
    with op.batch_alter_table("consent_vote") as batch:
        batch.drop_column("forms_sha256")
