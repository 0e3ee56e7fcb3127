"""Requests counted per client address for the rate limits on PDFs, downloads, proofs, searches.

Revision ID: c3f9a1d7e2b4
Revises: d41c7e9a2b58
Create Date: 2026-11-29 21:30:00

`request_count`: one row per (address, kind of request, window), shared by every worker; holds no
audited state, and only the current and previous windows are kept.
"""
from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "c3f9a1d7e2b4"
down_revision: str | Sequence[str] | None = "d41c7e9a2b58"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "request_count",
        sa.Column("address", sa.String(64), nullable=False),
        sa.Column("bucket", sa.String(16), nullable=False),
        sa.Column("window", sa.Integer(), nullable=False),
        sa.Column("count", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("address", "bucket", "window", name=op.f("pk_request_count")),
    )
    op.create_index(op.f("ix_request_count_window"), "request_count", ["window"])


def downgrade() -> None:
    op.drop_table("request_count")
