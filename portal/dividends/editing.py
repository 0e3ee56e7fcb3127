"""The staff workspace's form for dividend plans (分红方案): the roll pasted as text, and 发放."""
from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from flask_wtf import FlaskForm
from wtforms import StringField, TextAreaField

from portal.dividends import labels
from portal.dividends.services import (
    PlanInput,
    correct_plan,
    create_plan,
    find_plan,
    parse_roll,
    pay,
    plan_input_from,
    withdraw_plan,
)
from portal.drafts.editor import Editor, Fields, Verb, dataclass_input, fields_of
from portal.kernel.errors import ValidationError
from portal.kernel.privacy import mask_name
from portal.kernel.transaction import Backend
from portal.translations import N_
from portal.villages.services import find_village


class PlanForm(FlaskForm):  # type: ignore[misc]  # flask_wtf has no type information
    number = StringField(N_("方案编号"), description=N_("例如 FH-2026"))
    year = StringField(N_("年度"), description=N_("例如 2026"), render_kw={"inputmode": "numeric"})
    title = StringField(N_("方案名称"), description=N_("例如 2026 年度集体收益分配方案"))
    total = StringField(N_("可分配金额（元）"), description=N_("例如 398,000.00"), render_kw={"inputmode": "decimal"})
    meeting_number = StringField(N_("决策会议"), description=N_("通过本方案的会议编号，例如 HY-2026-003"))
    publicity_from = StringField(N_("公示开始日期"), description=N_("例如 2026-12-01"))
    publicity_until = StringField(N_("公示截止日期"), description=N_("公示至少 5 天，期满后才能发放"))
    roll = TextAreaField(N_("分红名单"), description=N_(
        "每行一户：户号,户主姓名,股数（可从 Excel 复制三列粘贴）；金额按股数自动精确分配到分"), render_kw={"rows": 12})


class PayForm(FlaskForm):  # type: ignore[misc]
    households = TextAreaField(N_("发放的户号"), description=N_("用空格或逗号分开；全部发放填“全部”"), render_kw={"rows": 3})
    paid_on = StringField(N_("发放日期"), description=N_("例如 2026-12-20；公示期满后才能发放"))


def current(backend: Backend, code: str, number: str) -> dict[str, str]:
    with backend.db.read() as session:
        return fields_of(plan_input_from(session, find_plan(session, find_village(session, code).id, number)))


def shown(fields: Fields, for_committee: bool) -> Fields:
    """The roll summed up and, for the committee, with heads masked (they approve amounts, not names)."""
    out = dict(fields)
    try:
        roll = parse_roll(fields.get("roll", ""))
    except ValidationError:
        return out
    if for_committee:
        out["roll"] = "\n".join(f"{r.household},{mask_name(r.head_name)},{r.shares}" for r in roll)
    return out


def describe(fields: Mapping[str, str]) -> str:
    return " · ".join(p for p in (fields.get("number", ""), fields.get("year", ""), fields.get("total", "")) if p)


def _pay(backend: Backend, actor: Any, code: str, number: str, fields: Fields, reason: str) -> Any:
    return pay(backend, actor, code, number, fields, reason)


EDITOR = Editor("dividend_plan", PlanForm, dataclass_input(PlanInput), create_plan, current,
                correct=correct_plan, withdraw=withdraw_plan, shown=shown, describe=describe,
                verbs={"pay": Verb("发放", PayForm, _pay, hint="登记已发放的户：公示期满后，每户一条日志")},
                value_labels={"status": labels.PLAN_STATUS})
