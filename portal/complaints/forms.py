"""Forms of the complaint pages: the villager's (file, judge the answer) and the committee's.
Their words are in labels.FORM, so the English catalog has them."""
from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import HiddenField, RadioField, SelectField, StringField, TextAreaField

from portal.complaints.labels import FORM, KIND, VERDICT
from portal.drafts.editor import choices


class ComplaintForm(FlaskForm):  # type: ignore[misc]  # flask_wtf has no type information
    kind = RadioField(FORM["kind"], choices=choices(KIND), default="complaint", validate_choice=False)
    body = TextAreaField(FORM["body"], description=FORM["body_hint"], render_kw={"rows": 7})
    name = StringField(FORM["name"], description=FORM["name_hint"], render_kw={"autocomplete": "name"})
    phone = StringField(FORM["phone"], description=FORM["phone_hint"],
                        render_kw={"autocomplete": "tel", "inputmode": "tel"})
    about = HiddenField()


class VerdictForm(FlaskForm):  # type: ignore[misc]
    resolved = RadioField(FORM["resolved"], choices=choices(VERDICT), validate_choice=False)
    note = TextAreaField(FORM["note"], description=FORM["note_hint"], render_kw={"rows": 3})


class AssignForm(FlaskForm):  # type: ignore[misc]
    assignee = SelectField(FORM["assignee"], validate_choice=False)


class AnswerForm(FlaskForm):  # type: ignore[misc]
    reply = TextAreaField(FORM["reply"], description=FORM["reply_hint"], render_kw={"rows": 6})
