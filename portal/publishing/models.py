"""Requests counted per client address for the rate limits (publishing/ratelimit.py): not audited,
nothing but an address and a count, kept for the current and the previous window only."""
from __future__ import annotations

from sqlalchemy import Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from portal.kernel.base import Base


class RequestCount(Base):
    """How many expensive requests of one kind (`bucket`) an address made in one window."""

    __tablename__ = "request_count"

    address: Mapped[str] = mapped_column(String(64), primary_key=True)
    bucket: Mapped[str] = mapped_column(String(16), primary_key=True)
    window: Mapped[int] = mapped_column(Integer, primary_key=True, index=True)  # epoch seconds // length
    count: Mapped[int] = mapped_column(Integer)
