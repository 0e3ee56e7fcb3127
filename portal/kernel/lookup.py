"""Finding a village's records by number, the way every service and page does."""
from __future__ import annotations

from typing import Protocol, TypeVar

from sqlalchemy import select
from sqlalchemy.orm import Session

from portal.kernel.base import NumberedRecord
from portal.kernel.errors import NotFound
from portal.kernel.messages import say

R = TypeVar("R", bound=NumberedRecord)


class HasSession(Protocol):
    """An audited change (kernel.transaction.Change): what lookups need of it."""

    @property
    def session(self) -> Session: ...


def session_of(change_or_session: HasSession | Session) -> Session:
    """The session of an audited change, or the session itself (reads pass a plain session)."""
    return change_or_session if isinstance(change_or_session, Session) else change_or_session.session


def find_numbered(change_or_session: HasSession | Session, model: type[R], village_id: int, number: str,
                  what: str) -> R:
    """The record `number` of the village; NotFound ("没有编号为…的<what>") if there is none."""
    record = session_of(change_or_session).scalar(
        select(model).where(model.village_id == village_id, model.number == number))
    if record is None:
        raise NotFound(say("没有编号为“%(number)s”的%(what)s", number=number, what=what))
    return record


def number_taken(change_or_session: HasSession | Session, model: type[NumberedRecord], village_id: int, number: str, *,
                 current: str | None = None) -> bool:
    """Whether another record of the village already has `number`; `current` is the number of the
    record being corrected (keeping its own number is no clash)."""
    if number == current:
        return False
    return session_of(change_or_session).scalar(
        select(model.id).where(model.village_id == village_id, model.number == number)) is not None
