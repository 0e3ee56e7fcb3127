"""`audit verify` against the live database: the chain, the head, and every row against its log."""
from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import Select, func, select
from sqlalchemy.orm import Session

from audit import LogError, NoteError, note
from audit.checkpoint import parse_checkpoint
from audit.entry import private_commitment
from audit.verify import verify_lines
from portal.accounts.models import User
from portal.auditlog import store as audit_log
from portal.auditlog.models import AuditEntry, PrivateRecord
from portal.auditlog.signing import LogSigner
from portal.registry import AUDITED_MODELS
from portal.villages.models import Village


@dataclass
class Report:
    log: str
    size: int = 0
    root: bytes = b""
    problems: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.problems


def verify_village(session: Session, village: Village, signer: LogSigner) -> Report:
    """Checks the log of `village` end to end and every live record against its latest entry."""
    report = Report(village.code)
    if not _verify_chain(session, report, signer):
        return report
    latest = _latest_entries(session, village.code)
    seen: set[tuple[str, str]] = set()
    for model in AUDITED_MODELS:
        for row in session.scalars(_rows_of(model, village)):
            key = (model.audit_entity, row.audit_id())
            seen.add(key)
            _compare_row(session, report, row, latest.get(key))
    for (entity, entity_id), entry in sorted(latest.items()):
        if (entity, entity_id) not in seen:
            report.problems.append(f"{entity} {entity_id}: 日志中有此记录（seq={entry['seq']}），数据库中却不存在（被直接删除？）")
    return report


def _verify_chain(session: Session, report: Report, signer: LogSigner) -> bool:
    head = audit_log.head(session, report.log)
    if head is None:
        report.problems.append("日志为空")
        return False
    try:
        _, size, root = verify_lines(line.encode("utf-8") for line in audit_log.iter_lines(session, report.log))
    except LogError as err:
        report.problems.append(f"日志链在 seq={err.seq} 处断裂：{err}")
        return False
    report.size, report.root = size, root
    if (size, root) != (head.size, head.root):
        report.problems.append(f"日志头（size={head.size}）与重算的日志（size={size}）不一致")
    try:
        text, _ = note.open_note(audit_log.latest_checkpoint(session, report.log) or "", [signer.verifier_key])
        checkpoint = parse_checkpoint(text)
    except NoteError as err:
        report.problems.append(f"签名检查点无效：{err}")
        return False
    if (checkpoint.size, checkpoint.root) != (size, root):
        report.problems.append(f"签名检查点（size={checkpoint.size}）与日志（size={size}）不一致")
    return not report.problems


def _rows_of(model: Any, village: Village) -> Select[Any]:
    if model is Village:
        return select(Village).where(Village.id == village.id)
    if model is User:
        return select(User).where(User.village_id == village.id)
    return select(model).where(model.village_id == village.id)


def _latest_entries(session: Session, log: str) -> dict[tuple[str, str], dict[str, Any]]:
    last = (select(AuditEntry.entity, AuditEntry.entity_id, func.max(AuditEntry.seq).label("seq"))
            .where(AuditEntry.log == log).group_by(AuditEntry.entity, AuditEntry.entity_id).subquery())
    rows = session.execute(select(AuditEntry.id, AuditEntry.line).join(last, (AuditEntry.log == log) & (
        AuditEntry.seq == last.c.seq)))
    latest = {}
    for entry_id, line in rows:
        entry = json.loads(line)
        entry["_id"] = entry_id
        latest[(entry["entity"], entry["entity_id"])] = entry
    return latest


def _compare_row(session: Session, report: Report, row: Any, entry: dict[str, Any] | None) -> None:
    number = getattr(row, "number", None)
    name = f"{row.audit_entity} {row.audit_id()}" + (f"（编号 {number}）" if number is not None else "")
    if entry is None:
        report.problems.append(f"{name}: 数据库中有此记录，日志中却没有（绕过门户直接写入？）")
        return
    if row.version != entry["version"] or row.public_state() != entry["data"]:
        report.problems.append(f"{name}: 数据库中的内容与日志 seq={entry['seq']} 记载的不一致（被直接修改？）")
        return
    personal = row.personal_data()
    if (personal is None) != (entry["private"] is None):
        report.problems.append(f"{name}: 个人信息与日志 seq={entry['seq']} 的承诺不一致")
        return
    if personal is not None:
        private = session.get(PrivateRecord, entry["_id"])
        if private is not None and private.personal is not None and \
                private_commitment(private.salt, personal) != entry["private"]:
            report.problems.append(f"{name}: 个人信息与日志 seq={entry['seq']} 的承诺不一致（被直接修改？）")
