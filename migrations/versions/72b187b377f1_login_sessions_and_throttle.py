"""Login sessions kept on the server, and failed logins counted for the throttle.

Revision ID: 72b187b377f1
Revises: 8c2d4e6f1a03
Create Date: 2026-11-29 18:28:59

`login_session`: one row per logged-in browser (the SHA-256 of its cookie's token), so logout,
a password change, a reset or disabling an account ends its sessions on the server.
`login_failure`: one row per failed login within the throttle's window, shared by every worker.
Neither holds audited state. Sessions made before this revision (cookies alone) are no longer
valid: everyone logs in once more.
"""
from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "72b187b377f1"
down_revision: str | Sequence[str] | None = "8c2d4e6f1a03"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# Timezone-aware UTC (UTCDateTime in the models).
UTC = sa.DateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        "login_failure",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("username", sa.String(64), nullable=False),
        sa.Column("address", sa.String(64), nullable=False),
        sa.Column("at", UTC, nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_login_failure")),
    )
    op.create_index("ix_login_failure_address_at", "login_failure", ["address", "at"])
    op.create_index(op.f("ix_login_failure_at"), "login_failure", ["at"])
    op.create_index("ix_login_failure_username_at", "login_failure", ["username", "at"])
    op.create_table(
        "login_session",
        sa.Column("id", sa.String(64), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("user_version", sa.Integer(), nullable=False),
        sa.Column("created_at", UTC, nullable=False),
        sa.Column("last_seen_at", UTC, nullable=False),
        sa.ForeignKeyConstraint(["user_id"], ["user_account.id"], name=op.f("fk_login_session_user_id_user_account")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_login_session")),
    )
    op.create_index(op.f("ix_login_session_user_id"), "login_session", ["user_id"])


def downgrade() -> None:
    op.drop_table("login_session")  # its indexes go with it
    op.drop_table("login_failure")
