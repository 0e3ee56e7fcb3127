"""The only code that writes committee keys and stores cosignatures.

Registering and revoking a key are audited (`committee_key.create`, `committee_key.revoke`).
A cosignature is not a log entry (an entry would make the log one longer than the checkpoint it
signs): it is a signature line added to the kept checkpoint (`audit_checkpoint`), which anyone
can check against the key the log registered.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from audit import NoteError, cosignature
from audit.checkpoint import Checkpoint, log_of_origin, parse_checkpoint
from audit.note import open_note, split_note
from portal.auditlog import store as audit_log
from portal.auditlog.models import AuditCheckpoint
from portal.kernel.errors import NotFound, PermissionDenied, ValidationError
from portal.kernel.lifecycle import amend, record_created
from portal.kernel.messages import say
from portal.kernel.registry import COMMITTEE
from portal.kernel.transaction import Actor, Backend, Change
from portal.kernel.validate import Checker
from portal.villages.services import get_village
from portal.witnessing.models import ACTIVE, REVOKED, CommitteeKey

MAX_KEY_TEXT = 300
MAX_NOTE_TEXT = 20_000
FUTURE_SLACK = timedelta(minutes=10)  # a member's clock may run a little fast, not more
SCAN_KEPT = 500  # kept checkpoints looked through for a key's last cosignature


def key_name(backend: Backend, code: str, number: int) -> str:
    """The name of the village's key `number`: "<portal>/v/<village>/committee/<number>"."""
    return f"{backend.signer.origin(code)}/committee/{number}"


def next_number(session: Session, village_id: int) -> int:
    return int(session.scalar(select(func.max(CommitteeKey.number)).where(
        CommitteeKey.village_id == village_id)) or 0) + 1


def _member(actor: Actor, code: str) -> None:
    if actor.role != COMMITTEE or actor.village != code or actor.user_id is None:
        raise PermissionDenied(say("只有本村监委会成员才能登记公钥和联署"))


def active_key(session: Session, village_id: int, user_id: int) -> CommitteeKey | None:
    return session.scalar(select(CommitteeKey).where(
        CommitteeKey.village_id == village_id, CommitteeKey.holder_id == user_id, CommitteeKey.status == ACTIVE))


def _revoke(change: Change, key: CommitteeKey, reason: str) -> None:
    amend(change, key, "committee_key.revoke", reason, status=REVOKED, revoked_on=change.backend.today())


def register_key(backend: Backend, actor: Actor, code: str, verifier_key: str) -> CommitteeKey:
    """登记公钥: the member's new public key (a tlog-cosignature vkey named as `key_name` says,
    with the next number); their earlier key, if any, is revoked in the same transaction."""
    _member(actor, code)
    text = (verifier_key or "").strip()
    if not text or len(text) > MAX_KEY_TEXT or "\x00" in text:
        raise ValidationError({"verifier_key": say("请粘贴公钥：一行，形如 名称+编号+密钥")})
    try:
        parsed = cosignature.parse_cosigner(text)
    except NoteError:
        raise ValidationError({"verifier_key": say("这不是一把有效的联署公钥（应为 名称+8位编号+base64，类型 0x04）")}) from None
    with backend.change(code, actor, "committee_key.create", "committee_key.revoke") as change:
        village_id = change.village_id()
        number = next_number(change.session, village_id)
        expected = key_name(backend, code, number)
        if parsed.name != expected:
            raise ValidationError({"verifier_key": say("公钥名称应为“%(expected)s”，收到“%(name)s”：请重新生成",
                                                       expected=expected, name=parsed.name)})
        if change.session.scalar(select(CommitteeKey.id).where(CommitteeKey.verifier_key == parsed.vkey)):
            raise ValidationError({"verifier_key": say("这把公钥已经登记过")})
        earlier = active_key(change.session, village_id, actor.user_id or 0)
        if earlier is not None:
            _revoke(change, earlier, say("登记了新公钥 %(number)s", number=number))
        key = CommitteeKey(village_id=village_id, number=number, key_name=parsed.name, verifier_key=parsed.vkey,
                           fingerprint=cosignature.fingerprint(parsed.public_key), holder_id=actor.user_id,
                           status=ACTIVE, registered_on=backend.today(), revoked_on=None)
        record_created(change, key, "committee_key.create")
    return key


def revoke_key(backend: Backend, actor: Actor, code: str, number: int, reason: str) -> CommitteeKey:
    """吊销公钥: the member's own key stops counting (lost phone, left the committee)."""
    _member(actor, code)
    check = Checker()
    reason = check.reason(reason)
    check.done()
    with backend.change(code, actor, "committee_key.revoke") as change:
        key = change.session.scalar(select(CommitteeKey).where(
            CommitteeKey.village_id == change.village_id(), CommitteeKey.number == number))
        if key is None:
            raise NotFound(say("没有编号为 %(number)s 的公钥", number=number))
        if key.holder_id != actor.user_id:
            raise PermissionDenied(say("只能吊销自己的公钥"))
        if key.status != ACTIVE:
            raise ValidationError({"reason": say("这把公钥已经吊销")})
        _revoke(change, key, reason)
    return key


@dataclass(frozen=True)
class Cosigned:
    """A checkpoint a key co-signed: the checkpoint and the kept note carrying the line."""

    checkpoint: Checkpoint
    note: str
    timestamp: int


def last_cosigned(session: Session, code: str, verifier_key: str) -> Cosigned | None:
    """The largest kept checkpoint carrying a valid cosignature by `verifier_key` (a line that does
    not verify is not the key's: the server cannot invent what the member signed)."""
    rows = session.scalars(select(AuditCheckpoint.note).where(AuditCheckpoint.log == code)
                           .order_by(AuditCheckpoint.size.desc()).limit(SCAN_KEPT))
    for note in rows:
        try:
            found = cosignature.cosignatures(note, [verifier_key])
            if found:
                return Cosigned(parse_checkpoint(split_note(note)[0]), note, found[0].timestamp)
        except NoteError:
            continue
    return None


def store_cosignature(backend: Backend, actor: Actor, code: str, checkpoint_note: str, line: str) -> Checkpoint:
    """联署: keeps the member's cosignature `line` on the checkpoint `checkpoint_note` (as fetched
    from /v/<code>/audit/checkpoint). Refused unless the line verifies against the member's own
    active key, the checkpoint is the portal's, of this village, and is today's head or a kept
    one, and its time is not in the future."""
    _member(actor, code)
    if not checkpoint_note or len(checkpoint_note) > MAX_NOTE_TEXT or not line or len(line) > 400:
        raise ValidationError({"cosignature": say("缺少检查点或联署签名")})
    try:
        text, _ = open_note(checkpoint_note.replace("\r\n", "\n"), [backend.signer.verifier_key])
        checkpoint = parse_checkpoint(text)
        name, _, timestamp, _ = cosignature.parse_line(line.strip())
        log = log_of_origin(checkpoint.origin)
    except NoteError:
        raise ValidationError({"cosignature": say("检查点或联署签名格式不对，或检查点不是本门户签发的")}) from None
    if log != code:
        raise ValidationError({"cosignature": say("这个检查点不是本村日志的")})
    if timestamp > (backend.clock() + FUTURE_SLACK).timestamp():
        raise ValidationError({"cosignature": say("联署时间晚于现在：请核对手机或电脑的时钟")})
    with backend.db.write(code) as session:
        village = get_village(session, code)
        key = active_key(session, village.id, actor.user_id or 0) if village is not None else None
        if key is None or key.key_name != name:
            raise ValidationError({"cosignature": say("联署签名不是用您登记的有效公钥签的")})
        try:
            cosignature.verify_line(text, line.strip(), cosignature.parse_cosigner(key.verifier_key))
        except NoteError:
            raise ValidationError({"cosignature": say("联署签名核验不通过：签名不对")}) from None
        head = audit_log.head(session, code)
        kept = session.scalar(select(AuditCheckpoint).where(
            AuditCheckpoint.log == code, AuditCheckpoint.size == checkpoint.size))
        if kept is None and head is not None and (head.size, head.root) == (checkpoint.size, checkpoint.root):
            kept = audit_log.keep_checkpoint(session, code, backend.clock())
        if kept is None or bytes(kept.root) != checkpoint.root or split_note(kept.note)[0] != text:
            raise ValidationError({"cosignature": say("这个检查点已经过时或不是本日志的：请重新打开联署页再联署")})
        kept.note = cosignature.add_line(kept.note, line.strip())
    return checkpoint
