"""Page-visit counts per village and day: no cookies, no IP addresses, nothing per person."""
from __future__ import annotations

from datetime import date

from sqlalchemy import BigInteger, LargeBinary, String
from sqlalchemy.orm import Mapped, mapped_column

from portal.kernel.base import Base


class PageVisit(Base):
    """访问量 — how many visitors viewed public pages of a village on one day (each page counted
    once per visitor and day)."""

    __tablename__ = "page_visit"

    village_code: Mapped[str] = mapped_column(String(32), primary_key=True)
    day: Mapped[date] = mapped_column(primary_key=True)
    count: Mapped[int] = mapped_column(BigInteger, default=0)


class VisitSalt(Base):
    """The random salt of one day's visitor fingerprints. Deleted once the day is over, after which
    that day's fingerprints can no longer be matched with anybody's address."""

    __tablename__ = "visit_salt"

    day: Mapped[date] = mapped_column(primary_key=True)
    salt: Mapped[bytes] = mapped_column(LargeBinary(32))


class VisitSeen(Base):
    """A (visitor, page) already counted today: SHA-256 of the day's salt, the client's address,
    its browser's User-Agent and the page; the address itself is never stored. Only today's rows
    are kept."""

    __tablename__ = "visit_seen"

    day: Mapped[date] = mapped_column(primary_key=True)
    fingerprint: Mapped[str] = mapped_column(String(32), primary_key=True)
