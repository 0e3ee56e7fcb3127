"""A draft is private working state, not a record: it is in no log until it is published."""
from __future__ import annotations

import enum
from datetime import datetime

from sqlalchemy import JSON, Enum, ForeignKey, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from portal.kernel.base import Base
from portal.kernel.types import UTCDateTime


class DraftState(str, enum.Enum):
    DRAFT = "draft"          # being written; only its village's staff see it
    SUBMITTED = "submitted"  # waiting for a committee member's approval
    RETURNED = "returned"    # sent back with a comment; staff edit and submit again
    PUBLISHED = "published"  # its change is in the log
    DISCARDED = "discarded"  # dropped by staff before publication


class Draft(Base):
    """One proposed change of one record: a new record, a correction or a withdrawal.

    `fields` holds what the form sent, as text (the domain's editor turns it into the service's
    input); uploaded files are kept in file storage and named here by their SHA-256. An import
    (verb "import") holds many new records instead, in `batch`: each record's fields as its
    form would send them; `fields` then names the file they came from.
    """

    __tablename__ = "draft"
    __table_args__ = (Index("ix_draft_village_id_state", "village_id", "state"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    village_id: Mapped[int] = mapped_column(ForeignKey("village.id"))
    entity: Mapped[str] = mapped_column(String(40))
    verb: Mapped[str] = mapped_column(String(20))               # create, correct, withdraw, import, …
    target: Mapped[str | None] = mapped_column(String(40))      # the published record's number
    title: Mapped[str] = mapped_column(String(200))             # how lists name it
    fields: Mapped[dict[str, str]] = mapped_column(JSON)
    reason: Mapped[str | None] = mapped_column(Text)
    state: Mapped[DraftState] = mapped_column(Enum(DraftState, native_enum=False, length=16),
                                              default=DraftState.DRAFT)
    author_id: Mapped[int] = mapped_column(ForeignKey("user_account.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime())
    submitted_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    reviewer_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    reviewed_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    review_comment: Mapped[str | None] = mapped_column(Text)
    published_number: Mapped[str | None] = mapped_column(String(40))
    published_seq: Mapped[int | None] = mapped_column()         # its first entry in the log
    # the records of an import, each as its form's fields (last: the column was added later)
    batch: Mapped[list[dict[str, str]] | None] = mapped_column(JSON)
