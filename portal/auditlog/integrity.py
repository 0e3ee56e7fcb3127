"""`audit verify` against the live database: every log's own tables, every row against its log,
and the files the log names.

A log is checked when it has entries, a head or a kept checkpoint, or a village row names it, so
deleting a village row does not take its log out of the check. The log's tables are checked in
`integrity_log` (entries, private records, Merkle nodes) and `integrity_head` (head, signed
checkpoints), the files in `integrity_files`; here every audited record in the log is compared
with its live row, and every live row of the village looked up in the log. Every check streams,
in batches, and a value no portal writes becomes a reported problem naming the record, never an
exception.
"""
from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TypeVar

from sqlalchemy import and_, exists, func, select
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Session

from audit.entry import private_commitment

from portal.kernel.messages import say
from portal.kernel.registry import RecordType, Registry
from portal.auditlog.models import AuditCheckpoint, AuditEntry, AuditHead, PrivateRecord
from portal.auditlog import integrity_files, integrity_head, integrity_log
from portal.auditlog.integrity_log import decode_line, entry_name, record_name
from portal.auditlog.signing import LogSigner

MAX_PROBLEMS = 200
BATCH = 500
_PRIVATE = PrivateRecord.__table__
_T = TypeVar("_T")


@dataclass
class Report:
    log: str
    size: int = 0
    root: bytes = b""
    problems: list[str] = field(default_factory=list)
    omitted: int = 0  # problems past MAX_PROBLEMS, counted only

    @property
    def ok(self) -> bool:
        return not self.problems

    def add(self, problem: str) -> None:
        """Notes a problem; past MAX_PROBLEMS only counts it, so a wholesale rewrite stays readable."""
        if len(self.problems) < MAX_PROBLEMS:
            self.problems.append(problem)
        else:
            self.omitted += 1


def _village_type(registry: Registry) -> RecordType:
    """The record type that owns the logs: its rows are looked up by code (their audit id)."""
    village = registry.get("village")
    assert village is not None, "the registry has no village record type"
    return village


def logs_to_verify(session: Session, registry: Registry) -> list[str]:
    """Every log the database holds anything of, and every village's log, sorted."""
    village: Any = _village_type(registry).model
    logs: set[str] = set()
    for query in (select(AuditEntry.log).distinct(), select(AuditHead.log),
                  select(AuditCheckpoint.log).distinct(), select(village.code)):
        logs.update(session.scalars(query))
    for record_type in registry:  # rows of no village (township accounts) name their log too
        if record_type.unowned_log and session.scalar(select(exists().where(
                getattr(record_type.model, record_type.village_column).is_(None)))):
            logs.add(record_type.unowned_log)
    return sorted(logs)


def verify_log(session: Session, log: str, signer: LogSigner, files_dir: Path | None, registry: Registry) -> Report:
    """Checks log `log` end to end, every live record against it, and the files it names (on
    disk too, under `files_dir`, unless that is None)."""
    report = Report(log)
    # One snapshot for every check (SQLite's read transaction is one already), so that a write
    # committed meanwhile cannot look like a head ahead of its entries.
    if session.get_bind().dialect.name == "postgresql" and not session.in_transaction():
        session.connection(execution_options={"isolation_level": "REPEATABLE READ"})
    scan = _guarded(session, report, say("审计日志条目"), lambda: integrity_log.scan_entries(
        session, report, log, integrity_head.root_sizes(session, log)))
    if scan is not None:
        report.size, report.root = scan.tree.size, scan.tree.root()
        if not scan.size:
            report.add(say("日志为空（没有任何条目）"))
        _guarded(session, report, say("Merkle 节点"), lambda: integrity_log.check_nodes(session, report, log, scan))
        _guarded(session, report, say("日志头"), lambda: integrity_head.check_head(session, report, log, scan, signer))
        _guarded(session, report, say("保存的检查点"), lambda: integrity_head.check_kept(session, report, log, scan, signer))
        _guarded(session, report, say("文件"), lambda: integrity_files.check_files(session, report, scan.files, files_dir))
    _guarded(session, report, say("记录"), lambda: _check_records(session, report, log, registry))
    return report


def _guarded(session: Session, report: Report, what: str, check: Callable[[], _T]) -> _T | None:
    """Runs one check; an error it did not expect is reported, and the other checks still run."""
    try:
        return check()
    except Exception as err:
        if isinstance(err, SQLAlchemyError):
            session.rollback()  # PostgreSQL refuses every later statement of a failed transaction
        detail = str(err).strip().splitlines()[0][:300] if str(err).strip() else ""
        report.add(say("核对%(what)s时出错，未能核对完（%(name)s: %(detail)s）", what=what, name=type(err).__name__, detail=detail))
        return None


def _check_records(session: Session, report: Report, log: str, registry: Registry) -> None:
    """Every registered record type: each logged record against its row, each row against the log,
    and what the type derives from its records (e.g. a contract's instalments)."""
    village: Any = _village_type(registry).model
    village_id = session.scalar(select(village.id).where(village.code == log))
    if village_id is None:
        village_id = _village_id_of(session, log, registry)
    for entity in session.scalars(select(AuditEntry.entity).where(AuditEntry.log == log).distinct()):
        if registry.get(entity) is None:
            report.add(say("日志中有未知类型 %(entity)s 的记录，无法与数据库比对", entity=entity))
    for record_type in registry:
        what = say(" %(entity)s 记录", entity=record_type.entity)
        _guarded(session, report, what, lambda: _logged_records(session, report, log, record_type, village_id))
        if record_type.village_column != "id" and (village_id is not None or record_type.unowned_log == log):
            _guarded(session, report, what, lambda: _unlogged_rows(session, report, log, record_type, village_id))
    if village_id is not None:  # what the types derive and store beside their records
        for problem in _guarded(session, report, say("派生数据"), lambda: registry.derived_problems(session, village_id)) or []:
            report.add(problem)


def _logged_records(session: Session, report: Report, log: str, record_type: RecordType,
                    village_id: int | None) -> None:
    """Each record of the type in the log: its live row must equal its latest entry."""
    model: Any = record_type.model
    last = (select(AuditEntry.entity_id, func.max(AuditEntry.seq).label("seq"))
            .where(AuditEntry.log == log, AuditEntry.entity == model.audit_entity)
            .group_by(AuditEntry.entity_id).subquery())
    query = (select(AuditEntry.id, AuditEntry.line)
             .join(last, and_(AuditEntry.log == log, AuditEntry.seq == last.c.seq))
             .execution_options(yield_per=BATCH))
    for batch in session.execute(query).partitions():
        entries = []
        for entry_id, line in batch:
            try:
                entries.append((entry_id, decode_line(line)))
            except (TypeError, ValueError):
                continue  # named by the pass over the log
        rows, errors = _rows_by_id(session, record_type, [str(entry["entity_id"]) for _, entry in entries])
        private_ids = [entry_id for entry_id, entry in entries if entry.get("private") is not None]
        privates = {p.entry_id: p for p in session.execute(  # plain rows: the ORM doubled the cost
            select(_PRIVATE).where(_PRIVATE.c.entry_id.in_(private_ids)))} if private_ids else {}
        for entry_id, entry in entries:
            key = str(entry["entity_id"])
            try:
                if key in errors:
                    report.add(say("%(entry)s: 无法读取数据库中的此记录（%(errors)s，被直接修改？）",
                                   entry=entry_name(entry), errors=errors[key]))
                elif key not in rows:
                    report.add(say("%(entry)s: 日志中有此记录，数据库中却不存在（被直接删除？）", entry=entry_name(entry)))
                else:
                    _compare_row(report, rows[key], entry, privates.get(entry_id), village_id)
            except Exception as err:  # e.g. a row it refers to was deleted: name the record
                report.add(say("%(entry)s: 与日志比对时出错（%(name)s: %(err)s），它或它关联的记录可能被直接修改或删除",
                               entry=entry_name(entry), name=type(err).__name__, err=str(err)))


def _rows_by_id(session: Session, record_type: RecordType, ids: list[str]) -> tuple[dict[str, Any], dict[str, str]]:
    """The live rows of the type with these audit ids, and why any of them could not be read."""
    model: Any = record_type.model
    column = getattr(model, record_type.id_column)
    keys: list[Any] = ids if record_type.id_column != "id" else [int(i) for i in ids if i.isdigit()]
    query = select(model)
    try:
        return {row.audit_id(): row for row in session.scalars(query.where(column.in_(keys)))}, {}
    except (TypeError, ValueError, LookupError):  # one unreadable row: read one by one to name it
        rows, errors = {}, {}
        for key in keys:
            try:
                row = session.scalar(query.where(column == key))
            except (TypeError, ValueError, LookupError) as err:
                errors[str(key)] = f"{type(err).__name__}: {err}"
                continue
            if row is not None:
                rows[row.audit_id()] = row
        return rows, errors


def _compare_row(report: Report, row: Any, entry: dict[str, Any], private: Any,
                 village_id: int | None) -> None:
    name = record_name(row.audit_entity, row.audit_id(), getattr(row, "number", None))
    if village_id is not None and getattr(row, "village_id", village_id) != village_id:
        report.add(say("%(name)s: 数据库中属于另一个村（village_id=%(village_id)s），日志 seq=%(seq)s 却记在本村（被直接修改？）",
                       name=name, village_id=row.village_id, seq=entry['seq']))
        return
    if row.version != entry["version"] or row.public_state() != entry["data"]:
        report.add(say("%(name)s: 数据库中的内容与日志 seq=%(seq)s 记载的不一致（被直接修改？）", name=name, seq=entry['seq']))
        return
    personal = row.personal_data()
    if (personal is None) != (entry["private"] is None):
        report.add(say("%(name)s: 个人信息与日志 seq=%(seq)s 的承诺不一致", name=name, seq=entry['seq']))
        return
    # Against the private record, if it was kept (not erased) and reproduces the commitment;
    # one that does not has been named by the pass over the log.
    if personal is None or private is None or private.personal is None or \
            integrity_log.private_problems(entry["private"], private.entry_id, private.salt, private.personal):
        return
    if private_commitment(private.salt, personal) != entry["private"]:
        report.add(say("%(name)s: 个人信息与日志 seq=%(seq)s 的承诺不一致（被直接修改？）", name=name, seq=entry['seq']))


def _unlogged_rows(session: Session, report: Report, log: str, record_type: RecordType,
                   village_id: int | None) -> None:
    """Each live row of the type in the village (None: of no village) must be a record of the log."""
    model: Any = record_type.model
    number = getattr(model, "number", None)
    column = getattr(model, record_type.village_column)
    query = (select(model.id, number if number is not None else model.id)
             .where(column.is_(None) if village_id is None else column == village_id)
             .order_by(model.id).execution_options(yield_per=BATCH))
    for batch in session.execute(query).partitions():
        ids = [str(row_id) for row_id, _ in batch]
        logged = set(session.scalars(select(AuditEntry.entity_id).distinct().where(
            AuditEntry.log == log, AuditEntry.entity == model.audit_entity, AuditEntry.entity_id.in_(ids))))
        for row_id, row_number in batch:
            if str(row_id) not in logged:
                name = record_name(model.audit_entity, str(row_id), row_number if number is not None else None)
                report.add(say("%(name)s: 数据库中有此记录，日志中却没有（绕过门户直接写入？）", name=name))


def _village_id_of(session: Session, log: str, registry: Registry) -> int | None:
    """The village id the log's records carry, when the village row itself is gone."""
    for record_type in registry:
        if record_type.village_column == "id":
            continue
        model: Any = record_type.model
        ids = session.scalars(select(AuditEntry.entity_id).where(
            AuditEntry.log == log, AuditEntry.entity == model.audit_entity).limit(100)).all()
        found = session.execute(select(model.village_id, func.count()).where(
            model.id.in_([int(i) for i in ids if i.isdigit()])).group_by(model.village_id)).all()
        if found:
            village_id: int = max(found, key=lambda each: each[1])[0]
            return village_id
    return None
