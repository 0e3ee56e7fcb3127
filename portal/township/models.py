"""Townships (乡镇) by code: the code names a township in URLs (its public ranking) and scopes
a township account; villages belong to a township by its name (`Village.township`)."""
from __future__ import annotations

from datetime import date

from sqlalchemy import BigInteger, ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column

from portal.kernel.base import Base


class Township(Base):
    """乡镇 — e.g. code `lianhua`, name 莲花镇: the villages whose `township` is this name."""

    __tablename__ = "township"

    code: Mapped[str] = mapped_column(String(32), primary_key=True)
    name: Mapped[str] = mapped_column(String(100), unique=True)


class KeptFigures(Base):
    """One village's counted figures of the township's table (各村一览), kept with the log size
    and the day they were counted for: every change to a village's records grows its log, so a
    row whose size and day match is still exact; any other is counted again when next read
    (portal/township/kept.py). Derived data, like the log's head: not a record, not exported."""

    __tablename__ = "village_figures"

    village_id: Mapped[int] = mapped_column(ForeignKey("village.id"), primary_key=True)
    as_of: Mapped[date]
    log_size: Mapped[int] = mapped_column(BigInteger)
    formula: Mapped[int]  # FORMULA of portal/township/kept.py when counted
    area: Mapped[int] = mapped_column(BigInteger)  # 1/10000 亩
    due: Mapped[int] = mapped_column(BigInteger)  # fen
    received: Mapped[int] = mapped_column(BigInteger)
    arrears: Mapped[int] = mapped_column(BigInteger)
    expiring: Mapped[int]
    open_tenders: Mapped[int]
    unanswered: Mapped[int]
    overdue: Mapped[int]
