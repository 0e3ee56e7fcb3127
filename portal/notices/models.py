"""Notices (公告) the village posts: calls for bids, financial statements, village affairs."""
from __future__ import annotations

import enum
from datetime import date, datetime
from typing import Any

from sqlalchemy import Enum, ForeignKey, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from portal.kernel.base import Audited, Base
from portal.kernel.status import RecordStatus
from portal.kernel.types import UTCDateTime


class NoticeCategory(str, enum.Enum):
    TENDER = "tender"      # 招租公告
    FINANCE = "finance"    # 财务公开
    AFFAIRS = "affairs"    # 村务公告
    OTHER = "other"        # 其他公告


class Notice(Audited, Base):
    """公告 — a public notice; its body is plain text (never HTML), shown with its line breaks."""

    __tablename__ = "notice"
    __table_args__ = (UniqueConstraint("village_id", "number"),)
    audit_entity = "notice"

    id: Mapped[int] = mapped_column(primary_key=True)
    village_id: Mapped[int] = mapped_column(ForeignKey("village.id"), index=True)
    number: Mapped[str] = mapped_column(String(40))    # 公告编号, e.g. GG-2026-001
    title: Mapped[str] = mapped_column(String(200))
    category: Mapped[NoticeCategory] = mapped_column(Enum(NoticeCategory, native_enum=False, length=16))
    body: Mapped[str] = mapped_column(Text)
    published_on: Mapped[date]
    status: Mapped[RecordStatus] = mapped_column(
        Enum(RecordStatus, native_enum=False, length=16), default=RecordStatus.ACTIVE
    )
    version: Mapped[int] = mapped_column(default=1)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime())

    def public_state(self) -> dict[str, Any]:
        return {
            "number": self.number,
            "title": self.title,
            "category": self.category.value,
            "body": self.body,
            "published_on": self.published_on.isoformat(),
            "status": self.status.value,
        }
