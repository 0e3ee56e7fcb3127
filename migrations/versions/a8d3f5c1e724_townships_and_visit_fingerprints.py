"""Townships by code, a township account's township, and visits counted once per visitor and page.

Revision ID: a8d3f5c1e724
Revises: c3f9a1d7e2b4
Create Date: 2026-11-30 00:30:00

`township`: code ↔ name of a township (乡镇), matched to `village.township` by name; no audited
state. `user_account.township_code`: the township a township account oversees (NULL: every
village, as before). `visit_salt` / `visit_seen`: the day's random salt and the fingerprints of
(visitor, page) already counted that day; only the current day's rows are kept.
"""
from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "a8d3f5c1e724"
down_revision: str | Sequence[str] | None = "c3f9a1d7e2b4"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "township",
        sa.Column("code", sa.String(32), nullable=False),
        sa.Column("name", sa.String(100), nullable=False),
        sa.PrimaryKeyConstraint("code", name=op.f("pk_township")),
        sa.UniqueConstraint("name", name=op.f("uq_township_name")),
    )
    with op.batch_alter_table("user_account") as batch:
        batch.add_column(sa.Column("township_code", sa.String(32), nullable=True))
    op.create_table(
        "visit_salt",
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("salt", sa.LargeBinary(32), nullable=False),
        sa.PrimaryKeyConstraint("day", name=op.f("pk_visit_salt")),
    )
    op.create_table(
        "visit_seen",
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("fingerprint", sa.String(32), nullable=False),
        sa.PrimaryKeyConstraint("day", "fingerprint", name=op.f("pk_visit_seen")),
    )


def downgrade() -> None:
    op.drop_table("visit_seen")
    op.drop_table("visit_salt")
    with op.batch_alter_table("user_account") as batch:
        batch.drop_column("township_code")
    op.drop_table("township")
