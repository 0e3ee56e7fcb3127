"""What every service needs, passed explicitly: the database, the log signer, a clock, file storage."""
from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from ..db import Database
from ..models import Audited, Village
from . import audit_log
from .errors import NotFound
from .signing import LogSigner


def utc_now() -> datetime:
    return datetime.now(timezone.utc)


@dataclass(frozen=True)
class Actor:
    """Who makes a change; the log names them as `<role>:<username>`."""

    username: str
    role: str
    user_id: int | None = None

    @property
    def label(self) -> str:
        return f"{self.role}:{self.username}"


SYSTEM = Actor("portal", "system")


@dataclass
class Backend:
    db: Database
    signer: LogSigner
    files_dir: Path
    clock: Callable[[], datetime] = utc_now

    @contextmanager
    def change(self, log: str, actor: Actor) -> Iterator[Change]:
        """One audited transaction on village log `log`: rows and entries commit together or not at all."""
        with self.db.write(log) as session:
            yield Change(self, session, log, actor)


@dataclass
class Change:
    """The open transaction of one service call; `record` appends the audit entry for a record."""

    backend: Backend
    session: Session
    log: str
    actor: Actor

    def village(self) -> Village:
        village = self.session.scalar(select(Village).where(Village.code == self.log))
        if village is None:
            raise NotFound(f"没有编码为“{self.log}”的村")
        return village

    def now(self) -> datetime:
        return self.backend.clock()

    def record(self, action: str, record: Audited, reason: str | None = None) -> dict[str, Any]:
        """Flushes `record` and appends its full public state to the log, in this transaction."""
        self.session.flush()
        return audit_log.append(
            self.session, self.backend.signer,
            log=self.log, ts=self.now(), actor=self.actor.label, action=action,
            entity=record.audit_entity, entity_id=record.audit_id(),
            version=record.version,  # type: ignore[attr-defined]
            reason=reason, data=record.public_state(), personal=record.personal_data(),
        )
