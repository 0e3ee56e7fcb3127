"""The staff workspace's form for meetings (会议纪要), with the minutes' scan as an upload."""
from __future__ import annotations

from flask_wtf import FlaskForm
from flask_wtf.file import FileField
from wtforms import SelectField, StringField, TextAreaField

from portal.drafts.editor import Editor, choices, dataclass_input, fields_of
from portal.kernel.transaction import Backend
from portal.meetings import labels
from portal.meetings.services import (
    MeetingInput,
    correct_meeting,
    create_meeting,
    find_meeting,
    meeting_input_from,
    withdraw_meeting,
)
from portal.translations import N_
from portal.villages.services import find_village

NUMBER = {"inputmode": "numeric", "autocomplete": "off"}


class MeetingForm(FlaskForm):  # type: ignore[misc]  # flask_wtf has no type information
    number = StringField(N_("会议编号"), description=N_("例如 HY-2026-001"))
    held_on = StringField(N_("会议日期"), description=N_("例如 2026-11-23 或 2026年11月23日"))
    kind = SelectField(N_("会议类型"), choices=choices(labels.MEETING_KIND), validate_choice=False)
    title = StringField(N_("议题"), description=N_("例如 2026 年度集体收益分配方案"))
    expected = StringField(N_("应到人数"), description=N_("应到的代表或户代表人数"), render_kw=NUMBER)
    present = StringField(N_("实到人数"), render_kw=NUMBER)
    votes_for = StringField(N_("赞成票"), render_kw=NUMBER)
    votes_against = StringField(N_("反对票"), render_kw=NUMBER)
    abstained = StringField(N_("弃权票"), render_kw=NUMBER)
    agenda = TextAreaField(N_("议程"), render_kw={"rows": 4})
    decision = TextAreaField(N_("决议"), description=N_("会议通过的决定，全文公开；不要写手机号和身份证号"),
                             render_kw={"rows": 4})
    minutes = FileField(N_("会议记录扫描件"), description=N_("签到表和会议记录的扫描件，PDF、JPG 或 PNG，不超过 10 MB"),
                        render_kw={"accept": "application/pdf,image/jpeg,image/png"})


def current(backend: Backend, code: str, number: str) -> dict[str, str]:
    with backend.db.read() as session:
        return fields_of(meeting_input_from(find_meeting(session, find_village(session, code).id, number)))


EDITOR = Editor("meeting", MeetingForm, dataclass_input(MeetingInput), create_meeting, current,
                correct=correct_meeting, withdraw=withdraw_meeting, file_fields=("minutes",),
                value_labels={"kind": labels.MEETING_KIND, "status": labels.MEETING_STATUS})
