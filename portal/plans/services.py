"""Plans for public comment (方案公示/征求意见): publish, revise, adopt, withdraw; comments with
their replies; consent votes (表决) as tallies. Every change is a logged version."""
from __future__ import annotations

from typing import TypeVar

from dataclasses import asdict, dataclass
from datetime import date

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from portal.auditlog.files import store_file
from portal.kernel.authorization import authorize
from portal.kernel.errors import NotFound, PermissionDenied, ValidationError
from portal.kernel.identity import is_phone
from portal.kernel.lifecycle import (
    amend,
    correct_numbered,
    create_numbered,
    record_changed,
    record_created,
    snapshot,
    withdraw,
)
from portal.kernel.lookup import HasSession, find_numbered, session_of
from portal.kernel.messages import say
from portal.kernel.privacy import carries_personal_number
from portal.kernel.transaction import Actor, Backend, Change
from portal.kernel.validate import Checker
from portal.notices.services import check_not_future, check_number, multiline
from portal.plans.public_text import on_behalf_note, public_text
from portal.plans.models import (
    CommentStatus,
    ConsentVote,
    Plan,
    PlanComment,
    PlanStatus,
)

TITLE_MAX = 200
PLAN_BODY_MAX = 20000
COMMENT_MAX = 2000
REPLY_MAX = 2000
MAX_PERIOD_DAYS = 366
MAX_VOTERS = 100_000
REPLY_ROLES = ("staff", "committee")



@dataclass
class PlanInput:
    """A plan as staff type it. The dates are ISO text as a form sends it (2026-03-01) or dates;
    the service checks every field and converts the dates (ValidationError with a message each)."""

    number: str
    title: str
    body: str
    comment_from: str | date
    comment_until: str | date


@dataclass
class CommentInput:
    """A villager's comment. The name is personal (masked in public); the phone is never shown.
    `submitted_on` is ISO text or a date (None or empty: today); the service checks and converts it."""

    commenter_name: str
    body: str
    group_name: str = ""
    commenter_phone: str = ""
    submitted_on: str | date | None = None
    on_behalf: str = ""  # 代录: why staff typed it in (required when staff enter it), shown with it


@dataclass
class VoteInput:
    """The tallies of one vote as staff type them. The counts are digits as a form sends them (or
    ints) and `held_on` ISO text or a date; the service checks them and converts them to int and date."""

    meeting: str
    question: str
    held_on: str | date
    eligible: str | int
    yes: str | int
    no: str | int
    abstain: str | int
    result: str
    forms: bytes | None = None  # the scan of the signed opinion forms (PDF, JPG or PNG)
    forms_name: str = ""


@dataclass(frozen=True)
class _Plan:
    """A plan's columns, checked."""

    number: str
    title: str
    body: str
    comment_from: date
    comment_until: date


@dataclass(frozen=True)
class _Comment:
    """A comment's columns, checked."""

    commenter_name: str
    group_name: str
    commenter_phone: str
    body: str
    submitted_on: date
    on_behalf: str | None


@dataclass(frozen=True)
class _Vote:
    """A vote's columns, checked."""

    meeting: str
    question: str
    held_on: date
    eligible: int
    yes_count: int
    no_count: int
    abstain_count: int
    result: str


# -- plans -------------------------------------------------------------------------------------

def _checked_plan(check: Checker, data: PlanInput) -> _Plan | None:
    """The plan's columns; None when a date is unusable (its message is in `check`)."""
    number = check_number(check, data.number, "方案编号", "FA-2026-001")
    title = check.text("title", data.title, "方案名称", max_len=TITLE_MAX)
    body = check.text("body", multiline(data.body), "方案正文", max_len=PLAN_BODY_MAX)
    start = check.day("comment_from", data.comment_from, "征求意见开始日期")
    end = check.day("comment_until", data.comment_until, "征求意见截止日期")
    if start is None or end is None:
        return None
    if end < start:
        check.fail("comment_until", say("征求意见截止日期不能早于开始日期"))
    elif (end - start).days >= MAX_PERIOD_DAYS:
        check.fail("comment_until", say("征求意见期不能超过一年"))
    return _Plan(number, title, body, start, end)


def find_plan(change_or_session: HasSession | Session, village_id: int, number: str) -> Plan:
    return find_numbered(change_or_session, Plan, village_id, number, "方案")


def create_plan(backend: Backend, actor: Actor, village_code: str, data: PlanInput) -> Plan:
    """Publishes a plan for comment; raises ValidationError (nothing written) on bad input."""
    check = Checker()
    v = check.result(_checked_plan(check, data))
    return create_numbered(backend, actor, village_code, Plan, asdict(v), "方案编号")


def correct_plan(backend: Backend, actor: Actor, village_code: str, number: str,
                 data: PlanInput, reason: str) -> Plan:
    """修改稿: a revision is a new version with its reason; every earlier version stays visible."""
    check = Checker()
    checked = _checked_plan(check, data)
    reason = check.reason(reason)
    v = check.result(checked)
    def allowed(change: Change, plan: Plan) -> None:
        if plan.status is not PlanStatus.OPEN:
            raise ValidationError({"reason": say("已通过或已撤回的方案不能再修改")})
        first, last = change.session.execute(select(
            func.min(PlanComment.submitted_on), func.max(PlanComment.submitted_on)).where(
            PlanComment.plan_id == plan.id)).one()
        if first and not (v.comment_from <= first and last <= v.comment_until):
            raise ValidationError({"comment_from": say("已有意见的提出日期在 %(first)s 至 %(last)s，新的征求意见期必须包含这些日期",
                                                       first=first.isoformat(), last=last.isoformat())})

    return correct_numbered(backend, actor, village_code, number, Plan, asdict(v), reason, find=find_plan,
                            number_label="方案编号", allowed=allowed)


def adopt_plan(backend: Backend, actor: Actor, village_code: str, number: str,
               adopted_on: str | date, reason: str) -> Plan:
    """已通过: after its comment period, e.g. on the day of the vote; the reason says by what decision."""
    check = Checker()
    reason = check.reason(reason)
    day = check.day("adopted_on", adopted_on, "通过日期")
    check_not_future(check, "adopted_on", day, "通过日期", backend.today())
    check.done()
    assert day is not None
    with backend.change(village_code, actor, "plan.adopt") as change:
        plan = find_plan(change, change.village().id, number)
        if plan.status is not PlanStatus.OPEN:
            raise ValidationError({"reason": say("只有公示中的方案可以通过")})
        if day < plan.comment_until:
            raise ValidationError({"adopted_on": say("征求意见期到 %(until)s 才结束，结束前不能通过方案",
                                                     until=plan.comment_until.isoformat())})
        amend(change, plan, "plan.adopt", reason, status=PlanStatus.ADOPTED, adopted_on=day)
    return plan


def withdraw_plan(backend: Backend, actor: Actor, village_code: str, number: str, reason: str) -> Plan:
    """撤回: the plan stays listed, marked withdrawn, with its reason."""
    return withdraw(backend, actor, village_code, number, reason, find=find_plan,
                    entity="plan", withdrawn=PlanStatus.WITHDRAWN)


def plan_input_from(plan: Plan) -> PlanInput:
    """The current plan as an input, to prefill a revision."""
    return PlanInput(number=plan.number, title=plan.title, body=plan.body,
                     comment_from=plan.comment_from.isoformat(), comment_until=plan.comment_until.isoformat())


# -- comments ----------------------------------------------------------------------------------

P = TypeVar("P", PlanComment, ConsentVote)


def _find_on_plan(change_or_session: HasSession | Session, model: type[P], village_id: int, plan_number: str,
                  number: int | str, missing: str) -> P:
    """The comment or vote `number` of plan `plan_number`; NotFound ("方案 … 没有第 N <missing>")."""
    session = session_of(change_or_session)
    plan = find_plan(session, village_id, plan_number)
    record = session.scalar(select(model).where(model.plan_id == plan.id, model.number == _ordinal(number)))
    if record is None:
        raise NotFound(say("方案 %(plan_number)s 没有第 %(number)s %(missing)s",
                           plan_number=plan_number, number=str(number)[:10], missing=missing))
    return record


def find_comment(change_or_session: HasSession | Session, village_id: int, plan_number: str,
                 number: int | str) -> PlanComment:
    return _find_on_plan(change_or_session, PlanComment, village_id, plan_number, number, "条意见")


def _ordinal(value: int | str) -> int:
    raw = str(value).strip()
    return int(raw) if raw.isascii() and raw.isdigit() and len(raw) < 10 else -1


def add_comment(backend: Backend, actor: Actor, village_code: str, plan_number: str,
                data: CommentInput) -> PlanComment:
    """意见 — a comment within the plan's comment period, numbered after the plan's last one.
    One staff enter for a villager needs `on_behalf` (why), which is published with it."""
    authorize(backend.registry, actor, village_code, ("plan_comment.create",))  # who, before what they wrote
    check = Checker()
    today = backend.today()
    name = check.text("commenter_name", data.commenter_name, "姓名", max_len=100)
    group = check.text("group_name", data.group_name, "所在小组/户", max_len=50, required=False)
    phone = check.text("commenter_phone", data.commenter_phone, "联系电话", max_len=20, required=False)
    body = public_text(check, "body", data.body, "意见内容", COMMENT_MAX)
    submitted_on = check.day("submitted_on", data.submitted_on or today, "提出日期")
    if phone and not is_phone(phone):
        check.fail("commenter_phone", say("联系电话应为 11 位手机号或带区号的固定电话"))
    check_not_future(check, "submitted_on", submitted_on, "提出日期", today)
    on_behalf = on_behalf_note(check, actor, data.on_behalf)
    v = check.result(None if submitted_on is None else _Comment(name, group, phone, body, submitted_on, on_behalf))
    with backend.change(village_code, actor, "plan_comment.create") as change:
        plan = find_plan(change, change.village().id, plan_number)
        if plan.status is PlanStatus.WITHDRAWN:
            raise ValidationError({"plan": say("该方案已撤回，不能再提意见")})
        if plan.status is PlanStatus.ADOPTED:
            raise ValidationError({"plan": say("该方案已通过，征求意见已经结束")})
        if not plan.comment_from <= v.submitted_on <= plan.comment_until:
            raise ValidationError({"submitted_on": say("只能在征求意见期内（%(start)s 至 %(until)s）提出意见",
                                                       start=plan.comment_from.isoformat(), until=plan.comment_until.isoformat())})
        last = change.session.scalar(select(func.max(PlanComment.number)).where(PlanComment.plan_id == plan.id))
        comment = PlanComment(village_id=plan.village_id, plan=plan, number=(last or 0) + 1, **asdict(v))
        record_created(change, comment, "plan_comment.create")
    return comment


def reply_to_comment(backend: Backend, actor: Actor, village_code: str, plan_number: str, number: int | str,
                     reply: str, *, replied_on: str | date | None = None, reason: str = "") -> PlanComment:
    """答复 — staff or the committee answer a comment: a new version of it carrying the reply.

    `replied_on` is ISO text or a date (None or empty: today). Changing an answer already given
    needs a reason. Raises PermissionDenied for other roles.
    """
    if actor.role not in REPLY_ROLES:
        raise PermissionDenied(say("只有村干部或监委会成员可以答复意见"))
    check = Checker()
    today = backend.today()
    text = public_text(check, "reply", reply, "答复内容", REPLY_MAX)
    day = check.day("replied_on", replied_on or today, "答复日期")
    check_not_future(check, "replied_on", day, "答复日期", today)
    check.done()
    assert day is not None
    with backend.change(village_code, actor, "plan_comment.reply") as change:
        comment = find_comment(change, change.village().id, plan_number, number)
        if comment.status is CommentStatus.WITHDRAWN:
            raise ValidationError({"reply": say("该意见已撤回，无需答复")})
        if day < comment.submitted_on:
            raise ValidationError({"replied_on": say("答复日期不能早于意见提出日期（%(day)s）", day=comment.submitted_on.isoformat())})
        replacing = bool(comment.reply)
        if replacing:
            reason = check.reason(reason)
            check.done()
        before = snapshot(comment)
        comment.reply, comment.replied_on, comment.replied_by = text, day, actor.role
        if replacing:
            record_changed(change, comment, "plan_comment.reply", reason, before)
        else:  # a first answer is no correction: it needs no reason
            comment.version += 1
            comment.updated_at = change.now()
            change.record("plan_comment.reply", comment)
    return comment


def withdraw_comment(backend: Backend, actor: Actor, village_code: str, plan_number: str, number: int | str,
                     reason: str) -> PlanComment:
    """撤回 — at the commenter's request, say; it stays listed as withdrawn, with the reason."""
    return withdraw(backend, actor, village_code, plan_number, reason,
                    find=lambda change, village_id, _: find_comment(change, village_id, plan_number, number),
                    entity="plan_comment", withdrawn=CommentStatus.WITHDRAWN)


# -- consent votes -----------------------------------------------------------------------------

def _count(check: Checker, field: str, value: object, label: str, minimum: int) -> int:
    raw = str(value if value is not None else "").strip()
    if raw.startswith("-") and raw[1:].isdigit():
        check.fail(field, say("%(label)s不能是负数", label=label))
        return 0
    return check.integer(field, raw, label, minimum=minimum, maximum=MAX_VOTERS)


def _checked_vote(check: Checker, backend: Backend, data: VoteInput) -> _Vote | None:
    """The vote's columns; None when its date is unusable (the message is in `check`)."""
    meeting = check.text("meeting", data.meeting, "会议名称", max_len=100)
    question = check.text("question", data.question, "表决事项", max_len=300)
    held_on = check.day("held_on", data.held_on, "表决日期")
    eligible = _count(check, "eligible", data.eligible, "应参加表决人数", 1)
    yes = _count(check, "yes", data.yes, "同意票数", 0)
    no = _count(check, "no", data.no, "反对票数", 0)
    abstain = _count(check, "abstain", data.abstain, "弃权票数", 0)
    result = check.text("result", data.result, "表决结果", max_len=200)
    check_not_future(check, "held_on", held_on, "表决日期", backend.today())
    total = yes + no + abstain
    if not check.errors.keys() & {"eligible", "yes", "no", "abstain"} and total > eligible:
        check.fail("total", say("同意、反对、弃权合计 %(total)s 票，超过了应参加表决的 %(eligible)s 人", total=total, eligible=eligible))
    if held_on is None:
        return None
    return _Vote(meeting, question, held_on, eligible, yes, no, abstain, result)


def _check_vote_date(plan: Plan, held_on: date) -> None:
    if plan.status is PlanStatus.WITHDRAWN:
        raise ValidationError({"plan": say("该方案已撤回，不能登记表决")})
    if held_on < plan.comment_from:
        raise ValidationError({"held_on": say("表决日期不能早于方案公示开始日期（%(day)s）", day=plan.comment_from.isoformat())})


def _stored_forms(change: Change, data: VoteInput) -> str | None:
    """Stores the scan of the signed forms (by SHA-256, checked by content); its hash, or None."""
    if not data.forms:
        return None
    try:
        return store_file(change.session, change.backend.files_dir, data.forms, data.forms_name or "forms",
                          change.now()).sha256
    except ValidationError as err:  # the file store names its field "scan"
        raise ValidationError({"forms": message for message in err.errors.values()}) from None


def find_vote(change_or_session: HasSession | Session, village_id: int, plan_number: str,
              number: int | str) -> ConsentVote:
    return _find_on_plan(change_or_session, ConsentVote, village_id, plan_number, number, "次表决")


def record_vote(backend: Backend, actor: Actor, village_code: str, plan_number: str, data: VoteInput) -> ConsentVote:
    """表决 — the tallies of one vote on the plan (never individual ballots)."""
    check = Checker()
    v = check.result(_checked_vote(check, backend, data))
    with backend.change(village_code, actor, "consent_vote.create") as change:
        plan = find_plan(change, change.village().id, plan_number)
        _check_vote_date(plan, v.held_on)
        last = change.session.scalar(select(func.max(ConsentVote.number)).where(ConsentVote.plan_id == plan.id))
        vote = ConsentVote(village_id=plan.village_id, plan=plan, number=(last or 0) + 1, **asdict(v),
                           forms_sha256=_stored_forms(change, data))
        record_created(change, vote, "consent_vote.create")
    return vote


def correct_vote(backend: Backend, actor: Actor, village_code: str, plan_number: str, number: int | str,
                 data: VoteInput, reason: str) -> ConsentVote:
    """更正 a tally entered wrongly: a new version with its reason."""
    check = Checker()
    checked = _checked_vote(check, backend, data)
    reason = check.reason(reason)
    v = check.result(checked)
    with backend.change(village_code, actor, "consent_vote.correct") as change:
        vote = find_vote(change, change.village().id, plan_number, number)
        _check_vote_date(vote.plan, v.held_on)
        forms = _stored_forms(change, data) or vote.forms_sha256  # no new scan: the one before stays
        amend(change, vote, "consent_vote.correct", reason, **asdict(v), forms_sha256=forms)
    return vote
