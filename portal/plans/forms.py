"""Forms of the workspace pages that answer comments and enter them for villagers.

Both publish at once through the plan services (no draft): see README, "答复意见和代录意见".
"""
from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import SelectField, StringField, TextAreaField

from portal.drafts.editor import choices

NO_PLAN = "（请选择方案）"


class ReplyForm(FlaskForm):  # type: ignore[misc]  # flask_wtf has no type information
    reply = TextAreaField("答复内容", description="答复会和意见一起公开，署名为您的身份（村干部或监委会成员）；"
                                               "不要写身份证号和手机号", render_kw={"rows": 6})
    replied_on = StringField("答复日期", description="不填则为今天；例如 2026-11-23 或 2026年11月23日")
    reason = TextAreaField("修改答复的理由", description="已经答复过的意见，修改答复要写明理由，会公开记入日志",
                           render_kw={"rows": 2})


class OnBehalfForm(FlaskForm):  # type: ignore[misc]
    plan = SelectField("对哪个方案的意见", choices=choices({"": NO_PLAN}), validate_choice=False)
    commenter_name = StringField("提意见的村民姓名", description="公开时只显示姓氏和末字（张*华）")
    group_name = StringField("所在小组/户", description="例如 第三村民小组；可不填")
    body = TextAreaField("意见内容", description="按村民的原话记录；全文公开，不要写身份证号和手机号",
                         render_kw={"rows": 6})
    submitted_on = StringField("村民提出意见的日期", description="不填则为今天；必须在征求意见期内")
    on_behalf = StringField("代录说明",
                            description="为什么由村干部代录，会和意见一起公开，例如“村民到村委会口述，由报账员代录”")
