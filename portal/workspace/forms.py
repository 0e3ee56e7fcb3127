"""What the workspace pages ask besides a record's own fields, and how forms meet services."""
from __future__ import annotations

from typing import Any

from flask_wtf import FlaskForm
from flask_wtf.file import FileField
from wtforms import TextAreaField
from wtforms.validators import DataRequired, Length

from portal.drafts.editor import Fields
from portal.kernel.errors import ValidationError
from portal.translations import N_

SKIPPED = ("csrf_token",)


class ReasonForm(FlaskForm):  # type: ignore[misc]  # flask_wtf has no type information
    reason = TextAreaField(N_("理由"), validators=[Length(max=1000, message=N_("理由不能超过 1000 个字"))],
                           description=N_("为什么更正或撤回，会公开记入日志"), render_kw={"rows": 3})


class ReturnForm(FlaskForm):  # type: ignore[misc]
    comment = TextAreaField(N_("退回意见"), validators=[DataRequired(N_("请写明退回的原因")),
                                                    Length(max=1000, message=N_("退回意见不能超过 1000 个字"))],
                            render_kw={"rows": 3})


class ActionForm(FlaskForm):  # type: ignore[misc]
    """A button that changes something: only its CSRF token."""


def form_fields(form: Any) -> Fields:
    """The text of every field of a record's form (uploads and the CSRF token left out)."""
    return {name: "" if field.data is None else str(field.data).strip() if field.type != "TextAreaField"
            else str(field.data) for name, field in form._fields.items()
            if name not in SKIPPED and not isinstance(field, FileField)}


def uploads_of(form: Any, names: tuple[str, ...]) -> dict[str, bytes]:
    """The files chosen in the form's upload fields (an empty field keeps the draft's file)."""
    files = {}
    for name in names:
        storage = form[name].data
        if storage is not None and getattr(storage, "filename", None):
            files[name] = storage.read()
    return files


def show_errors(err: ValidationError, *forms: Any) -> list[str]:
    """Puts each service message next to its field; returns those no field of `forms` shows."""
    left = []
    for field, message in err.errors.items():
        target = next((f[field] for f in forms if f is not None and field in f._fields), None)
        if target is None:
            left.append(message)
        else:
            target.errors = [*target.errors, message]
    return left
