"""The log as the committee reads it (/committee/log): newest first, filtered, each entry as a
diff of the record's public state against its previous entry, with the reason and who approved.

A page of entries costs a fixed number of statements however long the log is: one count, one
page of lines (index (log, seq), or (log, entity, entity_id, seq) for one record type), the
previous entry of each record on the page in one statement, and the names of the people on it.
"""
from __future__ import annotations

import importlib
import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from typing import Any

from sqlalchemy import ColumnElement, and_, func, select
from sqlalchemy.orm import Session, aliased

from portal.accounts.models import User
from portal.auditdesk.models import NEVER, DeskSeen
from portal.auditlog import store as audit_log
from portal.auditlog.models import AuditEntry
from portal.kernel.clock import SHANGHAI
from portal.kernel.errors import NotFound
from portal.kernel.history import ACTIONS, PRIVATE_LABEL, ROLES, FieldChange, diff, flatten
from portal.kernel.messages import say
from portal.kernel.transaction import Backend
from portal.villages.services import find_village

PAGE_SIZE = 20
STILL_READING = timedelta(hours=1)  # visits this close together are one look at the log


@dataclass(frozen=True)
class LogFilters:
    """What the timeline shows: one record type, an actor (part of a username), a verb, Beijing
    dates from `start` to `end` inclusive, and only what is new since the member's last look."""

    entity: str | None = None
    actor: str = ""
    verb: str | None = None
    start: date | None = None
    end: date | None = None
    unseen: bool = False

    @property
    def any(self) -> bool:
        return bool(self.entity or self.actor or self.verb or self.start or self.end or self.unseen)


@dataclass(frozen=True)
class Person:
    role: str      # 村干部, 监委会成员…
    username: str
    name: str      # display name, or the username when the account is gone


@dataclass(frozen=True)
class TimelineEntry:
    seq: int
    ts: datetime
    entity: str
    kind: str                 # 合同, 收据…
    label: str                # 合同 HT-001
    link: str | None
    verb: str                 # create, correct…
    verb_word: str            # 新建, 更正…
    version: int | None
    reason: str | None
    author: Person
    approver: Person | None
    changes: list[FieldChange]
    value_labels: Mapping[str, Mapping[str, str]]
    first: bool               # the record's first entry: the diff lists its whole state
    new: bool                 # after the member's last look


@dataclass(frozen=True)
class Seen:
    """Where the member's last look left off: entries after `since_seq` are new to them."""

    since_seq: int = NEVER
    since_at: datetime | None = None


@dataclass
class Timeline:
    entries: list[TimelineEntry]
    total: int               # entries matching the filters
    page: int
    pages: int
    size: int                # entries in the log
    seen: Seen
    new_count: int           # entries after the last look
    kinds: list[tuple[str, str]] = field(default_factory=list)


def day_start(day: date) -> datetime:
    """The UTC instant a Beijing day begins."""
    return datetime.combine(day, time(), SHANGHAI)


def _conditions(code: str, filters: LogFilters, seen: Seen) -> list[ColumnElement[bool]]:
    where = [AuditEntry.log == code]
    if filters.entity:
        where.append(AuditEntry.entity == filters.entity)
    if filters.actor:
        where.append(AuditEntry.actor.contains(filters.actor, autoescape=True))
    if filters.verb:
        where.append(AuditEntry.action.endswith(f".{filters.verb}", autoescape=True))
    if filters.start:
        where.append(AuditEntry.ts >= day_start(filters.start))
    if filters.end:
        where.append(AuditEntry.ts < day_start(filters.end + timedelta(days=1)))
    if filters.unseen:
        where.append(AuditEntry.seq > seen.since_seq)
    return where


def note_visit(backend: Backend, user_id: int, code: str) -> Seen:
    """Records that the member opened the timeline now, and returns where their previous look
    left off (entries after it are "new"). When the log has not grown since the last visit and
    that visit was within `STILL_READING`, the baseline stays: reloading the page or paging
    through the new entries keeps them new."""
    with backend.db.write(code) as session:
        head = audit_log.head(session, code)
        last = head.size - 1 if head else NEVER
        now = backend.clock()
        row = session.get(DeskSeen, user_id)
        if row is None or row.log != code:
            if row is not None:
                session.delete(row)
                session.flush()
            row = DeskSeen(user_id=user_id, log=code, seen_seq=NEVER, since_seq=NEVER)
            session.add(row)
        reading = row.seen_at is not None and now - row.seen_at < STILL_READING
        if last > row.seen_seq or not reading:
            row.since_seq, row.since_at = row.seen_seq, row.seen_at
        row.seen_seq, row.seen_at = max(last, row.seen_seq), now
        return Seen(row.since_seq, row.since_at)


def unseen_count(backend: Backend, user_id: int, code: str) -> tuple[int, datetime | None]:
    """Entries of the log added since the member last opened the timeline, and when that was."""
    with backend.db.read() as session:
        head = audit_log.head(session, code)
        row = session.get(DeskSeen, user_id)
        seen = row.seen_seq if row is not None and row.log == code else NEVER
        return max(0, (head.size if head else 0) - 1 - seen), row.seen_at if row is not None else None


def timeline(backend: Backend, code: str, filters: LogFilters, page: int, seen: Seen) -> Timeline:
    """One page of the log as the filters select it, newest first; NotFound past the last page."""
    with backend.db.read() as session:
        find_village(session, code)
        where = _conditions(code, filters, seen)
        total = session.scalar(select(func.count()).select_from(AuditEntry).where(*where)) or 0
        pages = max(1, -(-total // PAGE_SIZE))
        if page > pages:
            raise NotFound(say("没有第 %(page)s 页（共 %(pages)s 页）", page=page, pages=pages))
        rows = session.execute(select(AuditEntry.seq, AuditEntry.line).where(*where)
                               .order_by(AuditEntry.seq.desc())
                               .limit(PAGE_SIZE).offset((page - 1) * PAGE_SIZE)).all()
        entries = [json.loads(line) for _, line in rows]
        previous = previous_states(session, code, [seq for seq, _ in rows])
        people = _names(session, {name for e in entries for _, name in _actors(e["actor"])})
        head = audit_log.head(session, code)
    size = head.size if head else 0
    shown = [_entry(backend, code, e, previous.get(e["seq"]), people, seen) for e in entries]
    kinds = [(t.entity, t.name) for t in backend.registry]
    return Timeline(shown, total, page, pages, size, seen, max(0, size - 1 - seen.since_seq), kinds)


def previous_states(session: Session, code: str, seqs: list[int]) -> dict[int, dict[str, Any]]:
    """For each entry `seq`, the previous entry of the same record (by index (log, entity,
    entity_id, seq)), in one statement."""
    if not seqs:
        return {}
    current, before, probe = aliased(AuditEntry), aliased(AuditEntry), aliased(AuditEntry)
    last_before = (select(func.max(probe.seq))
                   .where(probe.log == current.log, probe.entity == current.entity,
                          probe.entity_id == current.entity_id, probe.seq < current.seq)
                   .correlate(current).scalar_subquery())
    found = session.execute(
        select(current.seq, before.line)
        .join(before, and_(before.log == current.log, before.seq == last_before))
        .where(current.log == code, current.seq.in_(seqs)))
    return {seq: json.loads(line) for seq, line in found}


def _actors(label: str) -> list[tuple[str, str]]:
    """`staff:wang+committee:li` → [("staff", "wang"), ("committee", "li")]: author, then approver."""
    return [tuple(part.split(":", 1)) if ":" in part else ("", part)  # type: ignore[misc]
            for part in label.split("+")]


def _names(session: Session, usernames: set[str]) -> dict[str, str]:
    if not usernames:
        return {}
    return dict(session.execute(select(User.username, User.display_name).where(User.username.in_(usernames))).all())


def _person(role: str, username: str, people: Mapping[str, str]) -> Person:
    return Person(ROLES.get(role, role), username, people.get(username, username))


def _editor_labels(backend: Backend, entity: str) -> tuple[Mapping[str, Mapping[str, str]], Any]:
    """The words for coded values (status "active" → 有效) and the `readable` hook: the editor's,
    or for a type without one its registry entry's (`RecordType.values`)."""
    record_type = backend.registry.get(entity)
    if record_type is None:
        return {}, None
    if record_type.editor is None:
        return record_type.values or {}, record_type.readable
    editor = importlib.import_module(record_type.editor).EDITOR
    return editor.value_labels, editor.readable


def _entry(backend: Backend, code: str, entry: dict[str, Any], before: dict[str, Any] | None,
           people: Mapping[str, str], seen: Seen) -> TimelineEntry:
    labels = backend.registry.labels(entry["entity"])
    after = entry["data"]
    order = {key: i for i, key in enumerate(flatten(after or (before or {}).get("data") or {}))}
    changes = sorted(diff(before["data"] if before else None, after, labels),
                     key=lambda change: order.get(change.field, len(order)))
    if before is not None and before["private"] != entry["private"]:
        changes.append(FieldChange("private", PRIVATE_LABEL, "原值", "已更改"))
    value_labels, readable = _editor_labels(backend, entry["entity"])
    if readable is not None:
        changes = [readable(change) for change in changes]
    actors = _actors(entry["actor"])
    label, link = backend.registry.describe(code, entry)
    verb = entry["action"].rsplit(".", 1)[-1]
    return TimelineEntry(
        entry["seq"], datetime.fromisoformat(entry["ts"]), entry["entity"], backend.registry.name(entry["entity"]),
        label, link, verb, ACTIONS.get(verb, verb), entry["version"], entry["reason"],
        _person(*actors[0], people), _person(*actors[1], people) if len(actors) > 1 else None,
        changes, value_labels, before is None, entry["seq"] > seen.since_seq)
