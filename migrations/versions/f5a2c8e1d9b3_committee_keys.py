"""Committee members' witness keys (联署): the public half of each member's Ed25519 key.

Revision ID: f5a2c8e1d9b3
Revises: c3f9a1d7e2b4
Create Date: 2026-11-30 00:30:00

`committee_key`: an audited record type (registered and revoked through the log). Cosignatures
themselves are signature lines on the kept checkpoints (`audit_checkpoint.note`): no new table.
"""
from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "f5a2c8e1d9b3"
down_revision: str | Sequence[str] | None = "a6d2f8c41e93"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "committee_key",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("village_id", sa.Integer(), nullable=False),
        sa.Column("number", sa.Integer(), nullable=False),
        sa.Column("key_name", sa.String(200), nullable=False),
        sa.Column("verifier_key", sa.String(300), nullable=False),
        sa.Column("fingerprint", sa.String(24), nullable=False),
        sa.Column("holder_id", sa.Integer(), nullable=False),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("registered_on", sa.Date(), nullable=False),
        sa.Column("revoked_on", sa.Date(), nullable=True),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["village_id"], ["village.id"], name=op.f("fk_committee_key_village_id_village")),
        sa.ForeignKeyConstraint(["holder_id"], ["user_account.id"], name=op.f("fk_committee_key_holder_id_user_account")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_committee_key")),
        sa.UniqueConstraint("village_id", "number", name=op.f("uq_committee_key_village_id_number")),
        sa.UniqueConstraint("verifier_key", name=op.f("uq_committee_key_verifier_key")),
    )
    op.create_index(op.f("ix_committee_key_village_id"), "committee_key", ["village_id"])
    op.create_index(op.f("ix_committee_key_holder_id"), "committee_key", ["holder_id"])


def downgrade() -> None:
    op.drop_table("committee_key")
