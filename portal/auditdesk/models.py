"""What the audit desk keeps beside the log: how far each member has read it, and the results of
integrity checks. Neither is audited state (the log is what they are about)."""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import BigInteger, ForeignKey, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from portal.kernel.base import Base
from portal.kernel.types import UTCDateTime

NEVER = -1  # a seq before the first entry: a member who never looked has everything new


class DeskSeen(Base):
    """How far one committee member has read their village's log on the desk.

    `seen_seq` is the last entry of the log when they last opened the timeline; `since_seq` the one
    before that visit, moved only when the log had grown meanwhile, so "what changed since I last
    looked" stays the same list however often the page is reloaded."""

    __tablename__ = "desk_seen"

    user_id: Mapped[int] = mapped_column(ForeignKey("user_account.id"), primary_key=True)
    log: Mapped[str] = mapped_column(String(32))
    seen_seq: Mapped[int] = mapped_column(BigInteger, default=NEVER)
    seen_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    since_seq: Mapped[int] = mapped_column(BigInteger, default=NEVER)
    since_at: Mapped[datetime | None] = mapped_column(UTCDateTime())


class VerificationRun(Base):
    """One run of the full integrity check (`audit verify`) on one village's log, by a committee
    member on the desk ("立即核验") or by the daily command. The latest run of a log decides
    whether its public home page carries an integrity warning."""

    __tablename__ = "verification_run"
    __table_args__ = (Index("ix_verification_run_log_id", "log", "id"),)

    id: Mapped[int] = mapped_column(BigInteger().with_variant(Integer, "sqlite"), primary_key=True)
    log: Mapped[str] = mapped_column(String(32))
    ran_at: Mapped[datetime] = mapped_column(UTCDateTime())
    ok: Mapped[bool]
    size: Mapped[int] = mapped_column(BigInteger)          # entries checked
    root: Mapped[str] = mapped_column(String(64))          # base64 root recomputed ("" if none)
    problems: Mapped[str] = mapped_column(Text, default="")  # one problem a line, as the check named them
    problem_count: Mapped[int] = mapped_column(default=0)
    trigger: Mapped[str] = mapped_column(String(16))       # desk · daily
    actor: Mapped[str] = mapped_column(String(100), default="")  # who pressed the button (desk runs)
    # The same problems as messages (kernel/messages.to_data, a JSON list) so the desk shows them in
    # the reader's language; None on runs recorded before they were kept.
    problem_messages: Mapped[str | None] = mapped_column(Text, nullable=True, default=None)
