"""Login sessions kept on the server: started at login, checked on every request, ended by
logout, password changes, resets and disabling.

The browser's (signed) cookie carries a random token; only its SHA-256 is stored, in
`login_session`, with the times that bound it: IDLE after the last request, ABSOLUTE after
login. A session is valid while its row exists, is within both, and the account is active at
the version it had at login.
"""
from __future__ import annotations

import hashlib
import secrets
from datetime import datetime, timedelta

from sqlalchemy import delete, or_, update
from sqlalchemy.orm import Session

from portal.accounts.models import LoginSession, User
from portal.kernel.transaction import Backend

COOKIE_KEY = "login_session"  # the token's key in Flask's signed session cookie
IDLE = timedelta(minutes=30)
ABSOLUTE = timedelta(hours=12)
# last_seen_at is rewritten at most this often: one write per minute per user, not per request.
TOUCH_EVERY = timedelta(minutes=1)
# The write lock of the session rows (Database.write); no village code starts with "_".
LOCK = "_login_sessions"


def _key(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def start_session(backend: Backend, user: User) -> str:
    """A new session of `user` (as read at login); returns the token for the cookie. Drops
    every session past its time, of anyone, on the way."""
    now = backend.clock()
    token = secrets.token_urlsafe(32)
    with backend.db.write(LOCK) as session:
        session.execute(delete(LoginSession).where(or_(
            LoginSession.last_seen_at < now - IDLE, LoginSession.created_at < now - ABSOLUTE)))
        session.add(LoginSession(id=_key(token), user_id=user.id, user_version=user.version,
                                 created_at=now, last_seen_at=now))
    return token


def session_user(backend: Backend, user_id: str, token: str | None) -> User | None:
    """The account of a request whose cookie names `user_id` and carries `token`, or None when
    the session was ended, has timed out, or the account changed or was disabled since."""
    if not token or not user_id.isdigit():
        return None
    now = backend.clock()
    with backend.db.read() as session:
        row = session.get(LoginSession, _key(token))
        if row is None or row.user_id != int(user_id):
            return None
        user = session.get(User, row.user_id)
        expired = now - row.last_seen_at > IDLE or now - row.created_at > ABSOLUTE
        valid = user is not None and user.active and user.version == row.user_version and not expired
        if valid and user is not None and user.village_id:
            user.village  # loaded now: the session closes before the request uses it
        stale = now - row.last_seen_at >= TOUCH_EVERY
    if not valid:
        if expired:
            end_session(backend, token)
        return None
    if stale:
        with backend.db.write(LOCK) as session:
            session.execute(update(LoginSession).where(LoginSession.id == _key(token)).values(last_seen_at=now))
    return user


def end_session(backend: Backend, token: str) -> None:
    """Ends the one session of `token` (it timed out)."""
    with backend.db.write(LOCK) as session:
        session.execute(delete(LoginSession).where(LoginSession.id == _key(token)))


def end_sessions(session: Session, user_id: int) -> int:
    """Ends every session of the account, in the caller's transaction; returns how many."""
    result = session.execute(delete(LoginSession).where(LoginSession.user_id == user_id))
    return int(getattr(result, "rowcount", 0) or 0)


def end_all_sessions(backend: Backend, user_id: int) -> int:
    """Ends every session of the account (logout: every browser, not just this one)."""
    with backend.db.write(LOCK) as session:
        return end_sessions(session, user_id)


def session_times(backend: Backend, token: str) -> tuple[datetime, datetime] | None:
    """(created_at, last_seen_at) of the token's session, or None: for pages and tests."""
    with backend.db.read() as session:
        row = session.get(LoginSession, _key(token))
        return (row.created_at, row.last_seen_at) if row else None
