"""What the notice and plan pages show, read in one session each and returned fully loaded."""
from __future__ import annotations

import difflib
import hashlib
import json
from collections import defaultdict
from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlalchemy import select

from portal.kernel.history import ROLES, Version, versions
from portal.publishing.listings import Column, Listing
from portal.auditlog.models import AuditEntry
from portal.plans.models import CommentStatus, ConsentVote, Plan, PlanComment
from portal.notices.models import Notice, NoticeCategory
from portal.villages.models import Village
from portal.kernel.transaction import Backend
from portal.notices.services import find_notice
from portal.plans.services import find_plan
from portal.site.public_reads import _listing, _village, record_entries, record_proof

NOTICE_CATEGORY = {"tender": "招租公告", "finance": "财务公开", "affairs": "村务公告", "other": "其他公告"}
NOTICE_STATUS = {"active": "有效", "withdrawn": "已撤回"}
NOTICE_COLUMNS = [
    Column("number", "公告编号", doc="村内唯一的公告编号"),
    Column("title", "标题"),
    Column("category", "类别", "choice", choices=NOTICE_CATEGORY),
    Column("published_on", "发布日期", "date"),
    Column("version", "版本", "number", doc="每更正一次加 1；各版本见公告页的修改历史"),
    Column("status", "状态", "choice", choices=NOTICE_STATUS),
]
PLAN_STATE = {"upcoming": "尚未开始征求意见", "open": "正在征求意见", "closed": "征求意见已结束",
              "adopted": "已通过", "withdrawn": "已撤回"}
PLAN_STATUS = {"open": "公示中", "adopted": "已通过", "withdrawn": "已撤回"}  # as stored; PLAN_STATE as shown
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
COMMENT_STATUS = {"visible": "有效", "withdrawn": "已撤回"}
REPLIER = {role: ROLES[role] for role in ("staff", "committee")}
COMMENT_COLUMNS = [
    Column("number", "序号", "number", doc="方案内第几条意见"),
    Column("commenter", "提意见人", doc="只显示姓氏和末字（张*华）"),
    Column("group", "所在小组/户"),
    Column("submitted_on", "提出日期", "date"),
    Column("body", "意见内容"),
    Column("reply", "答复", doc="空白表示待回复"),
    Column("replied_on", "答复日期", "date"),
    Column("replied_by", "答复人", "choice", choices=REPLIER, doc="以角色表示"),
    Column("status", "状态", "choice", choices=COMMENT_STATUS),
]


@dataclass(frozen=True)
class Logged:
    """Where the latest version of a record sits in the log, and why it last changed."""

    seq: int
    hash: str
    reason: str | None


@dataclass(frozen=True)
class NoticeDetail:
    village: Village
    notice: Notice
    history: list[Version]
    proof: dict[str, Any] | None


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


def line_diff(before: Any, after: Any) -> list[tuple[str, str]]:
    """The lines a long text lost ("del") and gained ("ins"), in order; unchanged and blank lines left out."""
    old, new = str(before or "").splitlines(), str(after or "").splitlines()
    ops = {"- ": "del", "+ ": "ins"}
    return [(ops[line[:2]], line[2:]) for line in difflib.ndiff(old, new) if line[:2] in ops and line[2:].strip()]


def _latest_logged(session, code: str, entity: str, ids: list[str]) -> dict[str, Logged]:
    """The latest entry of each of the records `ids` of one kind, read in one query."""
    if not ids:
        return {}
    lines = session.scalars(select(AuditEntry.line).where(
        AuditEntry.log == code, AuditEntry.entity == entity, AuditEntry.entity_id.in_(ids))
        .order_by(AuditEntry.seq))
    latest: dict[str, Logged] = {}
    for line in lines:
        entry = json.loads(line)
        latest[entry["entity_id"]] = Logged(entry["seq"], hashlib.sha256(line.encode("utf-8")).hexdigest(),
                                            entry["reason"])
    return latest


def notices_listing(backend: Backend, code: str, as_of: date, *, category: str | None = None) -> Listing:
    """公告 — every notice, newest first (withdrawn ones too, marked), optionally of one category."""
    with backend.db.read() as session:
        village = _village(session, code)
        query = select(Notice).where(Notice.village_id == village.id)
        if category:
            query = query.where(Notice.category == NoticeCategory(category))
        notices = list(session.scalars(query.order_by(Notice.published_on.desc(), Notice.number.desc())))
        rows = [{"number": n.number, "title": n.title, "category": n.category.value,
                 "published_on": n.published_on.isoformat(), "version": n.version, "status": n.status.value}
                for n in notices]
        return _listing(session, village, "notices", "公告", as_of, NOTICE_COLUMNS, rows,
                        [f"/v/{code}/notices/{n.number}" for n in notices], {"count": len(rows)})


def notice_detail(backend: Backend, code: str, number: str) -> NoticeDetail:
    with backend.db.read() as session:
        village = _village(session, code)
        notice = find_notice(session, village.id, number)
        entries = record_entries(session, code, "notice", notice.audit_id())
        return NoticeDetail(village, notice, versions(entries), record_proof(session, code, entries))


def plans_listing(backend: Backend, code: str, as_of: date, *, state: str | None = None) -> Listing:
    """方案公示 — every plan, newest period first, with its state on `as_of` and its comment counts."""
    with backend.db.read() as session:
        village = _village(session, code)
        plans = list(session.scalars(select(Plan).where(Plan.village_id == village.id)
                                     .order_by(Plan.comment_from.desc(), Plan.number.desc())))
        counts: dict[int, list[int]] = defaultdict(lambda: [0, 0])
        for plan_id, reply in session.execute(select(PlanComment.plan_id, PlanComment.reply).where(
                PlanComment.village_id == village.id, PlanComment.status == CommentStatus.VISIBLE)):
            counts[plan_id][0] += 1
            counts[plan_id][1] += 0 if reply else 1
        chosen = [p for p in plans if not state or p.state(as_of) == state]
        rows = [{"number": p.number, "title": p.title, "comment_from": p.comment_from.isoformat(),
                 "comment_until": p.comment_until.isoformat(), "state": p.state(as_of),
                 "comments": counts[p.id][0], "unanswered": counts[p.id][1], "version": p.version}
                for p in chosen]
        totals = {"count": len(rows), "unanswered": sum(r["unanswered"] for r in rows)}
        return _listing(session, village, "plans", "方案公示", as_of, PLAN_COLUMNS, rows,
                        [f"/v/{code}/plans/{p.number}" for p in chosen], totals)


def plan_detail(backend: Backend, code: str, number: str, as_of: date) -> PlanDetail:
    """A plan with its revisions, its comments and replies, its votes and its inclusion proof."""
    with backend.db.read() as session:
        village = _village(session, code)
        plan = find_plan(session, village.id, number)
        comments = list(session.scalars(select(PlanComment).where(PlanComment.plan_id == plan.id)
                                        .order_by(PlanComment.number)))
        votes = list(session.scalars(select(ConsentVote).where(ConsentVote.plan_id == plan.id)
                                     .order_by(ConsentVote.number)))
        logged_comments = _latest_logged(session, code, "plan_comment", [c.audit_id() for c in comments])
        logged_votes = _latest_logged(session, code, "consent_vote", [v.audit_id() for v in votes])
        entries = record_entries(session, code, "plan", plan.audit_id())
        days_left = max(0, (plan.comment_until - max(as_of, plan.comment_from)).days + 1)
        return PlanDetail(
            village, plan, plan.state(as_of), days_left,
            [(c, logged_comments[c.audit_id()]) for c in comments],
            [(v, logged_votes[v.audit_id()]) for v in votes],
            versions(entries), record_proof(session, code, entries))


def comments_listing(backend: Backend, code: str, number: str, as_of: date) -> Listing:
    """意见及答复汇总 of one plan: every comment (names masked) with its answer, in order."""
    with backend.db.read() as session:
        village = _village(session, code)
        plan = find_plan(session, village.id, number)
        comments = list(session.scalars(select(PlanComment).where(PlanComment.plan_id == plan.id)
                                        .order_by(PlanComment.number)))
        rows = [{key: value for key, value in c.public_state().items() if key != "plan"} for c in comments]
        totals = {"count": len(rows), "unanswered": sum(1 for c in comments
                                                         if c.status is CommentStatus.VISIBLE and not c.answered),
                  "plan": {"number": plan.number, "title": plan.title}}
        # The plan's title stays out of the list title: a spreadsheet tab name may not hold "/" or "?".
        return _listing(session, village, f"plan-{plan.number}-comments", f"意见及答复（{plan.number}）", as_of,
                        COMMENT_COLUMNS, rows, [f"/v/{code}/plans/{plan.number}#comment-{c.number}" for c in comments],
                        totals)
