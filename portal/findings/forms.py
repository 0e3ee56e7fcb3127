"""The committee's forms for findings (问题清单)."""
from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import StringField, TextAreaField

from portal.translations import N_


class FindingForm(FlaskForm):  # type: ignore[misc]  # flask_wtf has no type information
    title = StringField(N_("问题"), description=N_("一句话说清楚，例如：2016-017 号合同欠租两年未催缴"))
    description = TextAreaField(N_("问题说明"), description=N_("发现了什么、依据是什么；会全文公开，不要写手机号和身份证号"),
                                render_kw={"rows": 5})
    records = StringField(N_("涉及的记录"), description=N_("合同号、收据号、公告编号等，多个用空格或逗号分开，例如 LB-HT-2016-017 SK-2016-0017"))
    responsible = StringField(N_("整改责任单位"), description=N_("例如 村委会、报账员、承租方"))
    responsible_person = StringField(N_("整改责任人（可不填）"), description=N_("姓名在公开页面上只显示首尾字，例如 张*华"))
    due_on = StringField(N_("整改期限"), description=N_("例如 2026-12-31 或 2026年12月31日"))


class StepForm(FlaskForm):  # type: ignore[misc]
    reason = TextAreaField(N_("情况说明"), description=N_("整改做了什么、监委会如何核实；会公开记入日志"),
                           render_kw={"rows": 3})


class CorrectionForm(FindingForm):
    """更正: the finding's fields as they should read, and why."""

    reason = TextAreaField(N_("理由"), description=N_("为什么更正或撤回，会公开记入日志"), render_kw={"rows": 3})


class WithdrawForm(FlaskForm):  # type: ignore[misc]
    """撤回 a finding recorded by mistake: only the reason."""

    reason = TextAreaField(N_("理由"), description=N_("为什么更正或撤回，会公开记入日志"), render_kw={"rows": 3})
