"""Login throttling per account and per client address, counted in the database.

Every worker process (gunicorn runs several) reads and writes the same `login_failure` rows, so
the limits hold however requests are spread. An attempt is counted *before* its password is
hashed (`begin_attempt`, which refuses once a limit is reached) and forgiven when it succeeds
(`forgive`), so concurrent guesses cannot all slip in under the limit while their hashes run.
"""
from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import delete, func, select
from sqlalchemy.orm import InstrumentedAttribute, Session

from portal.accounts.models import LoginFailure
from portal.kernel.database import Database
from portal.kernel.errors import ServiceError
from portal.kernel.messages import say

# The write lock of the counters (Database.write): not a village log, as no code starts with "_".
LOCK = "_login_throttle"


@dataclass(frozen=True)
class Limits:
    """Failed logins allowed within `window`: per account (by username, known or not) and per
    client address (one address guessing many accounts)."""

    per_account: int = 5
    per_address: int = 20
    window: timedelta = timedelta(minutes=15)


class TooManyFailedLogins(ServiceError):
    """A limit is reached; `retry_after` is how long until one more attempt is allowed."""

    def __init__(self, retry_after: timedelta) -> None:
        self.retry_after = retry_after
        self.minutes = max(1, math.ceil(retry_after.total_seconds() / 60))
        super().__init__(say("登录失败次数过多，请 %(minutes)s 分钟后再试", minutes=self.minutes))

    def __reduce__(self) -> tuple[type[TooManyFailedLogins], tuple[timedelta]]:
        return type(self), (self.retry_after,)


def account_key(username: str) -> str:
    """How the throttle names an account: usernames are lower case, so "Demo-Staff" counts too."""
    return (username or "").strip().lower()[:64]


def _wait(session: Session, column: InstrumentedAttribute[str], key: str, limit: int, now: datetime,
          window: timedelta) -> timedelta | None:
    """How long until fewer than `limit` failures of `key` are within the window (None: already)."""
    since = now - window
    times = session.scalars(select(LoginFailure.at).where(column == key, LoginFailure.at > since)
                            .order_by(LoginFailure.at.desc()).limit(limit)).all()
    if len(times) < limit:
        return None
    return times[-1] + window - now  # the limit-th newest leaving the window lets one more in


def begin_attempt(db: Database, limits: Limits, username: str, address: str, now: datetime) -> int:
    """Counts one attempt for the account and the address and returns its id, or raises
    TooManyFailedLogins (counting nothing) when either has reached its limit."""
    account, address = account_key(username), (address or "unknown")[:64]
    with db.write(LOCK) as session:
        session.execute(delete(LoginFailure).where(LoginFailure.at <= now - limits.window))
        waits = [w for w in (_wait(session, LoginFailure.username, account, limits.per_account, now, limits.window),
                             _wait(session, LoginFailure.address, address, limits.per_address, now, limits.window))
                 if w is not None]
        if waits:
            raise TooManyFailedLogins(max(waits))
        attempt = LoginFailure(username=account, address=address, at=now)
        session.add(attempt)
        session.flush()
        return attempt.id


def forgive(db: Database, attempt: int, username: str | None) -> None:
    """Takes back attempt `attempt` (it was not a wrong password), and with a username every
    failure of that account (it just logged in, or its password was reset)."""
    with db.write(LOCK) as session:
        session.execute(delete(LoginFailure).where(LoginFailure.id == attempt))
        if username is not None:
            clear_account(session, username)


def clear_account(session: Session, username: str) -> None:
    """Forgets the account's failures, in the caller's transaction."""
    session.execute(delete(LoginFailure).where(LoginFailure.username == account_key(username)))


def clear_failures(db: Database, username: str) -> None:
    """Forgets the account's failures (its password was just reset)."""
    with db.write(LOCK) as session:
        clear_account(session, username)


def failures(db: Database, username: str, now: datetime, window: timedelta) -> int:
    """The account's failures within the window (for pages and tests)."""
    with db.read() as session:
        return session.scalar(select(func.count()).select_from(LoginFailure).where(
            LoginFailure.username == account_key(username), LoginFailure.at > now - window)) or 0
