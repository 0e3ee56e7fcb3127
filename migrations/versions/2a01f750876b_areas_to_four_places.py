"""Areas to four decimal places: 亩 as village ledgers write them (12.3456 亩).

Revision ID: 2a01f750876b
Revises: 655b71aece5f
Create Date: 2026-12-01 10:00:00

`asset.area` and `contract_asset.area` held integer counts of 0.01 亩/㎡; from now on of
0.0001 (ScaledDecimal(4) in the models), so every stored value is multiplied by 100. The
columns stay BIGINT. An area reads back with two places at least (12.50, not 12.5000), so
the public state of every record, and so every logged entry, is unchanged.
"""
from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from alembic.util import CommandError

revision: str = "2a01f750876b"
down_revision: str | Sequence[str] | None = "655b71aece5f"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

TABLES = ("asset", "contract_asset")


def upgrade() -> None:
    for table in TABLES:
        op.execute(f"UPDATE {table} SET area = area * 100")


def downgrade() -> None:
    bind = op.get_bind()
    for table in TABLES:
        finer = bind.execute(sa.text(f"SELECT count(*) FROM {table} WHERE area % 100 <> 0")).scalar()
        if finer:
            raise CommandError(  # reported by `db downgrade` as a failed migration, rolled back
                f"{table}: {finer} 个面积有超过两位的小数，降级会改变它们；请先更正这些面积")
    for table in TABLES:
        op.execute(f"UPDATE {table} SET area = area / 100")
