"""Staff drafts and committee approval: the table `draft`, `village.approval_required`, and room
in `audit_entry.actor` for an author and an approver (`staff:<name>+committee:<name>`).

Revision ID: 8c2d4e6f1a03
Revises: 2a01f750876b
Create Date: 2026-11-29 18:40:00
"""
from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "8c2d4e6f1a03"
down_revision: str | Sequence[str] | None = "2a01f750876b"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "draft",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("village_id", sa.Integer(), nullable=False),
        sa.Column("entity", sa.String(40), nullable=False),
        sa.Column("verb", sa.String(20), nullable=False),
        sa.Column("target", sa.String(40), nullable=True),
        sa.Column("title", sa.String(200), nullable=False),
        sa.Column("fields", sa.JSON(), nullable=False),
        sa.Column("reason", sa.Text(), nullable=True),
        sa.Column("state", sa.String(16), nullable=False),  # DraftState member names, as the baseline stores enums
        sa.Column("author_id", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("submitted_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("reviewer_id", sa.Integer(), nullable=True),
        sa.Column("reviewed_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("review_comment", sa.Text(), nullable=True),
        sa.Column("published_number", sa.String(40), nullable=True),
        sa.Column("published_seq", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(["author_id"], ["user_account.id"], name=op.f("fk_draft_author_id_user_account")),
        sa.ForeignKeyConstraint(["reviewer_id"], ["user_account.id"], name=op.f("fk_draft_reviewer_id_user_account")),
        sa.ForeignKeyConstraint(["village_id"], ["village.id"], name=op.f("fk_draft_village_id_village")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_draft")),
    )
    op.create_index("ix_draft_village_id_state", "draft", ["village_id", "state"])
    with op.batch_alter_table("village") as batch:
        batch.add_column(sa.Column("approval_required", sa.Boolean(), server_default=sa.true(), nullable=False))
    with op.batch_alter_table("audit_entry") as batch:
        batch.alter_column("actor", type_=sa.String(200), existing_type=sa.String(100), existing_nullable=False)


def downgrade() -> None:
    with op.batch_alter_table("audit_entry") as batch:
        batch.alter_column("actor", type_=sa.String(100), existing_type=sa.String(200), existing_nullable=False)
    with op.batch_alter_table("village") as batch:
        batch.drop_column("approval_required")
    op.drop_index("ix_draft_village_id_state", table_name="draft")
    op.drop_table("draft")
