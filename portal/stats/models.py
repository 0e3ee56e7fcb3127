"""Page-visit counts per village and day: no cookies, no IP addresses, nothing per person."""
from __future__ import annotations

from datetime import date

from sqlalchemy import BigInteger, String
from sqlalchemy.orm import Mapped, mapped_column

from portal.kernel.base import Base


class PageVisit(Base):
    """访问量 — how many public pages of a village were viewed on one day."""

    __tablename__ = "page_visit"

    village_code: Mapped[str] = mapped_column(String(32), primary_key=True)
    day: Mapped[date] = mapped_column(primary_key=True)
    count: Mapped[int] = mapped_column(BigInteger, default=0)
