"""`audit verify`, the log's tip: the `audit_head` row and the signed checkpoints kept.

The head's size, last hash, root and peaks must be those recomputed from the entries (appends
resume from the peaks, so a wrong peak would spoil every later node), its `updated_at` the last
entry's time. Every stored checkpoint must be signed by the portal's key, be of this log, and
name a root the log really had at its size; a kept row's columns must be its note's.
"""
from __future__ import annotations

from typing import TYPE_CHECKING, Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from audit import NoteError, cosignature, note
from audit.checkpoint import Checkpoint, log_of_origin, parse_checkpoint

from portal.kernel.messages import say
from portal.auditlog.models import AuditCheckpoint, AuditHead
from portal.auditlog.integrity_log import LogScan, ts_text
from portal.auditlog.signing import LogSigner

if TYPE_CHECKING:
    from portal.auditlog.integrity import Report

_HEAD, _KEPT = AuditHead.__table__, AuditCheckpoint.__table__


def _note_size(signed: Any) -> int | None:
    """The tree size a checkpoint note names (unverified), to know which roots to recompute."""
    lines = signed.split("\n", 2) if isinstance(signed, str) else []
    return int(lines[1]) if len(lines) > 2 and lines[1].isdigit() and len(lines[1]) < 20 else None


def root_sizes(session: Session, log: str) -> set[int]:
    """The sizes of the log at which some stored checkpoint claims a root."""
    sizes = {_note_size(signed) for signed in session.scalars(select(_HEAD.c.checkpoint).where(_HEAD.c.log == log))}
    for size, signed in session.execute(select(_KEPT.c.size, _KEPT.c.note).where(_KEPT.c.log == log)):
        sizes |= {size if isinstance(size, int) else None, _note_size(signed)}
    return {size for size in sizes if size is not None and size >= 0}


def check_head(session: Session, report: Report, log: str, scan: LogScan, signer: LogSigner) -> None:
    head = session.execute(select(_HEAD).where(_HEAD.c.log == log)).first()
    if head is None or not scan.size:
        if head is None and scan.size:
            report.add(say("audit_head 中没有此日志的行（日志头被直接删除？）"))
        elif head is not None:
            report.add(say("audit_head 中有此日志的行（size=%(size)s），日志中却没有任何条目（被直接改动？）", size=head.size))
        return
    last = f"seq={scan.size - 1}"
    if head.size != scan.size:
        report.add(say("日志头 audit_head 的 size=%(head)s，日志实有 %(size)s 条（seq 0–%(last)s，被直接修改？）",
                       head=head.size, size=scan.size, last=scan.size - 1))
    if head.last_hash != scan.last_hash:
        report.add(say("日志头 audit_head 的 last_hash 与最后一条（%(last)s）的哈希不一致（被直接修改？）", last=last))
    peaks, root = scan.head_tree()
    if bytes(head.root) != root:
        report.add(say("日志头 audit_head 的根哈希（root）与由条目重算的不一致（被直接修改？）"))
    if bytes(head.peaks) != b"".join(peaks):
        report.add(say("日志头 audit_head 的 peaks 与由条目重算的不一致（被直接修改？之后追加的节点会出错）"))
    if ts_text(head.updated_at) != ts_text(scan.last_ts):
        report.add(say("日志头 audit_head 的 updated_at 与最后一条（%(last)s）的时间不一致（被直接修改？）", last=last))
    _check_note(report, say("日志头 audit_head 中的签名检查点"), head.checkpoint, log, scan, signer)


def check_kept(session: Session, report: Report, log: str, scan: LogScan, signer: LogSigner) -> None:
    query = select(_KEPT).where(_KEPT.c.log == log).order_by(_KEPT.c.size)
    committee = _committee_keys(session, log)
    for kept in session.execute(query):
        what = say("保存的检查点（audit_checkpoint id=%(id)s）", id=kept.id)
        try:
            checkpoint = _check_note(report, what, kept.note, log, scan, signer)
            if checkpoint is not None and (checkpoint.size, checkpoint.root) != (kept.size, bytes(kept.root)):
                report.add(say("%(what)s的 size 或 root 列与其签名内容（size=%(size)s）不一致（被直接修改？）",
                               what=what, size=checkpoint.size))
            _check_cosignatures(report, what, kept.note, committee)
        except Exception as err:  # a value no portal writes: name the row, keep going
            report.add(say("%(what)s: 核对时出错（%(name)s: %(err)s）", what=what, name=type(err).__name__, err=str(err)))


def _committee_keys(session: Session, log: str) -> list[str]:
    """Every witness key the village ever registered (a revoked key's earlier cosignatures stay valid)."""
    from portal.villages.models import Village
    from portal.witnessing.models import CommitteeKey

    return list(session.scalars(select(CommitteeKey.verifier_key).join(Village, Village.id == CommitteeKey.village_id)
                                .where(Village.code == log).order_by(CommitteeKey.number)))


def _check_cosignatures(report: Report, what: str, signed: str, committee: list[str]) -> None:
    """A cosignature line by a registered committee key must verify (a forged one is named)."""
    if not committee:
        return
    try:
        cosignature.cosignatures(signed, committee)
    except NoteError as err:
        report.add(say("%(what)s上的监委会联署无效（%(err)s，被直接修改？）", what=what, err=str(err)))


def _check_note(report: Report, what: str, signed: str, log: str, scan: LogScan,
                signer: LogSigner) -> Checkpoint | None:
    """Checks a stored signed checkpoint against the portal key and the recomputed log."""
    try:
        text, _ = note.open_note(signed, [signer.verifier_key])
        checkpoint = parse_checkpoint(text)
        origin_log = log_of_origin(checkpoint.origin)
    except NoteError as err:
        report.add(say("%(what)s无效（签名或格式不对：%(err)s）", what=what, err=str(err)))
        return None
    if origin_log != log:
        report.add(say("%(what)s是日志 %(origin_log)s 的，不是本日志的", what=what, origin_log=origin_log))
    elif checkpoint.size > scan.size:
        report.add(say("%(what)s的 size=%(size)s 超出了日志（共 %(entries)s 条）",
                       what=what, size=checkpoint.size, entries=scan.size))
    elif scan.roots.get(checkpoint.size) != checkpoint.root:
        report.add(say("%(what)s（size=%(size)s）的根哈希与日志前 %(size)s 条的不一致（日志被改动过？）", what=what, size=checkpoint.size))
    return checkpoint
