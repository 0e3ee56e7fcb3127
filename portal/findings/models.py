"""Findings (问题清单) of the village supervisory committee."""
from __future__ import annotations

import enum
from datetime import date
from typing import Any

from sqlalchemy import Enum, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from portal.kernel.base import Base, NumberedRecord
from portal.kernel.privacy import mask_name


class FindingStatus(str, enum.Enum):
    OPEN = "open"              # 待整改: recorded, nobody has started on it
    RECTIFYING = "rectifying"  # 整改中: the responsible party is fixing it
    CLOSED = "closed"          # 已销号: the committee checked the fix and closed it
    WITHDRAWN = "withdrawn"    # 已撤回: recorded by mistake; stays listed with its reason


class Finding(NumberedRecord, Base):
    """问题清单 — one finding of the committee: what is wrong, which records it is about (each as
    `entity:number`), who must fix it (an office in public; a person's name only masked) and by
    when. Every step of its rectification is a logged change with its reason."""

    __tablename__ = "finding"
    audit_entity = "finding"

    title: Mapped[str] = mapped_column(String(200))
    description: Mapped[str] = mapped_column(Text)
    records: Mapped[str] = mapped_column(Text, default="")   # one `entity:number` a line
    responsible: Mapped[str] = mapped_column(String(100))     # 村委会, 报账员…
    responsible_person: Mapped[str] = mapped_column(String(100), default="")  # personal
    found_on: Mapped[date]
    due_on: Mapped[date]
    status: Mapped[FindingStatus] = mapped_column(
        Enum(FindingStatus, native_enum=False, length=16), default=FindingStatus.OPEN)

    @property
    def record_refs(self) -> list[str]:
        return [line for line in self.records.splitlines() if line]

    def overdue(self, today: date) -> bool:
        return self.pending and self.due_on < today

    @property
    def pending(self) -> bool:
        """Still to be fixed: neither closed (销号) nor withdrawn (撤回)."""
        return self.status not in (FindingStatus.CLOSED, FindingStatus.WITHDRAWN)

    def public_state(self) -> dict[str, Any]:
        return {"number": self.number, "title": self.title, "description": self.description,
                "records": self.record_refs, "responsible": self.responsible,
                "responsible_person": mask_name(self.responsible_person) if self.responsible_person else None,
                "found_on": self.found_on.isoformat(), "due_on": self.due_on.isoformat(),
                "status": self.status.value}

    def personal_data(self) -> dict[str, Any] | None:
        return {"responsible_person": self.responsible_person} if self.responsible_person else None
