"""A villager's complaint or comment (投诉/意见), the committee's answer, and the throttle's counts."""
from __future__ import annotations

import enum
from datetime import date, datetime
from typing import Any

from sqlalchemy import Enum, ForeignKey, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from portal.kernel.base import Base, NumberedRecord
from portal.kernel.privacy import mask_name
from portal.kernel.types import UTCDateTime


class ComplaintStatus(str, enum.Enum):
    WAITING = "waiting"      # 待分派: filed, no committee member assigned yet
    ASSIGNED = "assigned"    # 待答复: a member is to answer it
    ANSWERED = "answered"    # 已答复: the villager may say whether it is resolved
    RESOLVED = "resolved"    # 已解决: the villager said so
    REOPENED = "reopened"    # 未解决: the villager said not; back to the committee


# Statuses in which the committee owes an answer (counted against the due date).
OWED = (ComplaintStatus.WAITING, ComplaintStatus.ASSIGNED, ComplaintStatus.REOPENED)


class Complaint(NumberedRecord, Base):
    """投诉/意见 — what a villager (no account) filed about the village or one of its records.

    The filer's name and phone are personal (the name masked in public, the phone never shown);
    the tracking code (查询码) that lets the filer follow it and say whether the answer resolved
    it is kept only as its SHA-256, and never goes into the log.
    """

    __tablename__ = "complaint"
    audit_entity = "complaint"

    kind: Mapped[str] = mapped_column(String(16))                   # complaint · comment
    about_entity: Mapped[str | None] = mapped_column(String(32))    # the record it is about, if any
    about_number: Mapped[str | None] = mapped_column(String(40))
    filer_name: Mapped[str] = mapped_column(String(100), default="")   # personal; "" = anonymous
    filer_phone: Mapped[str] = mapped_column(String(20), default="")   # personal; never public
    body: Mapped[str] = mapped_column(Text)
    filed_on: Mapped[date]
    due_on: Mapped[date]                                             # the answer is due by this day
    status: Mapped[ComplaintStatus] = mapped_column(
        Enum(ComplaintStatus, native_enum=False, length=16), default=ComplaintStatus.WAITING)
    assignee_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    assigned_on: Mapped[date | None]
    reply: Mapped[str] = mapped_column(Text, default="")
    replied_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    replied_by: Mapped[str | None] = mapped_column(String(16))       # role of who answered
    feedback: Mapped[str] = mapped_column(Text, default="")          # the villager's word on the answer
    feedback_on: Mapped[date | None]
    round: Mapped[int] = mapped_column(default=1)                    # +1 each time it is reopened
    tracking_hash: Mapped[str] = mapped_column(String(64), unique=True)

    @property
    def filer_public_name(self) -> str | None:
        return mask_name(self.filer_name) if self.filer_name else None

    def days_left(self, today: date) -> int | None:
        """Days until the answer is due (negative: overdue), or None when no answer is owed."""
        return (self.due_on - today).days if self.status in OWED else None

    def overdue(self, today: date) -> bool:
        left = self.days_left(today)
        return left is not None and left < 0

    def public_state(self) -> dict[str, Any]:
        return {
            "number": self.number,
            "kind": self.kind,
            "about": f"{self.about_entity}:{self.about_number}" if self.about_entity else None,
            "filer": self.filer_public_name,
            "body": self.body,
            "filed_on": self.filed_on.isoformat(),
            "due_on": self.due_on.isoformat(),
            "status": self.status.value,
            "assignee_role": "committee" if self.assignee_id else None,
            "assigned_on": self.assigned_on.isoformat() if self.assigned_on else None,
            "reply": self.reply or None,
            "replied_at": self.replied_at.isoformat() if self.replied_at else None,
            "replied_by": self.replied_by,
            "feedback": self.feedback or None,
            "feedback_on": self.feedback_on.isoformat() if self.feedback_on else None,
            "round": self.round,
        }

    def personal_data(self) -> dict[str, Any] | None:
        personal = {key: value for key, value in (("name", self.filer_name), ("phone", self.filer_phone)) if value}
        return personal or None


class ComplaintAttempt(Base):
    """One complaint filed, counted by the throttle per client address and per village."""

    __tablename__ = "complaint_attempt"

    id: Mapped[int] = mapped_column(primary_key=True)
    address: Mapped[str] = mapped_column(String(64), index=True)
    village: Mapped[str] = mapped_column(String(32), index=True)
    at: Mapped[datetime] = mapped_column(UTCDateTime(), index=True)


class ComplaintSetting(Base):
    """A village's own answer deadline (days); villages without a row use the default."""

    __tablename__ = "complaint_setting"

    village_id: Mapped[int] = mapped_column(ForeignKey("village.id"), primary_key=True)
    answer_days: Mapped[int]
