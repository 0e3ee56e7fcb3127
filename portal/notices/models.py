"""Notices (公告) the village posts: calls for bids, financial statements, village affairs."""
from __future__ import annotations

import enum
from datetime import date
from typing import Any

from sqlalchemy import Enum, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from portal.kernel.base import Base, NumberedRecord
from portal.kernel.status import RecordStatus


class NoticeCategory(str, enum.Enum):
    TENDER = "tender"      # 招租公告
    FINANCE = "finance"    # 财务公开
    AFFAIRS = "affairs"    # 村务公告
    OTHER = "other"        # 其他公告


class Notice(NumberedRecord, Base):
    """公告 — a public notice. Its body is plain text (shown with its line breaks) or, when pasted
    from Word/WPS, HTML cleaned by portal.publishing.sanitizer (told apart by `is_html_body`)."""

    __tablename__ = "notice"
    audit_entity = "notice"

    title: Mapped[str] = mapped_column(String(200))
    category: Mapped[NoticeCategory] = mapped_column(Enum(NoticeCategory, native_enum=False, length=16))
    body: Mapped[str] = mapped_column(Text)
    published_on: Mapped[date]
    status: Mapped[RecordStatus] = mapped_column(
        Enum(RecordStatus, native_enum=False, length=16), default=RecordStatus.ACTIVE
    )

    def public_state(self) -> dict[str, Any]:
        return {
            "number": self.number,
            "title": self.title,
            "category": self.category.value,
            "body": self.body,
            "published_on": self.published_on.isoformat(),
            "status": self.status.value,
        }
