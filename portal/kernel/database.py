"""Engines and sessions for SQLite (default, embedded) and PostgreSQL (`DATABASE_URL`).

Writes to one village log are serialised: SQLite takes the write lock up front with
`BEGIN IMMEDIATE` (WAL mode, busy timeout); PostgreSQL takes a transaction-scoped advisory lock
per log. UNIQUE(log, seq) and UNIQUE(log, prev) stay as the backstop.
"""
from __future__ import annotations

import hashlib
import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager

from sqlalchemy import create_engine, event, func, inspect, select
from sqlalchemy.engine import Connection, Engine
from sqlalchemy.orm import Session, sessionmaker

from portal.kernel.base import Base

SQLITE_BUSY_TIMEOUT_MS = 30_000
# Pages in the WAL before a commit checkpoints it into the database file (SQLite's default is
# 1000). A checkpoint syncs both files, the one slow step of a SQLite commit; an audited write
# dirties ~17 pages (row, entry, nodes, head and their indexes), so the default made every ~60th
# write pay a checkpoint: 15–30% of write time in `scripts/bench audit`. 10,000 pages caps the
# WAL at ~40 MB.
SQLITE_WAL_AUTOCHECKPOINT_PAGES = 10_000


def advisory_key(log: str) -> int:
    """A stable signed 64-bit key for pg_advisory_xact_lock, derived from the log name."""
    return int.from_bytes(hashlib.sha256(b"audit-log:" + log.encode()).digest()[:8], "big", signed=True)


def _prepare_sqlite(engine: Engine) -> None:
    @event.listens_for(engine, "connect")
    def on_connect(dbapi_connection: sqlite3.Connection, _record: object) -> None:
        dbapi_connection.isolation_level = None  # let the "begin" hook below choose the mode
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute(f"PRAGMA busy_timeout={SQLITE_BUSY_TIMEOUT_MS}")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.execute(f"PRAGMA wal_autocheckpoint={SQLITE_WAL_AUTOCHECKPOINT_PAGES}")
        cursor.close()

    @event.listens_for(engine, "begin")
    def on_begin(connection: Connection) -> None:
        mode = connection.get_execution_options().get("sqlite_begin", "DEFERRED")
        connection.exec_driver_sql(f"BEGIN {mode}")


class Database:
    """One engine and its session factory; `write(log)` is the only way to change data."""

    def __init__(self, url: str, *, echo: bool = False) -> None:
        self.url = url
        self.engine = create_engine(url, echo=echo, future=True, pool_pre_ping=not url.startswith("sqlite"))
        self.is_sqlite = self.engine.dialect.name == "sqlite"
        if self.is_sqlite:
            _prepare_sqlite(self.engine)
        self.sessions = sessionmaker(self.engine, expire_on_commit=False)

    @contextmanager
    def read(self) -> Iterator[Session]:
        """A session for reading. Closing it rolls back anything written through it and detaches,
        without expiring, what it loaded, so callers may still read those objects."""
        session = self.sessions()
        try:
            yield session
        finally:
            session.close()

    @contextmanager
    def write(self, log: str, *, commit: bool = True) -> Iterator[Session]:
        """A transaction holding the write lock of `log`; commits on success (unless `commit` is
        False: a rehearsal, rolled back whatever happens), else rolls back."""
        session = self.sessions()
        try:
            if self.is_sqlite:
                session.connection(execution_options={"sqlite_begin": "IMMEDIATE"})
            else:
                session.execute(select(func.pg_advisory_xact_lock(advisory_key(log))))
            yield session
            if commit:
                session.commit()
            else:
                session.rollback()
        except BaseException:
            session.rollback()
            raise
        finally:
            session.close()

    def has_schema(self) -> bool:
        return inspect(self.engine).has_table("audit_entry")

    def create_schema(self) -> None:
        Base.metadata.create_all(self.engine)

    def drop_schema(self) -> None:
        Base.metadata.drop_all(self.engine)

    def dispose(self) -> None:
        self.engine.dispose()
