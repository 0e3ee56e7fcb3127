"""What the workspace pages ask besides a record's own fields, and how forms meet services."""
from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from flask_wtf import FlaskForm
from flask_wtf.file import FileField
from wtforms import TextAreaField
from wtforms.validators import DataRequired, Length

from portal.drafts.editor import Fields
from portal.kernel.errors import ValidationError
from portal.kernel.messages import say
from portal.translations import N_

SKIPPED = ("csrf_token",)
MAX_TEXT_FILE = 5 * 1024 * 1024  # a GeoJSON outline, or a village's whole parcel file


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
    """The files chosen in the form's upload fields among `names` (an empty field keeps the
    draft's file; a name the form lacks is another of the editor's forms' field)."""
    files = {}
    for name in names:
        if name not in form:
            continue
        storage = form[name].data
        if storage is not None and getattr(storage, "filename", None):
            files[name] = storage.read()
    return files


def read_upload(form: Any, name: str, limit: int = MAX_TEXT_FILE) -> tuple[str, bytes] | None:
    """(file name, content) of the file chosen in upload field `name`, or None when none was;
    ValidationError naming the field when it is over `limit` bytes."""
    storage = form[name].data
    if storage is None or not getattr(storage, "filename", None):
        return None
    content = storage.read(limit + 1)
    if len(content) > limit:
        raise ValidationError({name: say("文件不能超过 %(most)s MB", most=limit // 1024 // 1024)})
    return str(storage.filename).replace("\\", "/").rsplit("/", 1)[-1].strip()[:100], content


def text_uploads(form: Any, names: Mapping[str, str]) -> dict[str, str]:
    """The text of each file chosen in an upload field that stands for a text field (a GeoJSON
    file instead of pasted GeoJSON), by the text field's name; the form's text field shows it
    too, so a page shown again keeps it. ValidationError naming the upload field for a file
    that is not UTF-8 text."""
    texts = {}
    for upload, target in names.items():
        chosen = read_upload(form, upload)
        if chosen is None:
            continue
        try:
            texts[target] = form[target].data = chosen[1].decode("utf-8-sig")
        except UnicodeDecodeError:
            raise ValidationError({upload: say("文件不是 UTF-8 编码的文本：请另存为 UTF-8 的 GeoJSON 文件")}) from None
    return texts


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
