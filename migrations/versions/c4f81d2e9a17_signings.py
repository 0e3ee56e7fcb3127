"""Signing records (签约): `signing`, one per contract, its files named by SHA-256.

Revision ID: c4f81d2e9a17
Revises: b7e4d2a9c615
Create Date: 2026-11-29 21:40:00
"""
from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "c4f81d2e9a17"
down_revision: str | Sequence[str] | None = "b7e4d2a9c615"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "signing",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("village_id", sa.Integer(), nullable=False),
        sa.Column("number", sa.String(40), nullable=False),
        sa.Column("contract_id", sa.Integer(), nullable=False),
        sa.Column("signed_on", sa.Date(), nullable=False),
        sa.Column("place", sa.String(200), nullable=False),
        sa.Column("lessor_role", sa.String(50), nullable=False),
        sa.Column("lessor_name", sa.String(50), nullable=False),
        sa.Column("lessee_role", sa.String(50), nullable=False),
        sa.Column("lessee_name", sa.String(50), nullable=False),
        sa.Column("witnesses", sa.JSON(), nullable=False),
        sa.Column("stream_url", sa.String(500), nullable=False),
        sa.Column("video_sha256", sa.String(64), nullable=True),
        sa.Column("contract_scan_sha256", sa.String(64), nullable=True),
        sa.Column("photo_sha256", sa.JSON(), nullable=False),
        sa.Column("note", sa.String(500), nullable=False),
        sa.Column("status", sa.String(16), nullable=False),  # RecordStatus member names
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["contract_id"], ["contract.id"], name=op.f("fk_signing_contract_id_contract")),
        sa.ForeignKeyConstraint(["village_id"], ["village.id"], name=op.f("fk_signing_village_id_village")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_signing")),
        sa.UniqueConstraint("village_id", "number", name=op.f("uq_signing_village_id_number")),
    )
    op.create_index(op.f("ix_signing_village_id"), "signing", ["village_id"])
    op.create_index(op.f("ix_signing_contract_id"), "signing", ["contract_id"])


def downgrade() -> None:
    op.drop_index(op.f("ix_signing_contract_id"), table_name="signing")
    op.drop_index(op.f("ix_signing_village_id"), table_name="signing")
    op.drop_table("signing")
