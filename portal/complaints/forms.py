"""Forms of the complaint pages: the villager's (file, judge the answer) and the committee's."""
from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import HiddenField, RadioField, SelectField, StringField, TextAreaField

from portal.complaints.labels import KIND, VERDICT
from portal.drafts.editor import choices


class ComplaintForm(FlaskForm):  # type: ignore[misc]  # flask_wtf has no type information
    kind = RadioField("类别", choices=choices(KIND), default="complaint", validate_choice=False)
    body = TextAreaField("反映的问题", description="写清楚是什么事、在哪里、什么时候。全文公开，不要写身份证号和手机号",
                         render_kw={"rows": 7})
    name = StringField("姓名（可不填）", description="不填即为匿名；填写的话，公开时只显示姓氏和末字（张*华）",
                       render_kw={"autocomplete": "name"})
    phone = StringField("联系电话（可不填）", description="只给监委会联系您用，不会公开",
                        render_kw={"autocomplete": "tel", "inputmode": "tel"})
    about = HiddenField()


class VerdictForm(FlaskForm):  # type: ignore[misc]
    resolved = RadioField("问题解决了吗", choices=choices(VERDICT), validate_choice=False)
    note = TextAreaField("您的意见", description="没有解决的，请写明哪里还没有解决；会公开，不要写身份证号和手机号",
                         render_kw={"rows": 3})


class AssignForm(FlaskForm):  # type: ignore[misc]
    assignee = SelectField("承办人", validate_choice=False)


class AnswerForm(FlaskForm):  # type: ignore[misc]
    reply = TextAreaField("答复内容", description="答复会公开，署名为监委会成员；不要写身份证号和手机号",
                          render_kw={"rows": 6})
