"""Baseline: the whole schema as it was when migrations began.

Revision ID: 3f9a1c2e7b40
Revises:
Create Date: 2026-11-29 15:36:18

A database made by `metadata.create_all` before this revision existed has exactly this schema;
`flask --app portal db upgrade` stamps such a database at this revision instead of running it.
Names follow the naming convention of the models (pk_/uq_/fk_/ix_<table>_<columns>).
"""
from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "3f9a1c2e7b40"
down_revision: str | Sequence[str] | None = None
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# Enums are stored as the member's name (e.g. "ACTIVE") in a VARCHAR(16) without a CHECK
# constraint (the models use Enum(native_enum=False)), so a new member needs no migration.
ENUM_NAME = sa.String(16)
# Money and areas: an integer count of fen, or of 0.01 亩/㎡ (ScaledDecimal in the models).
SCALED = sa.BigInteger()
# Timezone-aware UTC (UTCDateTime in the models).
UTC = sa.DateTime(timezone=True)
# The audit log's row ids: 64-bit on PostgreSQL; SQLite's INTEGER PRIMARY KEY is the rowid.
ENTRY_ID = sa.BigInteger().with_variant(sa.Integer(), "sqlite")


def upgrade() -> None:
    _villages_and_accounts()
    _assets_and_contracts()
    _notices_and_plans()
    _audit_log()
    _files_and_stats()


def downgrade() -> None:
    for table in ("consent_vote", "plan_comment", "plan", "notice", "receipt", "contract_asset",
                  "contract", "asset", "user_account", "village", "private_record",
                  "audit_entry", "audit_checkpoint", "audit_head", "audit_node", "stored_file",
                  "page_visit"):
        op.drop_table(table)  # its indexes go with it


def _villages_and_accounts() -> None:
    op.create_table(
        "village",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("code", sa.String(32), nullable=False),
        sa.Column("name", sa.String(100), nullable=False),
        sa.Column("township", sa.String(100), nullable=False),
        sa.Column("county", sa.String(100), nullable=False),
        sa.Column("is_demo", sa.Boolean(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("created_at", UTC, nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_village")),
        sa.UniqueConstraint("code", name=op.f("uq_village_code")),
    )
    op.create_table(
        "user_account",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("username", sa.String(64), nullable=False),
        sa.Column("display_name", sa.String(64), nullable=False),
        sa.Column("password_hash", sa.String(255), nullable=False),
        sa.Column("role", ENUM_NAME, nullable=False),
        sa.Column("village_id", sa.Integer(), nullable=True),
        sa.Column("active", sa.Boolean(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("created_at", UTC, nullable=False),
        sa.ForeignKeyConstraint(["village_id"], ["village.id"], name=op.f("fk_user_account_village_id_village")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_user_account")),
        sa.UniqueConstraint("username", name=op.f("uq_user_account_username")),
    )


def _assets_and_contracts() -> None:
    op.create_table(
        "asset",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("village_id", sa.Integer(), nullable=False),
        sa.Column("number", sa.String(40), nullable=False),
        sa.Column("name", sa.String(100), nullable=False),
        sa.Column("kind", ENUM_NAME, nullable=False),
        sa.Column("area", SCALED, nullable=False),
        sa.Column("land_type", sa.String(32), nullable=False),
        sa.Column("location", sa.String(200), nullable=False),
        sa.Column("polygon", sa.JSON(), nullable=True),
        sa.Column("status", ENUM_NAME, nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("updated_at", UTC, nullable=False),
        sa.ForeignKeyConstraint(["village_id"], ["village.id"], name=op.f("fk_asset_village_id_village")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_asset")),
        sa.UniqueConstraint("village_id", "number", name=op.f("uq_asset_village_id_number")),
    )
    op.create_index(op.f("ix_asset_village_id"), "asset", ["village_id"])

    op.create_table(
        "contract",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("village_id", sa.Integer(), nullable=False),
        sa.Column("number", sa.String(40), nullable=False),
        sa.Column("title", sa.String(200), nullable=False),
        sa.Column("lessee_kind", ENUM_NAME, nullable=False),
        sa.Column("lessee_name", sa.String(100), nullable=False),
        sa.Column("lessee_id_number", sa.String(32), nullable=False),
        sa.Column("lessee_phone", sa.String(20), nullable=False),
        sa.Column("start_date", sa.Date(), nullable=False),
        sa.Column("end_date", sa.Date(), nullable=False),
        sa.Column("rent_rate", SCALED, nullable=False),
        sa.Column("rent_unit", ENUM_NAME, nullable=False),
        sa.Column("escalation_percent", SCALED, nullable=False),
        sa.Column("escalation_every_years", sa.Integer(), nullable=False),
        sa.Column("payment_interval_months", sa.Integer(), nullable=False),
        sa.Column("signed_on", sa.Date(), nullable=True),
        sa.Column("note", sa.String(500), nullable=False),
        sa.Column("status", ENUM_NAME, nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("updated_at", UTC, nullable=False),
        sa.ForeignKeyConstraint(["village_id"], ["village.id"], name=op.f("fk_contract_village_id_village")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_contract")),
        sa.UniqueConstraint("village_id", "number", name=op.f("uq_contract_village_id_number")),
    )
    op.create_index(op.f("ix_contract_village_id"), "contract", ["village_id"])

    op.create_table(
        "contract_asset",
        sa.Column("contract_id", sa.Integer(), nullable=False),
        sa.Column("asset_id", sa.Integer(), nullable=False),
        sa.Column("area", SCALED, nullable=False),
        sa.ForeignKeyConstraint(["asset_id"], ["asset.id"], name=op.f("fk_contract_asset_asset_id_asset")),
        sa.ForeignKeyConstraint(["contract_id"], ["contract.id"], name=op.f("fk_contract_asset_contract_id_contract")),
        sa.PrimaryKeyConstraint("contract_id", "asset_id", name=op.f("pk_contract_asset")),
    )

    op.create_table(
        "receipt",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("village_id", sa.Integer(), nullable=False),
        sa.Column("number", sa.String(40), nullable=False),
        sa.Column("contract_id", sa.Integer(), nullable=True),
        sa.Column("amount", SCALED, nullable=False),
        sa.Column("received_on", sa.Date(), nullable=False),
        sa.Column("payer_name", sa.String(100), nullable=False),
        sa.Column("payer_is_person", sa.Boolean(), nullable=False),
        sa.Column("scan_sha256", sa.String(64), nullable=True),
        sa.Column("note", sa.String(500), nullable=False),
        sa.Column("status", ENUM_NAME, nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("updated_at", UTC, nullable=False),
        sa.ForeignKeyConstraint(["contract_id"], ["contract.id"], name=op.f("fk_receipt_contract_id_contract")),
        sa.ForeignKeyConstraint(["village_id"], ["village.id"], name=op.f("fk_receipt_village_id_village")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_receipt")),
        sa.UniqueConstraint("village_id", "number", name=op.f("uq_receipt_village_id_number")),
    )
    op.create_index(op.f("ix_receipt_contract_id"), "receipt", ["contract_id"])
    op.create_index(op.f("ix_receipt_village_id"), "receipt", ["village_id"])


def _notices_and_plans() -> None:
    op.create_table(
        "notice",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("village_id", sa.Integer(), nullable=False),
        sa.Column("number", sa.String(40), nullable=False),
        sa.Column("title", sa.String(200), nullable=False),
        sa.Column("category", ENUM_NAME, nullable=False),
        sa.Column("body", sa.Text(), nullable=False),
        sa.Column("published_on", sa.Date(), nullable=False),
        sa.Column("status", ENUM_NAME, nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("updated_at", UTC, nullable=False),
        sa.ForeignKeyConstraint(["village_id"], ["village.id"], name=op.f("fk_notice_village_id_village")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_notice")),
        sa.UniqueConstraint("village_id", "number", name=op.f("uq_notice_village_id_number")),
    )
    op.create_index(op.f("ix_notice_village_id"), "notice", ["village_id"])

    op.create_table(
        "plan",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("village_id", sa.Integer(), nullable=False),
        sa.Column("number", sa.String(40), nullable=False),
        sa.Column("title", sa.String(200), nullable=False),
        sa.Column("body", sa.Text(), nullable=False),
        sa.Column("comment_from", sa.Date(), nullable=False),
        sa.Column("comment_until", sa.Date(), nullable=False),
        sa.Column("adopted_on", sa.Date(), nullable=True),
        sa.Column("status", ENUM_NAME, nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("updated_at", UTC, nullable=False),
        sa.ForeignKeyConstraint(["village_id"], ["village.id"], name=op.f("fk_plan_village_id_village")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_plan")),
        sa.UniqueConstraint("village_id", "number", name=op.f("uq_plan_village_id_number")),
    )
    op.create_index(op.f("ix_plan_village_id"), "plan", ["village_id"])

    op.create_table(
        "plan_comment",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("village_id", sa.Integer(), nullable=False),
        sa.Column("plan_id", sa.Integer(), nullable=False),
        sa.Column("number", sa.Integer(), nullable=False),
        sa.Column("commenter_name", sa.String(100), nullable=False),
        sa.Column("commenter_phone", sa.String(20), nullable=False),
        sa.Column("group_name", sa.String(50), nullable=False),
        sa.Column("body", sa.Text(), nullable=False),
        sa.Column("submitted_on", sa.Date(), nullable=False),
        sa.Column("reply", sa.Text(), nullable=False),
        sa.Column("replied_on", sa.Date(), nullable=True),
        sa.Column("replied_by", sa.String(16), nullable=True),
        sa.Column("status", ENUM_NAME, nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("updated_at", UTC, nullable=False),
        sa.ForeignKeyConstraint(["plan_id"], ["plan.id"], name=op.f("fk_plan_comment_plan_id_plan")),
        sa.ForeignKeyConstraint(["village_id"], ["village.id"], name=op.f("fk_plan_comment_village_id_village")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_plan_comment")),
        sa.UniqueConstraint("plan_id", "number", name=op.f("uq_plan_comment_plan_id_number")),
    )
    op.create_index(op.f("ix_plan_comment_plan_id"), "plan_comment", ["plan_id"])
    op.create_index(op.f("ix_plan_comment_village_id"), "plan_comment", ["village_id"])

    op.create_table(
        "consent_vote",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("village_id", sa.Integer(), nullable=False),
        sa.Column("plan_id", sa.Integer(), nullable=False),
        sa.Column("number", sa.Integer(), nullable=False),
        sa.Column("meeting", sa.String(100), nullable=False),
        sa.Column("question", sa.String(300), nullable=False),
        sa.Column("held_on", sa.Date(), nullable=False),
        sa.Column("eligible", sa.Integer(), nullable=False),
        sa.Column("yes_count", sa.Integer(), nullable=False),
        sa.Column("no_count", sa.Integer(), nullable=False),
        sa.Column("abstain_count", sa.Integer(), nullable=False),
        sa.Column("result", sa.String(200), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("updated_at", UTC, nullable=False),
        sa.ForeignKeyConstraint(["plan_id"], ["plan.id"], name=op.f("fk_consent_vote_plan_id_plan")),
        sa.ForeignKeyConstraint(["village_id"], ["village.id"], name=op.f("fk_consent_vote_village_id_village")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_consent_vote")),
        sa.UniqueConstraint("plan_id", "number", name=op.f("uq_consent_vote_plan_id_number")),
    )
    op.create_index(op.f("ix_consent_vote_plan_id"), "consent_vote", ["plan_id"])
    op.create_index(op.f("ix_consent_vote_village_id"), "consent_vote", ["village_id"])


def _audit_log() -> None:
    op.create_table(
        "audit_entry",
        sa.Column("id", ENTRY_ID, nullable=False),
        sa.Column("log", sa.String(32), nullable=False),
        sa.Column("seq", sa.BigInteger(), nullable=False),
        sa.Column("ts", UTC, nullable=False),
        sa.Column("actor", sa.String(100), nullable=False),
        sa.Column("action", sa.String(64), nullable=False),
        sa.Column("entity", sa.String(32), nullable=False),
        sa.Column("entity_id", sa.String(64), nullable=False),
        sa.Column("version", sa.Integer(), nullable=True),
        sa.Column("reason", sa.Text(), nullable=True),
        sa.Column("prev", sa.String(64), nullable=False),
        sa.Column("hash", sa.String(64), nullable=False),
        sa.Column("line", sa.Text(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_audit_entry")),
        sa.UniqueConstraint("hash", name=op.f("uq_audit_entry_hash")),
        sa.UniqueConstraint("log", "prev", name=op.f("uq_audit_entry_log_prev")),  # a fork fails
        sa.UniqueConstraint("log", "seq", name=op.f("uq_audit_entry_log_seq")),
    )
    op.create_index("ix_audit_entry_record", "audit_entry", ["log", "entity", "entity_id", "seq"])

    op.create_table(
        "private_record",
        sa.Column("entry_id", ENTRY_ID, nullable=False),
        sa.Column("salt", sa.LargeBinary(32), nullable=False),
        sa.Column("personal", sa.Text(), nullable=True),
        sa.ForeignKeyConstraint(["entry_id"], ["audit_entry.id"], name=op.f("fk_private_record_entry_id_audit_entry")),
        sa.PrimaryKeyConstraint("entry_id", name=op.f("pk_private_record")),
    )
    op.create_table(
        "audit_node",
        sa.Column("log", sa.String(32), nullable=False),
        sa.Column("level", sa.Integer(), nullable=False),
        sa.Column("idx", sa.BigInteger(), nullable=False),
        sa.Column("hash", sa.LargeBinary(32), nullable=False),
        sa.PrimaryKeyConstraint("log", "level", "idx", name=op.f("pk_audit_node")),
    )
    op.create_table(
        "audit_head",
        sa.Column("log", sa.String(32), nullable=False),
        sa.Column("size", sa.BigInteger(), nullable=False),
        sa.Column("last_hash", sa.String(64), nullable=False),
        sa.Column("root", sa.LargeBinary(32), nullable=False),
        sa.Column("peaks", sa.LargeBinary(), nullable=False),
        sa.Column("checkpoint", sa.Text(), nullable=False),
        sa.Column("updated_at", UTC, nullable=False),
        sa.PrimaryKeyConstraint("log", name=op.f("pk_audit_head")),
    )
    op.create_table(
        "audit_checkpoint",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("log", sa.String(32), nullable=False),
        sa.Column("size", sa.BigInteger(), nullable=False),
        sa.Column("root", sa.LargeBinary(32), nullable=False),
        sa.Column("note", sa.Text(), nullable=False),
        sa.Column("created_at", UTC, nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_audit_checkpoint")),
        sa.UniqueConstraint("log", "size", name=op.f("uq_audit_checkpoint_log_size")),
    )


def _files_and_stats() -> None:
    op.create_table(
        "stored_file",
        sa.Column("sha256", sa.String(64), nullable=False),
        sa.Column("size", sa.BigInteger(), nullable=False),
        sa.Column("media_type", sa.String(64), nullable=False),
        sa.Column("original_name", sa.String(200), nullable=False),
        sa.Column("created_at", UTC, nullable=False),
        sa.PrimaryKeyConstraint("sha256", name=op.f("pk_stored_file")),
    )
    op.create_table(
        "page_visit",
        sa.Column("village_code", sa.String(32), nullable=False),
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("count", sa.BigInteger(), nullable=False),
        sa.PrimaryKeyConstraint("village_code", "day", name=op.f("pk_page_visit")),
    )
