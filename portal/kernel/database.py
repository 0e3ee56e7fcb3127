"""Engines and sessions for SQLite (default, embedded) and PostgreSQL (`DATABASE_URL`).

Writes to one village log are serialised: SQLite takes the write lock up front with
`BEGIN IMMEDIATE` (WAL mode, busy timeout); PostgreSQL takes a transaction-scoped advisory lock
per log. UNIQUE(log, seq) and UNIQUE(log, prev) stay as the backstop.

Round trips to PostgreSQL are what an audited write mostly waits on (`scripts/bench writes`), so
a write transaction sends BEGIN, the lock and the read that follows it (the log's tip) in one
pipeline, together with the transaction's first statement (`first_row`, or any statement through
SQLAlchemy, which sends the lock on its own just before); a statement whose result nobody reads
(the log append, `keep_for_commit`) goes in the pipeline of the COMMIT; and a pooled connection is
pinged only when it has been idle (`PING_AFTER_IDLE_SECONDS`). An audited receipt is then two
round trips: BEGIN + lock + tip + the row's INSERT, the append + COMMIT.
"""
from __future__ import annotations

import hashlib
import sqlite3
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

from sqlalchemy import create_engine, event, exc, inspect, make_url
from sqlalchemy.engine import Connection, Engine
from sqlalchemy.orm import Session, sessionmaker
from sqlalchemy.pool import ConnectionPoolEntry, PoolProxiedConnection

from portal.kernel.base import Base

SQLITE_BUSY_TIMEOUT_MS = 30_000
# Pages in the WAL before a commit checkpoints it into the database file (SQLite's default is
# 1000). A checkpoint syncs both files, the one slow step of a SQLite commit; an audited write
# dirties ~17 pages (row, entry, nodes, head and their indexes), so the default made every ~60th
# write pay a checkpoint: 15–30% of write time in `scripts/bench audit`. 10,000 pages caps the
# WAL at ~40 MB.
SQLITE_WAL_AUTOCHECKPOINT_PAGES = 10_000
# A PostgreSQL connection taken from the pool is checked with a `SELECT 1` first only when it
# has been idle this long. SQLAlchemy's `pool_pre_ping` pings on every checkout: one round trip
# more per transaction (an audited write takes 5 in all), for a connection that served a
# request a moment ago. An idle one (a server restart, a firewall's idle timeout) is still
# checked and replaced before use; a connection that breaks while busy fails its statement, and
# SQLAlchemy then discards the pool's older connections.
PING_AFTER_IDLE_SECONDS = 5.0
# Session.info key under which `write(log, read_after_lock=…)` leaves (log, row read).
READ_AFTER_LOCK = "database.read_after_lock"
# Connection.info key: the statements kept to be sent with the COMMIT (`keep_for_commit`); a
# list only while a write transaction that sends them is open on the connection.
KEPT_FOR_COMMIT = "database.kept_for_commit"
# Connection.info key: the write lock not yet sent (`_PendingLock`), until the transaction's first
# statement, which it goes before in one round trip.
PENDING_LOCK = "database.pending_lock"
# Connection.info key: the driver cursors kept with the connection (`_cursors`).
CURSORS = "database.cursors"


@dataclass(frozen=True)
class _PendingLock:
    key: int  # advisory_key(log)
    log: str
    read_after_lock: str | None
    own_begin: bool  # BEGIN is sent with the lock (the driver is in autocommit mode meanwhile)
    session_info: dict[str, Any]  # where the read after the lock is left (READ_AFTER_LOCK)


def keep_for_commit(connection: Connection, sql: str, params: dict[str, Any]) -> None:
    """Runs `sql` (the driver's %(name)s style) with `params` in the connection's transaction,
    sending it in the round trip of the COMMIT when the transaction is a PostgreSQL write whose
    COMMIT `Database.write` sends in a pipeline: its result must not be needed. Any other
    statement executed in the transaction before the COMMIT sends the kept ones first, in order,
    so everything runs in the order written; an error in a kept statement fails the COMMIT and
    the transaction rolls back, as if the statement had failed where it was written."""
    kept = connection.info.get(KEPT_FOR_COMMIT)
    if kept is None:
        connection.exec_driver_sql(sql, params)
    else:
        kept.append((sql, params))


def _send_kept(connection: Connection) -> None:
    """Sends the pending lock and the statements kept for the COMMIT now, in one round trip
    (something else is to run after them)."""
    if PENDING_LOCK in connection.info or connection.info.get(KEPT_FOR_COMMIT):
        _pipeline(connection)


def first_row(connection: Connection, sql: str, params: dict[str, Any]) -> Any:
    """Runs `sql` (the driver's %(name)s style, values the driver takes as they are) in the
    connection's write transaction and returns its first row. On PostgreSQL through psycopg the
    pending lock and kept statements go before it in the same round trip; an error comes as
    SQLAlchemy's (IntegrityError for a duplicate key), as from `Connection.execute`."""
    if PENDING_LOCK not in connection.info and KEPT_FOR_COMMIT not in connection.info:
        return connection.exec_driver_sql(sql, params).first()
    try:
        return _pipeline(connection, (sql, params))
    except Exception as error:
        import psycopg

        if isinstance(error, psycopg.Error):
            raise exc.DBAPIError.instance(sql, params, error, psycopg.Error) from error
        raise


def _pipeline(connection: Connection, last: tuple[str, dict[str, Any]] | None = None,
              commit: bool = False) -> Any:
    """One round trip: the pending lock (BEGIN, the lock, the read after it), the kept
    statements, then `last` (whose first row is returned) or COMMIT. After an error the server
    skips the rest up to the pipeline's sync, so nothing after a failed statement runs."""
    pending: _PendingLock | None = connection.info.pop(PENDING_LOCK, None)
    kept = connection.info.get(KEPT_FOR_COMMIT) or []
    statements = list(kept)
    kept.clear()
    # A cursor keeps the result of the last statement it ran: the read after the lock on one,
    # `last` on the other.
    locking, cursor = _cursors(connection)
    driver: Any = cursor.connection
    with driver.pipeline():  # its end syncs and fetches everything: fetched inside, a row would flush
        if pending is not None:
            if pending.own_begin:
                locking.execute("BEGIN")
            locking.execute("SELECT pg_advisory_xact_lock(%s)", (pending.key,))
            if pending.read_after_lock is not None:
                locking.execute(pending.read_after_lock, (pending.log,))
        for sql, params in statements:
            cursor.execute(sql, params)
        if last is not None:
            cursor.execute(*last)
        elif commit:
            # COMMIT as a statement, not driver.commit() (which syncs, and the pipeline's end
            # syncs again): one round trip
            cursor.execute("COMMIT")
    if pending is not None and pending.read_after_lock is not None:
        pending.session_info[READ_AFTER_LOCK] = (pending.log, locking.fetchone())
    return cursor.fetchone() if last is not None else None


def _cursors(connection: Connection) -> tuple[Any, Any]:
    """Two cursors of the connection's driver connection, kept with it: psycopg's cursor caches
    how it sends each type of value, which a new cursor per statement would look up again (4% of
    an audited write's instructions)."""
    driver: Any = connection.connection.driver_connection
    kept = connection.info.get(CURSORS)
    if kept is None or kept[0].connection is not driver or kept[0].closed:
        kept = connection.info[CURSORS] = (driver.cursor(), driver.cursor())  # new, or the pool reconnected
    return kept


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


def _ping_idle_connections(engine: Engine) -> None:
    @event.listens_for(engine, "checkin")
    def on_checkin(dbapi_connection: Any, record: ConnectionPoolEntry) -> None:
        record.info["returned_at"] = time.monotonic()
        record.info.pop(KEPT_FOR_COMMIT, None)
        record.info.pop(PENDING_LOCK, None)
        if dbapi_connection is not None and not dbapi_connection.closed and dbapi_connection.autocommit:
            # a write that sent its own BEGIN (`Database._lock`) ended: back to psycopg's own
            # BEGIN before a transaction's first statement (the pool's reset has rolled back)
            try:
                dbapi_connection.autocommit = False
            except Exception:  # noqa: BLE001 — a broken connection: the checkout below refuses it
                pass

    @event.listens_for(engine, "before_cursor_execute")
    def before_statement(connection: Connection, *_: Any) -> None:
        _send_kept(connection)

    @event.listens_for(engine, "checkout")
    def on_checkout(dbapi_connection: Any, record: ConnectionPoolEntry, _proxy: PoolProxiedConnection) -> None:
        if dbapi_connection.autocommit:  # left so by a write whose checkin could not reset it
            try:
                dbapi_connection.autocommit = False
            except Exception as error:  # noqa: BLE001 — the pool reconnects and retries
                raise exc.DisconnectionError(f"connection left in a transaction: {error}") from error
        returned = record.info.get("returned_at")
        if returned is None or time.monotonic() - returned < PING_AFTER_IDLE_SECONDS:
            return  # new (just connected) or used a moment ago
        try:
            autocommit = dbapi_connection.autocommit
            dbapi_connection.autocommit = True  # the ping opens no transaction
            try:
                dbapi_connection.execute("SELECT 1")
            finally:
                dbapi_connection.autocommit = autocommit
        except Exception as error:  # noqa: BLE001 — any failure: the pool reconnects and retries
            raise exc.DisconnectionError(f"idle connection is gone: {error}") from error


class Database:
    """One engine and its session factory; `write(log)` is the only way to change data."""

    def __init__(self, url: str, *, echo: bool = False) -> None:
        self.url = url
        driver = make_url(url)
        own_ping = driver.get_backend_name() == "postgresql" and driver.get_driver_name() == "psycopg"
        # SQLite needs no ping; psycopg gets the idle-only ping below; another driver SQLAlchemy's.
        # No JIT on PostgreSQL: the portal's statements are short, and a grouped one over a county
        # (the township table) spent 37 ms of its 0.5 s compiling itself.
        connect_args = {"options": "-c jit=off"} if driver.get_backend_name() == "postgresql" else {}
        self.engine = create_engine(url, echo=echo, future=True, connect_args=connect_args,
                                    pool_pre_ping=not own_ping and driver.get_backend_name() != "sqlite")
        self.is_sqlite = self.engine.dialect.name == "sqlite"
        self.pipelines = False  # PostgreSQL through psycopg 3: lock and read in one round trip
        if self.is_sqlite:
            _prepare_sqlite(self.engine)
        elif own_ping:
            import psycopg

            self.pipelines = psycopg.Pipeline.is_supported()
            _ping_idle_connections(self.engine)
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
    def write(self, log: str, *, commit: bool = True, read_after_lock: str | None = None) -> Iterator[Session]:
        """A transaction holding the write lock of `log`; commits on success (unless `commit` is
        False: a rehearsal, rolled back whatever happens), else rolls back.

        `read_after_lock`: SQL with one `%s` (the log), run on PostgreSQL right after the lock is
        granted, in the same round trip as the lock (psycopg sends BEGIN before, on its own); its
        first row (or None) is left in `session.info[READ_AFTER_LOCK]` as (log, row). Each
        statement of a READ COMMITTED transaction sees what was committed when it starts, so the
        read sees everything committed before the lock was granted. (No savepoint may be rolled
        back past an append, which updates the row kept; none is used.) On SQLite nothing is
        read (a local call costs no round trip).
        """
        session = self.sessions()
        try:
            if self.is_sqlite:
                session.connection(execution_options={"sqlite_begin": "IMMEDIATE"})
            else:
                self._lock(session, log, read_after_lock)
            yield session
            if commit:
                self._commit(session)
            else:
                _send_kept(session.connection())  # a rehearsal fails where the write would
                session.rollback()
        except BaseException:
            session.rollback()
            raise
        finally:
            session.close()

    def _commit(self, session: Session) -> None:
        """Commits, sending the statements kept for the COMMIT (`keep_for_commit`) with it in
        one pipeline: one round trip for both."""
        session.flush()  # what the ORM holds first (its statements send the kept ones before them)
        connection = session.connection()
        if connection.info.get(KEPT_FOR_COMMIT):
            _pipeline(connection, commit=True)
        # else nothing was sent, or everything was: the server's transaction (if one began) is
        # committed by the session's commit as usual
        connection.info.pop(PENDING_LOCK, None)
        session.commit()  # the server's transaction is over; this ends the session's

    def _lock(self, session: Session, log: str, read_after_lock: str | None) -> None:
        key = advisory_key(log)
        connection = session.connection()
        if not self.pipelines:
            connection.exec_driver_sql("SELECT pg_advisory_xact_lock(%s)", (key,))
            if read_after_lock is not None:
                session.info[READ_AFTER_LOCK] = (log, connection.exec_driver_sql(read_after_lock, (log,)).first())
            return
        driver: Any = connection.connection.driver_connection
        # psycopg sends its BEGIN in a round trip of its own, even in a pipeline: here BEGIN is
        # sent in the lock's pipeline instead, with the driver in autocommit mode so it sends
        # none; it still commits or rolls back the transaction the server reports open, and the
        # pool's checkin turns autocommit off again.
        own_begin = driver.isolation_level is None and driver.read_only is None and not driver.autocommit
        if own_begin:
            driver.autocommit = True
        # Sent with the transaction's first statement (`_pipeline`): one round trip for both.
        connection.info[PENDING_LOCK] = _PendingLock(key, log, read_after_lock, own_begin, session.info)
        connection.info[KEPT_FOR_COMMIT] = []

    def has_schema(self) -> bool:
        return inspect(self.engine).has_table("audit_entry")

    def insert(self, model: type[Base]) -> Any:
        """INSERT into `model`'s table in this database's dialect, for `on_conflict_do_…` (the
        two dialects' Insert classes share no type)."""
        from sqlalchemy.dialects.postgresql import insert as pg_insert
        from sqlalchemy.dialects.sqlite import insert as sqlite_insert

        return sqlite_insert(model) if self.is_sqlite else pg_insert(model)

    def create_schema(self) -> None:
        Base.metadata.create_all(self.engine)

    def drop_schema(self) -> None:
        Base.metadata.drop_all(self.engine)

    def dispose(self) -> None:
        self.engine.dispose()
