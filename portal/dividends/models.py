"""Dividend plans (分红方案) and their lines (分红名单), one audited record per household line."""
from __future__ import annotations

import enum
from datetime import date
from decimal import Decimal
from typing import Any

from sqlalchemy import Enum, ForeignKey, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from portal.kernel.base import Base, NumberedRecord, VillageRecord
from portal.kernel.privacy import mask_name
from portal.kernel.status import RecordStatus
from portal.kernel.types import ScaledDecimal
from portal.meetings.models import Meeting


class Payout(str, enum.Enum):
    PENDING = "pending"    # 待发放
    PAID = "paid"          # 已发放
    REMOVED = "removed"    # 已从名单移除（方案更正）


class DividendPlan(NumberedRecord, Base):
    """分红方案 — a year's distributable amount, the meeting that decided it and its publicity."""

    __tablename__ = "dividend_plan"
    audit_entity = "dividend_plan"

    year: Mapped[int]
    title: Mapped[str] = mapped_column(String(200))
    total: Mapped[Decimal] = mapped_column(ScaledDecimal(2))
    meeting_id: Mapped[int | None] = mapped_column(ForeignKey("meeting.id"), index=True)
    publicity_from: Mapped[date]
    publicity_until: Mapped[date]
    households: Mapped[int]
    shares: Mapped[Decimal] = mapped_column(ScaledDecimal(2))
    status: Mapped[RecordStatus] = mapped_column(
        Enum(RecordStatus, native_enum=False, length=16), default=RecordStatus.ACTIVE)

    meeting: Mapped[Meeting | None] = relationship()

    def public_state(self) -> dict[str, Any]:
        return {"number": self.number, "year": self.year, "title": self.title, "total": str(self.total),
                "meeting": self.meeting.number if self.meeting else None,
                "publicity_from": self.publicity_from.isoformat(), "publicity_until": self.publicity_until.isoformat(),
                "households": self.households, "shares": str(self.shares), "status": self.status.value}


class DividendLine(VillageRecord, Base):
    """分红名单的一行 — one household's shares and amount, its payout, and its private check code.

    The head of household's name is personal (masked in public, committed to in the entry's
    `private`); `check_code` is never public nor logged: it is printed on the household's payout
    slip and opens the household's own line at /v/<code>/dividends/check.
    """

    __tablename__ = "dividend_line"
    __table_args__ = (UniqueConstraint("plan_id", "household"), UniqueConstraint("check_code"))
    audit_entity = "dividend_line"

    plan_id: Mapped[int] = mapped_column(ForeignKey("dividend_plan.id"), index=True)
    position: Mapped[int]                                  # place in the roll (ties of the rounding)
    household: Mapped[str] = mapped_column(String(40))     # 户号
    head_name: Mapped[str] = mapped_column(String(100))    # 户主
    shares: Mapped[Decimal] = mapped_column(ScaledDecimal(2))
    amount: Mapped[Decimal] = mapped_column(ScaledDecimal(2))
    payout: Mapped[Payout] = mapped_column(Enum(Payout, native_enum=False, length=16), default=Payout.PENDING)
    paid_on: Mapped[date | None]
    check_code: Mapped[str] = mapped_column(String(16))

    plan: Mapped[DividendPlan] = relationship()

    def public_state(self) -> dict[str, Any]:
        return {"plan": self.plan.number, "year": self.plan.year, "position": self.position,
                "household": self.household, "head": mask_name(self.head_name), "shares": str(self.shares),
                "amount": str(self.amount), "payout": self.payout.value,
                "paid_on": self.paid_on.isoformat() if self.paid_on else None}

    def personal_data(self) -> dict[str, Any] | None:
        return {"head_name": self.head_name}
