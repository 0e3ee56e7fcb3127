"""The staff workspace's form for consent votes (表决): the tallies of one vote on a plan, with the
scan of the signed opinion forms.

A vote is numbered within its plan, so drafts name a published one "<plan number>/<vote number>"
(FA-2026-001/1): that is the target of a correction and the address of its correction page.
"""
from __future__ import annotations

from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

from flask_wtf import FlaskForm
from flask_wtf.file import FileField
from sqlalchemy import select
from wtforms import SelectField, StringField

from portal.drafts.editor import Editor, Fields, Files, choices
from portal.kernel.errors import NotFound, ValidationError
from portal.kernel.messages import say
from portal.kernel.transaction import Actor, Backend
from portal.plans.models import ConsentVote, Plan, PlanStatus
from portal.plans.services import VoteInput, correct_vote, find_vote, record_vote
from portal.villages.services import find_village

TARGET_MAX = 40  # a draft's target column
NO_PLAN = "（请选择方案）"


class VoteForm(FlaskForm):  # type: ignore[misc]  # flask_wtf has no type information
    plan = SelectField("表决的方案", choices=choices({"": NO_PLAN}), validate_choice=False)
    meeting = StringField("会议名称", default="村民代表会议", description="例如 村民代表会议、村民会议、户代表会议")
    question = StringField("表决事项", description="例如 是否同意《东洋片区土地集中流转方案》")
    held_on = StringField("表决日期", description="例如 2026-12-20 或 2026年12月20日")
    eligible = StringField("应参加表决人数（户数）", description="例如 398", render_kw={"inputmode": "numeric"})
    yes = StringField("同意（票）", render_kw={"inputmode": "numeric"})
    no = StringField("反对（票）", render_kw={"inputmode": "numeric"})
    abstain = StringField("弃权（票）", render_kw={"inputmode": "numeric"},
                          description="同意、反对、弃权合计不能超过应参加表决人数；其余按未投票计")
    result = StringField("表决结果", description="例如 通过（同意票超过应参加表决人数的三分之二）")
    forms = FileField("签字表决意见表扫描件",
                      description="PDF、JPG 或 PNG，不超过 10 MB。表上有村民签名，扫描件不公开，"
                                  "只公开它的 SHA-256，供核对")


@dataclass
class VoteDraft:
    """A vote as the form holds it: the plan's number and the tallies."""

    plan: str
    vote: VoteInput


def to_input(fields: Fields, files: Files) -> VoteDraft:
    get = fields.get
    return VoteDraft(get("plan", "").strip(), VoteInput(
        meeting=get("meeting", ""), question=get("question", ""), held_on=get("held_on", ""),
        eligible=get("eligible", ""), yes=get("yes", ""), no=get("no", ""), abstain=get("abstain", ""),
        result=get("result", ""), forms=files.get("forms")))


@contextmanager
def _on_the_form() -> Iterator[None]:
    """Puts the service's refusals next to the form's fields: the tally total beside the eligible
    count, an unknown plan beside the plan."""
    try:
        yield
    except ValidationError as err:
        errors = dict(err.errors)
        if "total" in errors:
            errors.setdefault("eligible", errors.pop("total"))
        raise ValidationError(errors) from None
    except NotFound as err:
        raise ValidationError({"plan": str(err)}) from None


def create(backend: Backend, actor: Actor, code: str, data: VoteDraft) -> ConsentVote:
    if not data.plan:
        raise ValidationError({"plan": say("请选择表决的方案")})
    with _on_the_form():
        return record_vote(backend, actor, code, data.plan, data.vote)


def split(target: str) -> tuple[str, str]:
    """"FA-2026-001/1" → ("FA-2026-001", "1"); NotFound for anything else."""
    plan, _, number = target.rpartition("/")
    if not plan or not number.isdigit() or len(target) > TARGET_MAX:
        raise NotFound(say("没有“%(target)s”这次表决（应写成 方案编号/第几次表决，例如 FA-2026-001/1）", target=target[:60]))
    return plan, number


def correct(backend: Backend, actor: Actor, code: str, target: str, data: VoteDraft, reason: str) -> ConsentVote:
    plan, number = split(target)
    if data.plan and data.plan != plan:
        raise ValidationError({"plan": say("这次表决属于方案 %(plan)s，更正时不能改到别的方案", plan=plan)})
    with _on_the_form():
        return correct_vote(backend, actor, code, plan, number, data.vote, reason)


def current(backend: Backend, code: str, target: str) -> dict[str, str]:
    plan, number = split(target)
    with backend.db.read() as session:
        vote = find_vote(session, find_village(session, code).id, plan, number)
        return {"plan": plan, "meeting": vote.meeting, "question": vote.question,
                "held_on": vote.held_on.isoformat(), "eligible": str(vote.eligible), "yes": str(vote.yes_count),
                "no": str(vote.no_count), "abstain": str(vote.abstain_count), "result": vote.result}


def find_state(backend: Backend, code: str, target: str) -> dict[str, Any] | None:
    try:
        plan, number = split(target)
        with backend.db.read() as session:
            return find_vote(session, find_village(session, code).id, plan, number).public_state()
    except NotFound:
        return None


def target_of(data: Mapping[str, Any]) -> str:
    return f"{data['plan']}/{data['number']}"


def prepare(form: Any, backend: Backend, code: str) -> None:
    """The village's plans to choose from (withdrawn ones take no votes), newest first."""
    with backend.db.read() as session:
        village = find_village(session, code)
        rows = session.execute(select(Plan.number, Plan.title).where(
            Plan.village_id == village.id, Plan.status != PlanStatus.WITHDRAWN)
            .order_by(Plan.comment_from.desc(), Plan.number.desc())).all()
    options = {"": NO_PLAN} | {number: f"{number} {title}" for number, title in rows}
    chosen = form.plan.data or ""
    if chosen and chosen not in options:
        options[chosen] = chosen
    form.plan.choices = choices(options)


def share(count: str, eligible: str) -> str | None:
    """`count` of `eligible` as a percentage with one decimal (as the public page shows it), or
    None when either is not a whole number."""
    if not (count.strip().isdigit() and eligible.strip().isdigit()) or int(eligible) == 0:
        return None
    e = int(eligible)
    tenths = (int(count) * 1000 + e // 2) // e
    return f"{tenths // 10}.{tenths % 10}%"


def describe(fields: Mapping[str, str]) -> str:
    """FA-2026-001 · 村民代表会议 2026-12-20 · 同意 350/398（87.9%）"""
    yes, eligible = fields.get("yes", ""), fields.get("eligible", "")
    percent = share(yes, eligible)
    tally = f"同意 {yes}/{eligible}（{percent}）" if percent else ""
    parts = [fields.get("plan", ""), f"{fields.get('meeting', '')} {fields.get('held_on', '')}".strip(), tally]
    return " · ".join(p for p in parts if p)


EDITOR = Editor("consent_vote", VoteForm, to_input, create, current, correct=correct,
                template="workspace/_vote_fields.html", file_fields=("forms",), prepare=prepare,
                target_of=target_of, find_state=find_state, describe=describe)
