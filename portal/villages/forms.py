"""Forms of the staff's village settings: the 监督电话 and the parcel map's landmarks.

Both publish at once through portal/villages/services.py (no draft): the change is the village's
own data, logged under the name of the staff member who made it.
"""
from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import SelectField, StringField, TextAreaField

from portal.drafts.editor import choices
from portal.translations import N_
from portal.villages.labels import LANDMARK_KINDS

NO_KIND = N_("（请选择类别）")


class PhoneForm(FlaskForm):  # type: ignore[misc]  # flask_wtf has no type information
    supervisor_phone = StringField("监督电话", description="村务监督委员会的电话，印在每张公开栏打印件上；"
                                                       "只写数字、空格和连字符，例如 0592-7100001",
                                   render_kw={"inputmode": "tel", "autocomplete": "off"})
    reason = TextAreaField("更正理由", description="为什么改号码（如监委会换届），会公开记入日志",
                           render_kw={"rows": 2})


class LandmarkForm(FlaskForm):  # type: ignore[misc]
    kind = SelectField("类别", choices=choices({"": NO_KIND} | LANDMARK_KINDS), validate_choice=False)
    name = StringField("地标名称", description="村民平常的叫法，例如 莲坂村村委会、莲溪、东干渠")
    points = TextAreaField("位置（坐标，单位米）",
                           description="与地块边界同一坐标：“东,北”，单位米。村委会、学校、桥等写一个点，"
                                       "如 710,740；道路和河渠写沿线几个点，用空格或换行隔开，如 0,707 2400,707",
                           render_kw={"rows": 3})
    reason = TextAreaField("说明", description="可不填；会记入日志", render_kw={"rows": 2})


class RemoveLandmarkForm(FlaskForm):  # type: ignore[misc]
    reason = TextAreaField("说明", description="为什么删除（如道路改名、画错了），可不填；会记入日志",
                           render_kw={"rows": 2})
