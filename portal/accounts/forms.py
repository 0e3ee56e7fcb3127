"""The forms of logging in and of changing one's password; `show_errors` puts a service's
messages next to the fields they are about."""
from __future__ import annotations

from collections.abc import Mapping

from flask_wtf import FlaskForm
from wtforms import Field, PasswordField, StringField
from wtforms.validators import DataRequired, EqualTo, Length

from portal.translations import N_


class LoginForm(FlaskForm):  # type: ignore[misc]  # flask_wtf has no type information
    username = StringField("用户名", validators=[DataRequired("请填写用户名"), Length(max=64)])
    password = PasswordField("密码", validators=[DataRequired("请填写密码"), Length(max=200)])


class ChangePasswordForm(FlaskForm):  # type: ignore[misc]
    old_password = PasswordField(N_("原密码"), validators=[DataRequired(N_("请填写原密码"))])
    new_password = PasswordField(N_("新密码"), validators=[DataRequired(N_("请填写新密码"))])
    confirm = PasswordField(N_("再次输入新密码"), validators=[
        DataRequired(N_("请再次输入新密码")), EqualTo("new_password", N_("两次输入的新密码不一致"))])


def show_errors(form: FlaskForm, errors: Mapping[str, str], fields: Mapping[str, str] | None = None) -> None:
    """Puts each message of a ValidationError on its field (`fields` renames a service's field
    to the form's); a message about no field of the form goes to the form's own errors."""
    for name, message in errors.items():
        field: Field | None = getattr(form, (fields or {}).get(name, name), None)
        if isinstance(field, Field):
            field.errors = [*field.errors, message]
        else:
            form.form_errors.append(message)
