"""Areas to four decimal places, and import drafts holding a batch of records.

Revision ID: a7e3c91d5b20
Revises: 8c2d4e6f1a03
Create Date: 2026-11-30 10:00:00

`asset.area` and `contract_asset.area` were integers of 0.01 亩/㎡; land registers give 亩 to
four places, so they become integers of 0.0001 (every stored value × 100). Public states write
an area with two to four places (portal/kernel/area.py), so what was logged reads the same.
`draft.batch` holds the records of an import draft (a village's parcel file), published
together in one audited change.
"""
from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "a7e3c91d5b20"
down_revision: str | Sequence[str] | None = "8c2d4e6f1a03"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

SCALED_AREAS = ("asset", "contract_asset")


def upgrade() -> None:
    for table in SCALED_AREAS:
        op.execute(f"UPDATE {table} SET area = area * 100")
    with op.batch_alter_table("draft") as batch:
        batch.add_column(sa.Column("batch", sa.JSON(), nullable=True))


def downgrade() -> None:
    # Areas with more than two places lose them (rounded half up): a downgrade is lossy then.
    for table in SCALED_AREAS:
        op.execute(f"UPDATE {table} SET area = (area + 50) / 100")
    with op.batch_alter_table("draft") as batch:
        batch.drop_column("batch")
