"""What every service needs, passed explicitly: the database, the log signer, a clock, file storage."""
from __future__ import annotations

import functools
from contextvars import ContextVar
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path
from typing import Any, Protocol

from sqlalchemy import Dialect, Select, Table, bindparam, insert, inspect, select
from sqlalchemy.orm import MANYTOONE, InstanceState, Mapper, Session, make_transient_to_detached
from sqlalchemy.sql.dml import Insert

from portal.auditlog import store as audit_log
from portal.auditlog.signing import LogSigner
from portal.kernel.authorization import Actor as Actor  # re-exported: services take it from here
from portal.kernel.authorization import authorize
from portal.kernel.base import Audited, Base
from portal.kernel.clock import local_date, utc_now
from portal.kernel.database import Database, first_row
from portal.kernel.errors import NotFound, PermissionDenied
from portal.kernel.messages import say
from portal.kernel.registry import Registry

SYSTEM = Actor("portal", "system")


@dataclass
class Rehearsal:
    """What a rehearsed service call would have logged: the entries, none of them kept."""

    entries: list[dict[str, Any]] = field(default_factory=list)


# Set while `Backend.rehearse` runs: every audited transaction then rolls back instead of
# committing, and hands its entries to the rehearsal.
_REHEARSAL: ContextVar[Rehearsal | None] = ContextVar("rehearsal", default=None)
# Set by `Backend.alongside`: run at the end of each audited transaction, inside it.
_ALONGSIDE: ContextVar[tuple[Callable[[Change], None], ...]] = ContextVar("alongside", default=())


class VillageRow(Protocol):
    """What the kernel reads of a village (the model registered as "village")."""

    @property
    def id(self) -> int: ...

    @property
    def code(self) -> str: ...


_NO_DEFAULT = object()


@dataclass(frozen=True)
class _InsertPlan:
    """How `Change.insert` turns a new record of one mapped class into a row; made once per class."""

    statement: Insert  # built once, so SQLAlchemy reuses its cache key and compiled SQL
    # (attribute, column key, value when unset): None for a column without defaults (the INSERT
    # stores NULL), a scalar default, or _NO_DEFAULT (left to the database, loaded on access)
    columns: tuple[tuple[str, str, Any], ...]
    # many-to-one relationships: (relationship, foreign-key attribute, attribute of the target)
    references: tuple[tuple[str, str, str], ...]
    collections: tuple[str, ...]  # relationships holding records, which only a flush saves
    primary_key: tuple[str, ...]  # attributes of the primary key columns

    @classmethod
    @functools.cache
    def of(cls, mapper: Mapper[Any]) -> _InsertPlan:
        table = mapper.local_table
        assert isinstance(table, Table), f"{mapper} does not map a table"
        columns = []
        for prop in mapper.column_attrs:
            column = prop.columns[0]
            if column is table.autoincrement_column:
                continue  # the database numbers it: read back from the INSERT
            if column.default is None and column.server_default is None:
                unset: Any = None
            elif column.default is not None and column.default.is_scalar:
                unset = column.default.arg
            else:
                unset = _NO_DEFAULT
            columns.append((prop.key, column.key, unset))
        references = tuple(
            (relation.key, mapper.get_property_by_column(local).key,
             relation.mapper.get_property_by_column(remote).key)
            for relation in mapper.relationships if relation.direction is MANYTOONE
            for local, remote in relation.local_remote_pairs)
        collections = tuple(r.key for r in mapper.relationships if r.direction is not MANYTOONE)
        primary_key = tuple(mapper.get_property_by_column(c).key for c in mapper.primary_key)
        return cls(insert(table), tuple(columns), references, collections, primary_key)

    @functools.cache
    def driver_sql(self, dialect: Dialect, columns: frozenset[str]) -> tuple[str, tuple[tuple[str, Any], ...]]:
        """The INSERT of exactly `columns` returning the primary key, in the driver's own
        parameter style, and each column's bind processor (None: the value goes as it is): what
        `Connection.execute` would send, for `first_row` to send with the lock."""
        table = self.statement.table
        assert isinstance(table, Table), f"{table} is not a table"
        statement = self.statement.returning(*(column for column in table.primary_key.columns))
        compiled = statement.compile(dialect=dialect, column_keys=sorted(columns))
        processors = tuple((key, table.c[key].type.dialect_impl(dialect).bind_processor(dialect))
                           for key in sorted(columns))
        return compiled.string, processors

    def row(self, record: Base, state: InstanceState[Base]) -> dict[str, Any]:
        """The row of `record`, setting on it the values the INSERT will store for unset columns."""
        if any(state.dict.get(key) for key in self.collections):
            raise ValueError(f"{record!r} holds related records to save: use session.add")
        for relation, attribute, target_attribute in self.references:  # as a flush syncs them
            if relation in state.dict:
                target = state.dict[relation]
                if target is not None and inspect(target).key is None:
                    raise ValueError(f"{record!r} refers to a record not yet written: use session.add")
                setattr(record, attribute, None if target is None else getattr(target, target_attribute))
        values: dict[str, Any] = {}
        for attribute, column, unset in self.columns:
            if attribute not in state.dict and unset is not _NO_DEFAULT:
                setattr(record, attribute, unset)
            if attribute in state.dict:
                values[column] = state.dict[attribute]
        return values


@dataclass
class Backend:
    db: Database
    signer: LogSigner
    files_dir: Path
    registry: Registry
    clock: Callable[[], datetime] = utc_now
    # village code → id, kept for the life of the backend: no service deletes a village or
    # changes its code. Filled only after a commit, so an id read inside a transaction that then
    # rolls back (a village created and undone) is never kept.
    _village_ids: dict[str, int] = field(default_factory=dict, init=False, repr=False, compare=False)

    @functools.cached_property
    def _village_statements(self) -> tuple[Select[Any], Select[Any]]:
        """The village lookups by code, built once so SQLAlchemy reuses their cache keys."""
        village = self.registry.get("village")
        assert village is not None, "the registry has no village record type"
        model: Any = village.model
        return (select(model).where(model.code == bindparam("code")),
                select(model.id).where(model.code == bindparam("code")))

    def today(self) -> date:
        """Today's Beijing date by this backend's clock."""
        return local_date(self.clock())

    def __post_init__(self) -> None:
        audit_log.use_signer(self.db.sessions, self.signer)

    @contextmanager
    def change(self, log: str, actor: Actor, *actions: str) -> Iterator[Change]:
        """One audited transaction on village log `log`: rows and entries commit together or not at all.

        `actions` are the log actions the transaction may append (`contract.create`, …); the
        actor's role and village are checked against the registry for each before the
        transaction begins, so a refused change writes nothing (PermissionDenied).
        """
        authorize(self.registry, actor, log, actions)
        rehearsal = _REHEARSAL.get()
        with self.db.write(log, commit=rehearsal is None, read_after_lock=audit_log.TIP_AFTER_LOCK) as session:
            change = Change(self, session, log, actor, frozenset(actions), self._village_ids.get(log))
            yield change
            for hook in _ALONGSIDE.get():
                hook(change)
        if rehearsal is not None:
            rehearsal.entries.extend(change.appended)
        elif change.village_id_read is not None:
            self._village_ids[log] = change.village_id_read

    @contextmanager
    def alongside(self, hook: Callable[[Change], None]) -> Iterator[None]:
        """Runs `hook(change)` at the end of every audited transaction begun inside this block,
        in that transaction: what it writes commits with the records and entries, or not at all
        (a published draft is marked so in the transaction that logs it)."""
        token = _ALONGSIDE.set((*_ALONGSIDE.get(), hook))
        try:
            yield
        finally:
            _ALONGSIDE.reset(token)

    @contextmanager
    def rehearse(self) -> Iterator[Rehearsal]:
        """Runs service calls for real but keeps nothing: each audited transaction is checked,
        written and logged, then rolled back. A draft is checked this way before it is submitted,
        and its rehearsed entries show what publishing it would log (the diff a committee member
        approves). Records a rehearsed service returns are detached and must not be read."""
        rehearsal = Rehearsal()
        token = _REHEARSAL.set(rehearsal)
        try:
            yield rehearsal
        finally:
            _REHEARSAL.reset(token)


@dataclass
class Change:
    """The open transaction of one service call; `record` appends the audit entry for a record."""

    backend: Backend
    session: Session
    log: str
    actor: Actor
    actions: frozenset[str]  # what this transaction was authorized to log
    village_id_read: int | None = None  # known from earlier transactions, or read by village_id()
    appended: list[dict[str, Any]] = field(default_factory=list)  # the entries this transaction logged

    def village(self) -> VillageRow:
        """The village whose log this transaction writes; NotFound if there is none."""
        village: VillageRow | None = self.session.scalar(self.backend._village_statements[0], {"code": self.log})
        if village is None:
            raise NotFound(say("没有编码为“%(log)s”的村", log=self.log))
        self.village_id_read = village.id
        return village

    def village_id(self) -> int:
        """The village's id, without loading the Village (the backend remembers it)."""
        if self.village_id_read is None:
            self.village_id_read = self.session.execute(self.backend._village_statements[1], {"code": self.log}).scalar()
            if self.village_id_read is None:
                raise NotFound(say("没有编码为“%(log)s”的村", log=self.log))
        return self.village_id_read

    def insert(self, record: Base) -> None:
        """Writes the new `record` with one Core INSERT and attaches it to the session, as if a
        flush had written it: persistent, its primary key set, nothing left to flush.

        Why not `session.add` + flush: for one row the ORM's unit of work costs several times
        the INSERT itself, and a create is the most frequent audited write (`scripts/bench
        audit`). Covers what a create needs: the attributes set, column defaults for the others,
        foreign keys from many-to-one relationships and an autoincrement key. A record with
        collections to save (one-to-many) must go through `session.add` instead, and so must a
        model that relies on ORM insert events (none does today). On PostgreSQL the INSERT is
        sent by the driver itself (`first_row`): in the round trip of the write lock when it is
        the transaction's first statement, and without SQLAlchemy's execution machinery, which
        cost twice the driver's own work for one row (`scripts/bench writes`).
        """
        state = inspect(record)
        if not state.transient:
            raise ValueError(f"{record!r} is already in a session; Change.insert takes a new record")
        plan = _InsertPlan.of(state.mapper)
        values = plan.row(record, state)
        connection = self.session.connection()
        inserted: Any
        if self.backend.db.pipelines:  # PostgreSQL: in the round trip of the lock, if still pending
            sql, processors = plan.driver_sql(connection.dialect, frozenset(values))
            inserted = first_row(connection, sql, {
                key: values[key] if process is None else process(values[key]) for key, process in processors})
        else:
            inserted = connection.execute(plan.statement, values).inserted_primary_key
        assert inserted is not None, "a single-row INSERT returns its primary key"
        for attribute, value in zip(plan.primary_key, inserted):
            setattr(record, attribute, value)
        make_transient_to_detached(record)  # the row is written: persistent once added
        self.session.add(record)

    def now(self) -> datetime:
        return self.backend.clock()

    def record(self, action: str, record: Audited, reason: str | None = None) -> dict[str, Any]:
        """Flushes `record`, rewrites what is derived from it (RecordType.derive) and appends its
        full public state to the log, in this transaction."""
        if action not in self.actions:  # authorized when the transaction began, or not at all
            raise PermissionDenied(say("此次修改未获准写入“%(action)s”", action=action))
        self.session.flush()
        record_type = self.backend.registry.get(record.audit_entity)
        if record_type is not None and record_type.derive is not None:
            record_type.derive(self.session, record)  # stored derived figures, in this transaction
        entry = audit_log.append(
            self.session, self.backend.signer,
            log=self.log, ts=self.now(), actor=self.actor.label, action=action,
            entity=record.audit_entity, entity_id=record.audit_id(),
            version=record.version,
            reason=reason, data=record.public_state(), personal=record.personal_data(),
        )
        self.appended.append(entry)
        return entry
