"""The staff workspace's form for plans put up for comment (方案公示): new plans, revisions
(更正: a new version with its reason, every earlier one still shown), withdrawal, and adoption
(通过), which is drafted and approved like a revision."""
from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import StringField, TextAreaField

from portal.drafts.editor import Editor, Fields, Verb, dataclass_input, fields_of
from portal.kernel.transaction import Actor, Backend
from portal.plans import labels
from portal.plans.models import Plan
from portal.plans.services import (
    PlanInput,
    adopt_plan,
    correct_plan,
    create_plan,
    find_plan,
    plan_input_from,
    withdraw_plan,
)
from portal.villages.services import find_village


class PlanForm(FlaskForm):  # type: ignore[misc]  # flask_wtf has no type information
    number = StringField("方案编号", description="例如 FA-2026-001")
    title = StringField("方案名称", description="例如 东洋片区土地集中流转方案")
    body = TextAreaField("方案正文", description="可直接粘贴文字；修改后作为新版本公开，旧版本和修改理由都保留",
                         render_kw={"rows": 14})
    comment_from = StringField("征求意见开始日期", description="例如 2026-12-01 或 2026年12月1日")
    comment_until = StringField("征求意见截止日期", description="含当天；征求意见期不超过一年")


class AdoptForm(FlaskForm):  # type: ignore[misc]
    adopted_on = StringField("通过日期", description="作出决定的日期（例如村民代表会议表决之日），"
                                                 "不早于征求意见截止日期；理由中写明依据哪次会议的决定")


def current(backend: Backend, code: str, number: str) -> dict[str, str]:
    with backend.db.read() as session:
        return fields_of(plan_input_from(find_plan(session, find_village(session, code).id, number)))


def adopt(backend: Backend, actor: Actor, code: str, number: str, fields: Fields, reason: str) -> Plan:
    return adopt_plan(backend, actor, code, number, fields.get("adopted_on", ""), reason)


EDITOR = Editor("plan", PlanForm, dataclass_input(PlanInput), create_plan, current,
                correct=correct_plan, withdraw=withdraw_plan,
                verbs={"adopt": Verb("通过", AdoptForm, adopt, statuses=("open",))},
                value_labels={"status": labels.PLAN_STATUS})
