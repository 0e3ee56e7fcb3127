"""招租公告 — a tender and everything that happens to it, as one audited record.

The lots, Q&A, bidders, bids and objections are lists inside the tender (JSON columns), so each
step — a question answered, a bidder registered, a round bid, a sealed bid opened — is one new
version of the tender and one log entry holding the whole public state after it. A bidder who
is a person is masked in the public state; the full names are personal data (`private`).
"""
from __future__ import annotations

import enum
from datetime import date
from decimal import Decimal
from typing import Any

from sqlalchemy import JSON, Enum, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from portal.kernel.base import Base, NumberedRecord
from portal.kernel.privacy import mask_name
from portal.kernel.types import ScaledDecimal


class TenderMode(str, enum.Enum):
    AUCTION = "auction"  # 公开竞价（现场/网络），逐轮加价
    SEALED = "sealed"    # 密封报价，开标时公开


class TenderStatus(str, enum.Enum):
    OPEN = "open"            # 公示中 / 竞价中 (which one follows from the dates)
    OPENING = "opening"      # 开标中: sealed bids are being revealed
    CLOSED = "closed"        # 竞价结束: a winner, not yet awarded
    FAILED = "failed"        # 流标: no valid bid
    AWARDED = "awarded"      # 已成交: award notice published, objection period running or over
    WITHDRAWN = "withdrawn"  # 已撤回


class Tender(NumberedRecord, Base):
    """招租公告 — a public call for bids on collective land (lots of existing parcels)."""

    __tablename__ = "tender"
    audit_entity = "tender"

    title: Mapped[str] = mapped_column(String(200))
    mode: Mapped[TenderMode] = mapped_column(Enum(TenderMode, native_enum=False, length=16))
    lots: Mapped[list[dict[str, Any]]] = mapped_column(JSON)       # [{"asset", "area"}], area in 亩
    use: Mapped[str] = mapped_column(String(200))                  # 用途
    term_start: Mapped[date]
    term_end: Mapped[date]
    reserve_price: Mapped[Decimal] = mapped_column(ScaledDecimal(2))  # 底价 元/亩/年
    increment: Mapped[Decimal] = mapped_column(ScaledDecimal(2))      # 加价幅度 元/亩/年
    deposit: Mapped[Decimal] = mapped_column(ScaledDecimal(2))        # 保证金 元
    eligibility: Mapped[str] = mapped_column(Text)                    # 竞买人资格
    plan_number: Mapped[str | None] = mapped_column(String(40))      # 所依据的方案
    meeting_number: Mapped[str | None] = mapped_column(String(40), sort_order=102)  # 所依据的会议决定 (HY-…)
    publicity_start: Mapped[date]
    publicity_days: Mapped[int]                                       # 公示期（工作日）
    publicity_end: Mapped[date]
    bid_deadline: Mapped[date]                                        # 竞价日 / 密封报价截止日
    qa: Mapped[list[dict[str, Any]]] = mapped_column(JSON, default=list)
    bidders: Mapped[list[dict[str, Any]]] = mapped_column(JSON, default=list)
    bids: Mapped[list[dict[str, Any]]] = mapped_column(JSON, default=list)
    failed_reveals: Mapped[list[dict[str, Any]]] = mapped_column(JSON, default=list)
    winner: Mapped[int | None]                                        # the winning bidder's number
    winning_price: Mapped[Decimal | None] = mapped_column(ScaledDecimal(2))
    awarded_on: Mapped[date | None]
    objection_until: Mapped[date | None]                              # 异议期 last day
    objections: Mapped[list[dict[str, Any]]] = mapped_column(JSON, default=list)
    status: Mapped[TenderStatus] = mapped_column(
        Enum(TenderStatus, native_enum=False, length=16), default=TenderStatus.OPEN)

    def area(self) -> Decimal:
        return sum((Decimal(lot["area"]) for lot in self.lots), Decimal(0))

    def stage(self, today: date) -> str:
        """upcoming · publicity · bidding (from the dates while open), else the status."""
        if self.status is not TenderStatus.OPEN:
            return str(self.status.value)
        if today < self.publicity_start:
            return "upcoming"
        return "publicity" if today <= self.publicity_end else "bidding"

    def public_bidders(self) -> list[dict[str, Any]]:
        return [{**b, "name": mask_name(b["name"]) if b["kind"] == "person" else b["name"]}
                for b in self.bidders]

    def public_state(self) -> dict[str, Any]:
        def day(value: date | None) -> str | None:
            return value.isoformat() if value else None

        return {
            "number": self.number, "title": self.title, "mode": self.mode.value, "lots": self.lots,
            "use": self.use, "term_start": day(self.term_start), "term_end": day(self.term_end),
            "reserve_price": str(self.reserve_price), "increment": str(self.increment),
            "deposit": str(self.deposit), "eligibility": self.eligibility, "plan": self.plan_number,
            "publicity_start": day(self.publicity_start), "publicity_days": self.publicity_days,
            "publicity_end": day(self.publicity_end), "bid_deadline": day(self.bid_deadline),
            "qa": self.qa, "bidders": self.public_bidders(), "bids": self.bids,
            "failed_reveals": self.failed_reveals, "winner": self.winner,
            "winning_price": str(self.winning_price) if self.winning_price is not None else None,
            "awarded_on": day(self.awarded_on), "objection_until": day(self.objection_until),
            "objections": self.objections, "status": self.status.value,
        } | ({"meeting": self.meeting_number} if self.meeting_number else {})

    def personal_data(self) -> dict[str, Any] | None:
        people = {str(b["no"]): b["name"] for b in self.bidders if b["kind"] == "person"}
        return {"bidders": people} if people else None
