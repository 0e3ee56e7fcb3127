"""What the plan pages show: a plan with its revisions, comments, replies and votes."""
from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session, joinedload, raiseload

from portal.auditlog.files import path_for
from portal.auditlog.models import StoredFile
from portal.auditlog.records import Logged, latest_logged, record_entries, record_proof
from portal.kernel.errors import NotFound
from portal.kernel.history import Version, versions
from portal.kernel.messages import say
from portal.kernel.registry import RecordType
from portal.kernel.transaction import Backend
from portal.plans.labels import COMMENT_STATUS, PLAN_FIELDS, PLAN_STATE, REPLIER
from portal.plans.models import CommentStatus, ConsentVote, Plan, PlanComment, PlanStatus
from portal.plans.services import find_comment, find_plan, find_vote
from portal.publishing.listings import Column, Listing, village_listing
from portal.villages.models import Village
from portal.villages.services import find_village

PLAN_COLUMNS = [
    Column("number", "方案编号", doc="村内唯一的方案编号"),
    Column("title", "方案名称"),
    Column("comment_from", "征求意见开始", "date"),
    Column("comment_until", "征求意见截止", "date", doc="含当日"),
    Column("state", "状态", "choice", choices=PLAN_STATE, doc="征求意见中/已结束由日期算出，截至 as_of"),
    Column("comments", "意见条数", "number", doc="不含已撤回的意见"),
    Column("unanswered", "待回复", "number", doc="尚未答复的意见条数"),
    Column("version", "版本", "number", doc="每修改一次加 1；各版本见方案页的修改历史"),
]


COMMENT_COLUMNS = [
    Column("number", "序号", "number", doc="方案内第几条意见"),
    Column("commenter", "提意见人", doc="只显示姓氏和末字（张*华）"),
    Column("group", "所在小组/户"),
    Column("submitted_on", "提出日期", "date"),
    Column("body", "意见内容"),
    Column("reply", "答复", doc="空白表示待回复"),
    Column("replied_on", "答复日期", "date"),
    Column("replied_by", "答复人", "choice", choices=REPLIER, doc="以角色表示"),
    Column("on_behalf", "代录说明", doc="村干部替没有手机的村民录入时写明的原因；空白表示村民本人提交"),
    Column("status", "状态", "choice", choices=COMMENT_STATUS),
]


@dataclass(frozen=True)
class PlanDetail:
    village: Village
    plan: Plan
    state: str
    days_left: int                              # whole days of comment period left, today counted
    comments: list[tuple[PlanComment, Logged]]  # in the order they came in
    votes: list[tuple[ConsentVote, Logged]]
    history: list[Version]
    proof: dict[str, Any] | None

    @property
    def unanswered(self) -> int:
        return sum(1 for c, _ in self.comments if c.status is CommentStatus.VISIBLE and not c.answered)


def plans_listing(backend: Backend, code: str, as_of: date, *, state: str | None = None) -> Listing:
    """方案公示 — every plan, newest period first, with its state on `as_of` and its comment counts."""
    with backend.db.read() as session:
        village = find_village(session, code)
        plans = list(session.scalars(select(Plan).where(Plan.village_id == village.id)
                                     .order_by(Plan.comment_from.desc(), Plan.number.desc())))
        counts: dict[int, list[int]] = defaultdict(lambda: [0, 0])
        for plan_id, reply in session.execute(select(PlanComment.plan_id, PlanComment.reply).where(
                PlanComment.village_id == village.id, PlanComment.status == CommentStatus.VISIBLE)):
            counts[plan_id][0] += 1
            counts[plan_id][1] += 0 if reply else 1
        chosen = [p for p in plans if not state or p.state(as_of) == state]
        rows: list[dict[str, Any]] = [{"number": p.number, "title": p.shown_title, "comment_from": p.comment_from.isoformat(),
                 "comment_until": p.comment_until.isoformat(), "state": p.state(as_of),
                 "comments": counts[p.id][0], "unanswered": counts[p.id][1], "version": p.version}
                for p in chosen]
        totals = {"count": len(rows), "unanswered": sum(r["unanswered"] for r in rows)}
        return village_listing(session, village, "plans", "方案公示", as_of, PLAN_COLUMNS, rows,
                        [f"/v/{code}/plans/{p.number}" for p in chosen], totals)


def plan_detail(backend: Backend, code: str, number: str, as_of: date) -> PlanDetail:
    """A plan with its revisions, its comments and replies, its votes and its inclusion proof."""
    with backend.db.read() as session:
        village = find_village(session, code)
        plan = find_plan(session, village.id, number)
        comments = list(session.scalars(select(PlanComment).where(PlanComment.plan_id == plan.id)
                                        .order_by(PlanComment.number)))
        votes = list(session.scalars(select(ConsentVote).where(ConsentVote.plan_id == plan.id)
                                     .order_by(ConsentVote.number)))
        logged_comments = latest_logged(session, code, "plan_comment", [c.audit_id() for c in comments])
        logged_votes = latest_logged(session, code, "consent_vote", [v.audit_id() for v in votes])
        entries = record_entries(session, code, "plan", plan.audit_id())
        days_left = max(0, (plan.comment_until - max(as_of, plan.comment_from)).days + 1)
        return PlanDetail(
            village, plan, plan.state(as_of), days_left,
            [(c, logged_comments[c.audit_id()]) for c in comments],
            [(v, logged_votes[v.audit_id()]) for v in votes],
            versions(entries, PLAN_FIELDS), record_proof(session, code, entries))


def comments_listing(backend: Backend, code: str, number: str, as_of: date) -> Listing:
    """意见及答复汇总 of one plan: every comment (names masked) with its answer, in order."""
    with backend.db.read() as session:
        village = find_village(session, code)
        plan = find_plan(session, village.id, number)
        comments = list(session.scalars(select(PlanComment).where(PlanComment.plan_id == plan.id)
                                        .order_by(PlanComment.number)
                                        .options(joinedload(PlanComment.plan), raiseload("*"))))
        rows = [{key: value for key, value in c.public_state().items() if key != "plan"} for c in comments]
        totals = {"count": len(rows), "unanswered": sum(1 for c in comments
                                                         if c.status is CommentStatus.VISIBLE and not c.answered),
                  "plan": {"number": plan.number, "title": plan.shown_title}}
        # The plan's title stays out of the list title: a spreadsheet tab name may not hold "/" or "?".
        title = say("意见及答复（%(number)s）", number=plan.number)
        return village_listing(session, village, f"plan-{plan.number}-comments", title, as_of,
                        COMMENT_COLUMNS, rows, [f"/v/{code}/plans/{plan.number}#comment-{c.number}" for c in comments],
                        totals)


def unanswered_comments(session: Session, village_id: int) -> int:
    """意见 on plans that nobody has answered yet (事事有回音: this number should be zero)."""
    from sqlalchemy import func

    from portal.plans.models import CommentStatus, PlanComment

    return session.scalar(select(func.count()).select_from(PlanComment).where(
        PlanComment.village_id == village_id, PlanComment.status == CommentStatus.VISIBLE,
        PlanComment.reply == "")) or 0


def page_path(code: str, data: Mapping[str, Any]) -> str | None:
    return f"/v/{code}/plans/{data['number']}" if data.get("number") else None


def comment_page_path(code: str, data: Mapping[str, Any]) -> str | None:
    """A comment sits on its plan's page, at its own anchor."""
    return f"/v/{code}/plans/{data['plan']}#comment-{data['number']}" if data.get("plan") else None


def vote_page_path(code: str, data: Mapping[str, Any]) -> str | None:
    return f"/v/{code}/plans/{data['plan']}#votes" if data.get("plan") else None


def on_plan_title(record_type: RecordType, data: Mapping[str, Any], entity_id: str) -> str:
    """方案 FA-2026-001 意见 3: a comment or vote is named with its plan."""
    own = say("%(type)s %(number)s", type=record_type.name, number=data.get("number") or entity_id)
    return say("方案 %(plan)s %(own)s", plan=data["plan"], own=own) if data.get("plan") else own


@dataclass(frozen=True)
class VoteForms:
    """The stored scan of a vote's signed opinion forms."""

    path: Path
    media_type: str
    sha256: str
    village_id: int


def vote_forms(backend: Backend, code: str, plan_number: str, number: int) -> VoteForms:
    """The scan of vote `number` of the plan; NotFound when the vote has none."""
    with backend.db.read() as session:
        village = find_village(session, code)
        vote = find_vote(session, village.id, plan_number, number)
        if vote.forms_sha256 is None:
            raise NotFound(say("方案 %(plan_number)s 第 %(number)s 次表决没有签字表决意见表的扫描件",
                               plan_number=plan_number, number=number))
        stored = session.get(StoredFile, vote.forms_sha256)
        return VoteForms(path_for(backend.files_dir, vote.forms_sha256),
                         stored.media_type if stored else "application/octet-stream", vote.forms_sha256, village.id)


AWAITING_SHOWN = 200


def awaiting_reply(backend: Backend, code: str) -> list[PlanComment]:
    """Comments nobody has answered yet (withdrawn ones need no answer), oldest first, with their plans."""
    with backend.db.read() as session:
        village = find_village(session, code)
        return list(session.scalars(select(PlanComment).where(
            PlanComment.village_id == village.id, PlanComment.status == CommentStatus.VISIBLE,
            PlanComment.reply == "").order_by(PlanComment.submitted_on, PlanComment.id).limit(AWAITING_SHOWN)))


def comment_detail(backend: Backend, code: str, plan_number: str, number: int) -> PlanComment:
    """One comment with its plan, to answer it; NotFound when there is none."""
    with backend.db.read() as session:
        return find_comment(session, find_village(session, code).id, plan_number, number)


def plans_open_for_comment(backend: Backend, code: str) -> list[tuple[str, str]]:
    """(number, title) of the plans that may still take comments (not adopted or withdrawn), newest first."""
    with backend.db.read() as session:
        village = find_village(session, code)
        return [(n, t) for n, t in session.execute(select(Plan.number, Plan.title).where(
            Plan.village_id == village.id, Plan.status == PlanStatus.OPEN)
            .order_by(Plan.comment_from.desc(), Plan.number.desc()))]
