"""Store contract instalments: the table `instalment`, filled for the contracts already there.

Revision ID: 655b71aece5f
Revises: 3f9a1c2e7b40
Create Date: 2026-11-29 16:10:15

Pages read arrears from these rows instead of deriving every schedule per request; from now on
every contract write rewrites its rows in the same audited transaction, and `audit verify`
re-derives and compares them. This upgrade derives the rows of every existing contract, so the
pages answer as before right after it.
"""
from __future__ import annotations

from collections.abc import Sequence
from decimal import Decimal
from typing import Any

import sqlalchemy as sa
from alembic import op

revision: str = "655b71aece5f"
down_revision: str | Sequence[str] | None = "3f9a1c2e7b40"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# Money and areas: an integer count of fen, or of 0.01 亩/㎡ (ScaledDecimal in the models).
SCALED = sa.BigInteger()
# RentUnit members as the contract table stores them (their names) → the codes of rent.UNITS.
UNITS = {"PER_MU_YEAR": "mu_year", "PER_M2_MONTH": "m2_month"}
INSERT_BATCH = 5_000

CONTRACT = sa.table(
    "contract", sa.column("id", sa.Integer()), sa.column("village_id", sa.Integer()),
    sa.column("start_date", sa.Date()), sa.column("end_date", sa.Date()), sa.column("rent_rate", SCALED),
    sa.column("rent_unit", sa.String()), sa.column("escalation_percent", SCALED),
    sa.column("escalation_every_years", sa.Integer()), sa.column("payment_interval_months", sa.Integer()))
CONTRACT_ASSET = sa.table("contract_asset", sa.column("contract_id", sa.Integer()), sa.column("area", SCALED))


def upgrade() -> None:
    instalment = op.create_table(
        "instalment",
        sa.Column("contract_id", sa.Integer(), nullable=False),
        sa.Column("seq", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("village_id", sa.Integer(), nullable=False),
        sa.Column("period_start", sa.Date(), nullable=False),
        sa.Column("period_end", sa.Date(), nullable=False),
        sa.Column("due_date", sa.Date(), nullable=False),
        sa.Column("amount", SCALED, nullable=False),
        sa.Column("cumulative", SCALED, nullable=False),
        sa.ForeignKeyConstraint(["contract_id"], ["contract.id"], name=op.f("fk_instalment_contract_id_contract")),
        sa.ForeignKeyConstraint(["village_id"], ["village.id"], name=op.f("fk_instalment_village_id_village")),
        sa.PrimaryKeyConstraint("contract_id", "seq", name=op.f("pk_instalment")),
    )
    op.create_index("ix_instalment_village_id_due_date", "instalment", ["village_id", "due_date"])
    rows: list[dict[str, Any]] = []
    for row in _derived_rows():
        rows.append(row)
        if len(rows) == INSERT_BATCH:
            op.bulk_insert(instalment, rows)
            rows.clear()
    if rows:
        op.bulk_insert(instalment, rows)


def downgrade() -> None:
    op.drop_index("ix_instalment_village_id_due_date", table_name="instalment")
    op.drop_table("instalment")


def _derived_rows():
    """The instalments of every contract already stored, as the portal derives them on a write.

    The one use of portal code in a revision, on purpose: the rows must be exactly what the
    code derives (`audit verify` compares them), and `payment_schedule` is a pure function of
    plain values, touching neither models nor database.
    """
    from portal.contracts.rent import RentTerms, payment_schedule

    bind = op.get_bind()
    areas = dict(bind.execute(sa.select(CONTRACT_ASSET.c.contract_id, sa.func.sum(CONTRACT_ASSET.c.area))
                              .group_by(CONTRACT_ASSET.c.contract_id)).all())
    for c in bind.execute(sa.select(CONTRACT).order_by(CONTRACT.c.id)).mappings().all():
        terms = RentTerms(
            start=c["start_date"], end=c["end_date"], rate=_decimal(c["rent_rate"]), unit=UNITS[c["rent_unit"]],
            area=_decimal(areas.get(c["id"], 0)), escalation_percent=_decimal(c["escalation_percent"]),
            escalation_every_years=c["escalation_every_years"], interval_months=c["payment_interval_months"])
        total = 0
        for item in payment_schedule(terms):
            amount = int(item.amount.scaleb(2))
            total += amount
            yield {"contract_id": c["id"], "seq": item.seq, "village_id": c["village_id"],
                   "period_start": item.period_start, "period_end": item.period_end, "due_date": item.due_date,
                   "amount": amount, "cumulative": total}


def _decimal(scaled: Any) -> Decimal:
    """A stored scaled integer (fen, 0.01 亩) as the Decimal the models read."""
    return Decimal(int(scaled)).scaleb(-2)
