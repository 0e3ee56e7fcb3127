"""The staff workspace's form for notices (公告)."""
from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import SelectField, StringField, TextAreaField

from portal.drafts.editor import Editor, choices, dataclass_input, fields_of
from portal.kernel.transaction import Backend
from portal.notices import labels
from portal.translations import N_
from portal.notices.services import (
    NoticeInput,
    correct_notice,
    create_notice,
    find_notice,
    notice_input_from,
    withdraw_notice,
)
from portal.villages.services import find_village


class NoticeForm(FlaskForm):  # type: ignore[misc]  # flask_wtf has no type information
    number = StringField(N_("公告编号"), description=N_("例如 GG-2026-001"))
    title = StringField(N_("公告标题"))
    category = SelectField(N_("公告类别"), choices=choices(labels.NOTICE_CATEGORY),
                           validate_choice=False)  # the service says what is wrong, in Chinese
    published_on = StringField(N_("发布日期"), description=N_("村里张贴或决定发布的日期，例如 2026-11-23 或 2026年11月23日"))
    body = TextAreaField(N_("公告正文"), description=N_("可直接粘贴 Word/WPS 中的文字和表格；不要写身份证号和手机号"),
                         render_kw={"rows": 12})


def current(backend: Backend, code: str, number: str) -> dict[str, str]:
    with backend.db.read() as session:
        return fields_of(notice_input_from(find_notice(session, find_village(session, code).id, number)))


EDITOR = Editor("notice", NoticeForm, dataclass_input(NoticeInput), create_notice, current,
                correct=correct_notice, withdraw=withdraw_notice,
                value_labels={"category": labels.NOTICE_CATEGORY, "status": labels.NOTICE_STATUS})
