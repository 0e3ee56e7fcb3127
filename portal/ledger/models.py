"""The ledger (资金): entries of income and expense, and set-aside funds (小公维金, 发展基金).

A fund's rule is data (`Fund.take` out of every `Fund.per` of income of `Fund.category`); it is
applied when income is booked and the shares are stored on the entry (`LedgerEntry.fund_shares`),
so they are in the entry's logged state and a later change of the rule never rewrites the past.
"""
from __future__ import annotations

import enum
from datetime import date
from decimal import Decimal
from typing import Any

from sqlalchemy import JSON, Enum, ForeignKey, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from portal.kernel.base import Base, NumberedRecord
from portal.kernel.privacy import mask_name
from portal.kernel.status import RecordStatus
from portal.kernel.types import ScaledDecimal
from portal.meetings.models import Meeting
from portal.receipts.models import Receipt

ALL_INCOME = "all"  # a fund rule taking from every income category


class Direction(str, enum.Enum):
    INCOME = "income"
    EXPENSE = "expense"


class Fund(NumberedRecord, Base):
    """专项基金 — money kept apart by rule: `take` yuan out of every `per` yuan of `category` income."""

    __tablename__ = "fund"
    audit_entity = "fund"

    name: Mapped[str] = mapped_column(String(100))
    category: Mapped[str] = mapped_column(String(24))
    take: Mapped[Decimal] = mapped_column(ScaledDecimal(4, 2))
    per: Mapped[Decimal] = mapped_column(ScaledDecimal(4, 2))
    purpose: Mapped[str] = mapped_column(String(500), default="")
    status: Mapped[RecordStatus] = mapped_column(
        Enum(RecordStatus, native_enum=False, length=16), default=RecordStatus.ACTIVE)

    def share_of(self, amount: Decimal) -> Decimal:
        """This fund's share of `amount` of income, to the fen, half up (as cashiers round)."""
        from portal.kernel.money import round_fen
        return round_fen(amount * self.take / self.per)

    def public_state(self) -> dict[str, Any]:
        return {"number": self.number, "name": self.name, "category": self.category, "take": str(self.take),
                "per": str(self.per), "purpose": self.purpose, "status": self.status.value}


class LedgerEntry(NumberedRecord, Base):
    """资金收支 — one income or expense of the collective, with its voucher and its decision."""

    __tablename__ = "ledger_entry"
    __table_args__ = (UniqueConstraint("village_id", "number"), UniqueConstraint("receipt_id"))
    audit_entity = "ledger_entry"

    booked_on: Mapped[date]
    direction: Mapped[Direction] = mapped_column(Enum(Direction, native_enum=False, length=16))
    category: Mapped[str] = mapped_column(String(24))
    amount: Mapped[Decimal] = mapped_column(ScaledDecimal(2))
    counterparty: Mapped[str] = mapped_column(String(100))
    counterparty_is_person: Mapped[bool] = mapped_column(default=False)
    funding_source: Mapped[str] = mapped_column(String(100), default="")
    fund_id: Mapped[int | None] = mapped_column(ForeignKey("fund.id"), index=True)   # paid out of a fund
    meeting_id: Mapped[int | None] = mapped_column(ForeignKey("meeting.id"), index=True)
    receipt_id: Mapped[int | None] = mapped_column(ForeignKey("receipt.id"))
    approved_by: Mapped[str] = mapped_column(String(100), default="")
    voucher_sha256: Mapped[str | None] = mapped_column(String(64))
    note: Mapped[str] = mapped_column(Text, default="")
    fund_shares: Mapped[list[dict[str, str]]] = mapped_column(JSON, default=list)
    status: Mapped[RecordStatus] = mapped_column(
        Enum(RecordStatus, native_enum=False, length=16), default=RecordStatus.ACTIVE)

    fund: Mapped[Fund | None] = relationship()
    meeting: Mapped[Meeting | None] = relationship()
    receipt: Mapped[Receipt | None] = relationship()

    def counterparty_public(self) -> str:
        return mask_name(self.counterparty) if self.counterparty_is_person else self.counterparty

    def public_state(self) -> dict[str, Any]:
        return {
            "number": self.number, "booked_on": self.booked_on.isoformat(), "direction": self.direction.value,
            "category": self.category, "amount": str(self.amount),
            "counterparty": {"is_person": self.counterparty_is_person, "name": self.counterparty_public()},
            "funding_source": self.funding_source, "fund": self.fund.number if self.fund else None,
            "meeting": self.meeting.number if self.meeting else None,
            "receipt": self.receipt.number if self.receipt else None,
            "approved_by": self.approved_by, "voucher_sha256": self.voucher_sha256, "note": self.note,
            "fund_shares": list(self.fund_shares or []), "status": self.status.value,
        }

    def personal_data(self) -> dict[str, Any] | None:
        return {"counterparty": self.counterparty} if self.counterparty_is_person else None
