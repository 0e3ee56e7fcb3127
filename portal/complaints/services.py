"""Complaints and comments from villagers (投诉/意见): filed without an account, assigned by the
committee to one of its members, answered in public, and judged resolved or not by the filer.

Every step is one audited entry (`complaint.create`, `.assign`, `.reply`, `.resolve`, `.reopen`);
the filer's name and phone go into the log only as the salted commitment, and the tracking code
not at all (only its SHA-256 is kept, to find the complaint by it).
"""
from __future__ import annotations

import hashlib
import re
import secrets
from dataclasses import dataclass
from datetime import timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from portal.accounts.models import Role, User
from portal.complaints.labels import KIND
from portal.complaints.models import Complaint, ComplaintSetting, ComplaintStatus
from portal.kernel.base import NumberedRecord
from portal.kernel.errors import NotFound, PermissionDenied, ValidationError
from portal.kernel.identity import is_phone
from portal.kernel.lifecycle import record_created, snapshot
from portal.kernel.lookup import HasSession, find_numbered, session_of
from portal.kernel.messages import say
from portal.kernel.privacy import carries_personal_number
from portal.kernel.registry import Registry
from portal.kernel.transaction import Actor, Backend, Change
from portal.kernel.validate import Checker
from portal.plans.public_text import public_text
from portal.villages.services import find_village

BODY_MAX = 2000
REPLY_MAX = 2000
FEEDBACK_MAX = 500
NAME_MAX = 50
# 7 calendar days: the committee meets at least weekly, and a villager should not wait longer
# for a first answer; a village may set its own (flask --app portal complaints answer-days).
DEFAULT_ANSWER_DAYS = 7
MAX_ANSWER_DAYS = 60
# Tracking codes: 12 characters without look-alikes (0/O, 1/I/L), shown as XXXX-XXXX-XXXX; about
# 59 bits, so guessing one of a village's codes is hopeless at the throttle's rate.
CODE_ALPHABET = "ABCDEFGHJKMNPQRSTUVWXYZ23456789"
CODE_LENGTH = 12
NUMBER = re.compile(r"TS-(\d{4})-(\d{4,})")


@dataclass
class ComplaintInput:
    """What a villager types. `name` empty: anonymous. `about` is "<entity>:<number>" of a record
    of the village (e.g. contract:HT-2024-001), or empty."""

    kind: str
    body: str
    name: str = ""
    phone: str = ""
    about: str = ""


@dataclass(frozen=True)
class Filed:
    complaint: Complaint
    tracking_code: str  # shown once to the filer; the portal keeps only its hash


def tracking_hash(code: str) -> str:
    return hashlib.sha256(normal_code(code).encode()).hexdigest()


def normal_code(code: str) -> str:
    """A tracking code as typed (lower case, spaces, dashes) in its stored form."""
    return re.sub(r"[\s\-]", "", str(code or "")).upper()[:40]


def shown_code(code: str) -> str:
    code = normal_code(code)
    return "-".join(code[i:i + 4] for i in range(0, len(code), 4))


def new_tracking_code() -> str:
    return shown_code("".join(secrets.choice(CODE_ALPHABET) for _ in range(CODE_LENGTH)))


def answer_days(session: Session, village_id: int) -> int:
    days = session.scalar(select(ComplaintSetting.answer_days).where(ComplaintSetting.village_id == village_id))
    return days or DEFAULT_ANSWER_DAYS


def set_answer_days(backend: Backend, code: str, days: int) -> None:
    """The village's answer deadline for complaints filed (or reopened) from now on."""
    if not 1 <= days <= MAX_ANSWER_DAYS:
        raise ValidationError({"days": say("答复期限应为 1 到 %(most)s 天", most=MAX_ANSWER_DAYS)})
    with backend.db.write(code) as session:
        village = find_village(session, code)
        setting = session.get(ComplaintSetting, village.id)
        if setting is None:
            session.add(ComplaintSetting(village_id=village.id, answer_days=days))
        else:
            setting.answer_days = days


def about_types(registry: Registry) -> dict[str, str]:
    """Record types a complaint may be about: public, numbered, with a page (entity → name)."""
    return {t.entity: t.name for t in registry if t.public and issubclass(t.model, NumberedRecord)
            and t.entity != Complaint.audit_entity}


def parse_about(registry: Registry, about: str) -> tuple[str, str] | None:
    """("contract", "HT-1") from "contract:HT-1"; None when empty; ValidationError when malformed."""
    about = str(about or "").strip()
    if not about:
        return None
    entity, _, number = about.partition(":")
    if entity not in about_types(registry) or not number.strip() or len(number) > 40:
        raise ValidationError({"about": say("涉及的记录无法识别，请从记录页面上的“我要反映问题/投诉”进入")})
    return entity, number.strip()


def find_about(change_or_session: HasSession | Session, registry: Registry, village_id: int,
               about: tuple[str, str]) -> NumberedRecord:
    record_type = registry.get(about[0])
    assert record_type is not None and issubclass(record_type.model, NumberedRecord)
    try:
        return find_numbered(change_or_session, record_type.model, village_id, about[1], record_type.name)
    except NotFound as err:
        raise ValidationError({"about": str(err)}) from None


def find_complaint(change_or_session: HasSession | Session, village_id: int, number: str) -> Complaint:
    return find_numbered(change_or_session, Complaint, village_id, number, "投诉/意见")


def find_by_code(change_or_session: HasSession | Session, village_id: int, code: str) -> Complaint:
    """The village's complaint with this tracking code; NotFound (saying nothing more) otherwise."""
    complaint = session_of(change_or_session).scalar(select(Complaint).where(
        Complaint.village_id == village_id, Complaint.tracking_hash == tracking_hash(code)))
    if complaint is None:
        raise NotFound(say("没有这个查询码。请核对查询码是否抄错，或到村委会询问。"))
    return complaint


def _next_number(change: Change, village_id: int, year: int) -> str:
    numbers = change.session.scalars(select(Complaint.number).where(
        Complaint.village_id == village_id, Complaint.number.like(f"TS-{year}-%"))).all()
    used = [int(m.group(2)) for n in numbers if (m := NUMBER.fullmatch(n))]
    return f"TS-{year}-{max(used, default=0) + 1:04d}"


def check_complaint(registry: Registry, data: ComplaintInput) -> tuple[dict[str, str], tuple[str, str] | None]:
    """The checked columns (and the record it is about) of a complaint; ValidationError otherwise."""
    check = Checker()
    kind = str(data.kind or "").strip()
    if kind not in KIND:
        check.fail("kind", say("请选择是投诉还是意见建议"))
    body = public_text(check, "body", data.body, "内容", BODY_MAX)
    name = check.text("name", data.name, "姓名", max_len=NAME_MAX, required=False)
    if carries_personal_number(name) or any(ch.isdigit() for ch in name):
        check.fail("name", say("姓名里不要写数字；不想留名可以不填"))
    phone = re.sub(r"[\s\-]", "", check.text("phone", data.phone, "联系电话", max_len=20, required=False))
    if phone and not is_phone(phone):
        check.fail("phone", say("联系电话应为 11 位手机号或带区号的固定电话"))
    try:
        about = parse_about(registry, data.about)
    except ValidationError as err:
        check.errors.update(err.errors)
        about = None
    check.done()
    return {"kind": kind, "body": body, "filer_name": name, "filer_phone": phone}, about


def file_complaint(backend: Backend, actor: Actor, village_code: str, data: ComplaintInput) -> Filed:
    """提交 — a new complaint, numbered TS-<year>-<n> in the village, due in the village's answer
    days; raises ValidationError (nothing written) on bad input or an unknown record."""
    values, about = check_complaint(backend.registry, data)
    today = backend.today()
    code = new_tracking_code()
    with backend.change(village_code, actor, "complaint.create") as change:
        village_id = change.village_id()
        if about is not None:
            find_about(change, backend.registry, village_id, about)
        complaint = Complaint(
            village_id=village_id, number=_next_number(change, village_id, today.year), **values,
            about_entity=about[0] if about else None, about_number=about[1] if about else None,
            filed_on=today, due_on=today + timedelta(days=answer_days(change.session, village_id)),
            status=ComplaintStatus.WAITING, tracking_hash=tracking_hash(code))
        record_created(change, complaint, "complaint.create")
    return Filed(complaint, code)


def _committee_member(change: Change, village_id: int, username: str) -> User:
    member = change.session.scalar(select(User).where(User.username == str(username or "").strip().lower()))
    if member is None or member.role is not Role.COMMITTEE or member.village_id != village_id or not member.active:
        raise ValidationError({"assignee": say("请选择本村的一位监委会成员")})
    return member


def _logged(change: Change, complaint: Complaint, action: str, reason: str | None = None) -> None:
    """A new version of the complaint, logged (a step of its handling, not a correction)."""
    complaint.version += 1
    complaint.updated_at = change.now()
    change.record(action, complaint, reason)


def assign(backend: Backend, actor: Actor, village_code: str, number: str, assignee: str) -> Complaint:
    """分派 — the committee gives the complaint to one of its members to answer (again, after it
    was reopened, or to someone else before it is answered)."""
    with backend.change(village_code, actor, "complaint.assign") as change:
        village_id = change.village_id()
        complaint = find_complaint(change, village_id, number)
        if complaint.status not in (ComplaintStatus.WAITING, ComplaintStatus.ASSIGNED, ComplaintStatus.REOPENED):
            raise ValidationError({"assignee": say("已答复或已解决的投诉不能再分派")})
        member = _committee_member(change, village_id, assignee)
        if complaint.assignee_id == member.id and complaint.status is ComplaintStatus.ASSIGNED:
            raise ValidationError({"assignee": say("已经分派给这位成员")})
        before = snapshot(complaint)
        complaint.assignee_id, complaint.assigned_on = member.id, backend.today()
        complaint.status = ComplaintStatus.ASSIGNED
        if complaint.public_state() != before["data"]:
            _logged(change, complaint, "complaint.assign")
    return complaint


def reply(backend: Backend, actor: Actor, village_code: str, number: str, text: str) -> Complaint:
    """答复 — the assigned member answers in public, signed with the role; the filer then says
    whether it resolved the matter."""
    check = Checker()
    answer = public_text(check, "reply", text, "答复内容", REPLY_MAX)
    check.done()
    with backend.change(village_code, actor, "complaint.reply") as change:
        complaint = find_complaint(change, change.village_id(), number)
        # Reopened: the member who answered answers again, unless the committee reassigns it.
        if complaint.status not in (ComplaintStatus.ASSIGNED, ComplaintStatus.REOPENED):
            raise ValidationError({"reply": say("请先分派承办人") if complaint.status is ComplaintStatus.WAITING
                                   else say("已经答复，等待村民确认")})
        if complaint.assignee_id != actor.user_id:
            raise PermissionDenied(say("这件投诉分派给了另一位监委会成员，由其答复"))
        complaint.reply, complaint.replied_at, complaint.replied_by = answer, change.now(), actor.role
        complaint.status = ComplaintStatus.ANSWERED
        _logged(change, complaint, "complaint.reply")
    return complaint


def judge(backend: Backend, actor: Actor, village_code: str, code: str, resolved: str, note: str) -> Complaint:
    """确认 — the holder of the tracking code says whether the answer resolved it; "no" sends it
    back to the committee, due again in the village's answer days."""
    check = Checker()
    if resolved not in ("yes", "no"):
        check.fail("resolved", say("请选择问题是否已经解决"))
    feedback = public_text(check, "note", note, "您的意见", FEEDBACK_MAX) if str(note or "").strip() else ""
    if resolved == "no" and not feedback:
        check.fail("note", say("请写一下哪里还没有解决，便于重新办理"))
    check.done()
    action = "complaint.resolve" if resolved == "yes" else "complaint.reopen"
    with backend.change(village_code, actor, action) as change:
        village_id = change.village_id()
        complaint = find_by_code(change, village_id, code)
        if complaint.status is not ComplaintStatus.ANSWERED:
            raise ValidationError({"resolved": say("还没有新的答复，暂时不需要确认")})
        today = backend.today()
        complaint.feedback, complaint.feedback_on = feedback, today
        if resolved == "yes":
            complaint.status = ComplaintStatus.RESOLVED
        else:
            complaint.status = ComplaintStatus.REOPENED
            complaint.round += 1
            complaint.due_on = today + timedelta(days=answer_days(change.session, village_id))
        _logged(change, complaint, action)
    return complaint
