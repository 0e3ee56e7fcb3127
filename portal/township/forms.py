"""The township's forms. The services check every value (and say what is wrong, field by
field); the forms only carry them, with CSRF, and check that a new password was typed twice alike."""
from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import PasswordField, SelectField, StringField, TextAreaField
from wtforms.validators import DataRequired, EqualTo

from portal.drafts.editor import choices
from portal.translations import N_

NEW_PASSWORD = N_("请填写新密码")
CONFIRM = N_("请再次输入密码")
MISMATCH = N_("两次输入的密码不一致")
# Roles the township gives from the web; township accounts are made on the server (CLI).
VILLAGE_ROLES = (("staff", N_("村干部（报账员）")), ("committee", N_("监委会成员")))


class VillageForm(FlaskForm):  # type: ignore[misc]  # flask_wtf has no type information
    code = StringField(N_("村编码"), description=N_("小写字母、数字和连字符，以字母开头，例如 lianban；用作网址和日志名，建后不能改"))
    name = StringField(N_("村名"))
    township = StringField(N_("所属乡镇"))
    county = StringField(N_("所属县（区）"), description=N_("可不填"))


class AccountForm(FlaskForm):  # type: ignore[misc]
    username = StringField(N_("用户名"), description=N_("小写字母、数字和 . _ -，3–64 个字符，用于登录"))
    display_name = StringField(N_("姓名"))
    role = SelectField(N_("角色"), choices=choices(dict(VILLAGE_ROLES)), validate_choice=False)
    password = PasswordField(N_("初始密码"), description=N_("至少 8 位；请当面或电话告知本人，登录后自行修改"),
                             validators=[DataRequired(NEW_PASSWORD)])
    confirm = PasswordField(N_("再次输入密码"), validators=[DataRequired(CONFIRM), EqualTo("password", MISMATCH)])


class ResetPasswordForm(FlaskForm):  # type: ignore[misc]
    password = PasswordField(N_("新密码"), description=N_("至少 8 位；该账号所有已登录的设备都会退出"),
                             validators=[DataRequired(NEW_PASSWORD)])
    confirm = PasswordField(N_("再次输入密码"), validators=[DataRequired(CONFIRM), EqualTo("password", MISMATCH)])


class StatusForm(FlaskForm):  # type: ignore[misc]
    reason = TextAreaField(N_("原因"), description=N_("记入审计日志，任何人都能查阅：写明原因即可，不要写身份证号、电话等个人信息"))
