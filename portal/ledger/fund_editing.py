"""The staff workspace's form for funds (专项基金) and their rule."""
from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import SelectField, StringField, TextAreaField

from portal.drafts.editor import Editor, choices, dataclass_input, fields_of
from portal.kernel.transaction import Backend
from portal.ledger import labels
from portal.ledger.services import FundInput, correct_fund, create_fund, find_fund, fund_input_from, withdraw_fund
from portal.translations import N_
from portal.villages.services import find_village


class FundForm(FlaskForm):  # type: ignore[misc]  # flask_wtf has no type information
    number = StringField(N_("基金编号"), description=N_("例如 JJ-001"))
    name = StringField(N_("基金名称"), description=N_("例如 小区公共维修基金（小公维金）"))
    category = SelectField(N_("从哪类收入提取"), choices=choices(labels.FUND_SOURCE), validate_choice=False)
    take = StringField(N_("每笔提取（元）"), description=N_("例如物业费每平方米每月 0.8 元中提取 0.1 元：这里填 0.1"),
                       render_kw={"inputmode": "decimal"})
    per = StringField(N_("对应收入（元）"), description=N_("上例填 0.8；提取 10% 就填 10 和 100"),
                      render_kw={"inputmode": "decimal"})
    purpose = TextAreaField(N_("用途"), render_kw={"rows": 2})


def current(backend: Backend, code: str, number: str) -> dict[str, str]:
    with backend.db.read() as session:
        return fields_of(fund_input_from(find_fund(session, find_village(session, code).id, number)))


EDITOR = Editor("fund", FundForm, dataclass_input(FundInput), create_fund, current, correct=correct_fund,
                withdraw=withdraw_fund, value_labels={"category": labels.FUND_SOURCE})
