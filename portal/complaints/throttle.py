"""Flooding of complaints throttled without a puzzle: counts in the database per client address
and per village, shared by every worker process (as `portal.accounts.throttle` counts logins).

A villager types one complaint now and then; a script posting hundreds is refused with how long
to wait, and so is a swarm of addresses aiming at one village (whose committee must read them).
"""
from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import delete, func, select
from sqlalchemy.orm import InstrumentedAttribute, Session

from portal.complaints.models import ComplaintAttempt
from portal.kernel.database import Database
from portal.kernel.errors import ServiceError
from portal.kernel.messages import say

LOCK = "_complaint_throttle"  # a write lock of its own: no village code starts with "_"


@dataclass(frozen=True)
class Limits:
    """Complaints allowed within `window`: from one client address, and into one village."""

    per_address: int = 10
    per_village: int = 60
    window: timedelta = timedelta(hours=1)


class TooManyComplaints(ServiceError):
    """A limit is reached; `minutes` is how long until one more is accepted."""

    def __init__(self, retry_after: timedelta) -> None:
        self.retry_after = retry_after
        self.minutes = max(1, math.ceil(retry_after.total_seconds() / 60))
        super().__init__(say("提交太频繁，请 %(minutes)s 分钟后再提交；急事请直接到村委会或打电话反映", minutes=self.minutes))

    def __reduce__(self) -> tuple[type[TooManyComplaints], tuple[timedelta]]:
        return type(self), (self.retry_after,)


def _wait(session: Session, column: InstrumentedAttribute[str], key: str, limit: int, now: datetime,
          window: timedelta) -> timedelta | None:
    """How long until fewer than `limit` attempts of `key` are within the window (None: already)."""
    times = session.scalars(select(ComplaintAttempt.at).where(column == key, ComplaintAttempt.at > now - window)
                            .order_by(ComplaintAttempt.at.desc()).limit(limit)).all()
    if len(times) < limit:
        return None
    return times[-1] + window - now


def count_attempt(db: Database, limits: Limits, address: str, village: str, now: datetime) -> int:
    """Counts one complaint from `address` into `village` and returns its id, or raises
    TooManyComplaints (counting nothing) when either limit is reached."""
    address = (address or "unknown")[:64]
    with db.write(LOCK) as session:
        session.execute(delete(ComplaintAttempt).where(ComplaintAttempt.at <= now - limits.window))
        waits = [w for w in (
            _wait(session, ComplaintAttempt.address, address, limits.per_address, now, limits.window),
            _wait(session, ComplaintAttempt.village, village, limits.per_village, now, limits.window)) if w]
        if waits:
            raise TooManyComplaints(max(waits))
        attempt = ComplaintAttempt(address=address, village=village[:32], at=now)
        session.add(attempt)
        session.flush()
        return attempt.id


def forgive(db: Database, attempt: int) -> None:
    """Takes back an attempt whose complaint was refused (bad input): only filed ones count."""
    with db.write(LOCK) as session:
        session.execute(delete(ComplaintAttempt).where(ComplaintAttempt.id == attempt))


def attempts(db: Database, village: str) -> int:
    with db.read() as session:
        return session.scalar(select(func.count()).select_from(ComplaintAttempt)
                              .where(ComplaintAttempt.village == village)) or 0
