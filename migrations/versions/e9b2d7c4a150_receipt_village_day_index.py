"""A receipt's village index carries its day, contract, amount and status (ix_receipt_village_day),
so the township's money figures are read from the index alone.

Revision ID: e9b2d7c4a150
Revises: c4f1a7d2e8b5
Create Date: 2026-11-30 20:30:00
"""
from __future__ import annotations

from collections.abc import Sequence

from alembic import op

revision: str = "e9b2d7c4a150"
down_revision: str | Sequence[str] | None = "c4f1a7d2e8b5"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_index("ix_receipt_village_day", "receipt", ["village_id", "received_on"],
                    postgresql_include=["contract_id", "amount", "status"])
    op.drop_index("ix_receipt_village_id", table_name="receipt")


def downgrade() -> None:
    op.create_index("ix_receipt_village_id", "receipt", ["village_id"])
    op.drop_index("ix_receipt_village_day", table_name="receipt")
