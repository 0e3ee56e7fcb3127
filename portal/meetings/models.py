"""Meetings (会议纪要): the decisions a ledger entry or a dividend plan names."""
from __future__ import annotations

import enum
from datetime import date
from typing import Any

from sqlalchemy import Enum, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from portal.kernel.base import Base, NumberedRecord
from portal.kernel.status import RecordStatus


class MeetingKind(str, enum.Enum):
    REPRESENTATIVES = "representatives"  # 村民代表会议
    VILLAGERS = "villagers"              # 村民会议（户代表会议）
    MAJOR = "major"                      # 三重一大（村两委联席会议）


class Meeting(NumberedRecord, Base):
    """会议纪要 — one meeting: who came, what was on the agenda, how the vote went."""

    __tablename__ = "meeting"
    audit_entity = "meeting"

    held_on: Mapped[date]
    kind: Mapped[MeetingKind] = mapped_column(Enum(MeetingKind, native_enum=False, length=24))
    title: Mapped[str] = mapped_column(String(200))
    expected: Mapped[int]                  # 应到
    present: Mapped[int]                   # 实到
    agenda: Mapped[str] = mapped_column(Text)
    votes_for: Mapped[int]
    votes_against: Mapped[int]
    abstained: Mapped[int]
    decision: Mapped[str] = mapped_column(Text)
    minutes_sha256: Mapped[str | None] = mapped_column(String(64))
    status: Mapped[RecordStatus] = mapped_column(
        Enum(RecordStatus, native_enum=False, length=16), default=RecordStatus.ACTIVE)

    def public_state(self) -> dict[str, Any]:
        return {"number": self.number, "held_on": self.held_on.isoformat(), "kind": self.kind.value,
                "title": self.title, "expected": self.expected, "present": self.present,
                "agenda": self.agenda, "votes_for": self.votes_for, "votes_against": self.votes_against,
                "abstained": self.abstained, "decision": self.decision,
                "minutes_sha256": self.minutes_sha256, "status": self.status.value}
