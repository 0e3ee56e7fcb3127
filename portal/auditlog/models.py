"""Storage of the per-village audit log (format v1) and what proofs and erasure need."""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import (
    BigInteger,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column

from portal.kernel.base import Base
from portal.kernel.types import UTCDateTime


class AuditEntry(Base):
    """One log entry. `line` is exactly the canonical bytes that were hashed (without `hash`)."""

    __tablename__ = "audit_entry"
    __table_args__ = (
        UniqueConstraint("log", "seq"),
        UniqueConstraint("log", "prev"),  # a second child of one entry is a fork: fail loudly
        Index("ix_audit_entry_record", "log", "entity", "entity_id", "seq"),
    )

    id: Mapped[int] = mapped_column(BigInteger().with_variant(Integer, "sqlite"), primary_key=True)
    log: Mapped[str] = mapped_column(String(32))
    seq: Mapped[int] = mapped_column(BigInteger)
    ts: Mapped[datetime] = mapped_column(UTCDateTime())
    actor: Mapped[str] = mapped_column(String(200))  # staff:<name>+committee:<name>
    action: Mapped[str] = mapped_column(String(64))
    entity: Mapped[str] = mapped_column(String(32))
    entity_id: Mapped[str] = mapped_column(String(64))
    version: Mapped[int | None]
    reason: Mapped[str | None] = mapped_column(Text)
    prev: Mapped[str] = mapped_column(String(64))
    hash: Mapped[str] = mapped_column(String(64), unique=True)
    line: Mapped[str] = mapped_column(Text)


class AuditNode(Base):
    """A complete Merkle subtree hash (level, index) of a log, stored as leaves are appended,
    so proofs need O(log n) reads instead of a rebuild."""

    __tablename__ = "audit_node"

    log: Mapped[str] = mapped_column(String(32), primary_key=True)
    level: Mapped[int] = mapped_column(primary_key=True)
    index: Mapped[int] = mapped_column("idx", BigInteger, primary_key=True)
    hash: Mapped[bytes] = mapped_column(LargeBinary(32))


class AuditHead(Base):
    """The tip of a village's log, one row per log: size, root, peaks and the last signed note.

    Size, root and peaks are updated in the same transaction as every append, so they never lag
    the entries; `checkpoint` is the latest note signed, and readers get a note for the current
    size and root through `audit_log.head()` (signed on read when the stored one is older).
    """

    __tablename__ = "audit_head"

    log: Mapped[str] = mapped_column(String(32), primary_key=True)
    size: Mapped[int] = mapped_column(BigInteger)
    last_hash: Mapped[str] = mapped_column(String(64))
    root: Mapped[bytes] = mapped_column(LargeBinary(32))
    peaks: Mapped[bytes] = mapped_column(LargeBinary)  # the compact range: appends need no reads
    checkpoint: Mapped[str] = mapped_column(Text)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime())


class AuditCheckpoint(Base):
    """A checkpoint kept on purpose (published, printed or co-signed), with all its signatures."""

    __tablename__ = "audit_checkpoint"
    __table_args__ = (UniqueConstraint("log", "size"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    log: Mapped[str] = mapped_column(String(32))
    size: Mapped[int] = mapped_column(BigInteger)
    root: Mapped[bytes] = mapped_column(LargeBinary(32))
    note: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())


class PrivateRecord(Base):
    """The personal data behind an entry's `private` commitment, with its salt.

    Never published. Erasing personal data blanks `personal` and keeps the chain intact.
    """

    __tablename__ = "private_record"

    entry_id: Mapped[int] = mapped_column(ForeignKey("audit_entry.id"), primary_key=True)
    salt: Mapped[bytes] = mapped_column(LargeBinary(32))
    personal: Mapped[str | None] = mapped_column(Text)  # canonical JSON; None once erased


class StoredFile(Base):
    """An uploaded file (receipt scan, photo), stored under its SHA-256 in the instance folder."""

    __tablename__ = "stored_file"

    sha256: Mapped[str] = mapped_column(String(64), primary_key=True)
    size: Mapped[int] = mapped_column(BigInteger)
    media_type: Mapped[str] = mapped_column(String(64))
    original_name: Mapped[str] = mapped_column(String(200))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    # set when the file was erased at its person's request (portal/privacy): the bytes are gone
    erased_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
