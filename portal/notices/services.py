"""Notices (公告): publish, correct (new version with reason) and withdraw, each change logged."""
from __future__ import annotations

import re
from dataclasses import asdict, dataclass
from datetime import date

from sqlalchemy.orm import Session

from portal.kernel.errors import ValidationError
from portal.kernel.lifecycle import (
    correct_numbered,
    create_numbered,
    withdraw,
)
from portal.kernel.lookup import HasSession, find_numbered
from portal.kernel.messages import say
from portal.kernel.privacy import carries_personal_number
from portal.kernel.status import RecordStatus
from portal.kernel.transaction import Actor, Backend, Change
from portal.kernel.validate import Checker
from portal.notices.models import Notice, NoticeCategory
from portal.publishing.sanitizer import clean_html, looks_like_html, to_text

TITLE_MAX = 200
BODY_MAX = 5000            # characters of text a reader sees
BODY_HTML_MAX = 4 * BODY_MAX  # the same body with its kept tags (tables take room)
PASTE_MAX = 500_000        # pasted HTML before cleaning: Word adds kilobytes of styles
# Numbers end up in URLs (/v/<code>/notices/<number>), so they keep to URL-safe characters.
RECORD_NUMBER = re.compile(r"^[A-Za-z0-9][A-Za-z0-9-]{0,39}$")


@dataclass
class NoticeInput:
    """A notice as staff type it: `category` a NoticeCategory value ("finance", …) and
    `published_on` ISO text (2026-01-31) as a form sends them, or a date; the service checks every
    field and converts those two (ValidationError with a message each)."""

    number: str
    title: str
    category: str
    body: str
    published_on: str | date


@dataclass(frozen=True)
class _Notice:
    """A notice's columns, checked."""

    number: str
    title: str
    category: NoticeCategory
    body: str
    published_on: date


def check_number(check: Checker, value: object, label: str, example: str) -> str:
    number = check.text("number", value, label, max_len=40)
    if number and not RECORD_NUMBER.match(number):
        check.fail("number", say("%(label)s只能用字母、数字和连字符，以字母或数字开头（例如 %(example)s）", label=label, example=example))
    return number


def multiline(value: object) -> object:
    """Form text areas send CRLF line breaks; the stored text uses LF only."""
    return value.replace("\r\n", "\n").replace("\r", "\n") if isinstance(value, str) else value


def check_not_future(check: Checker, field: str, day: date | None, label: str, today: date) -> None:
    if day is not None and day > today:
        check.fail(field, say("%(label)s不能晚于今天（%(today)s）", label=label, today=today.isoformat()))


def _checked(check: Checker, backend: Backend, data: NoticeInput) -> _Notice | None:
    """The notice's columns; None when its category or date is unusable (the message is in `check`)."""
    number = check_number(check, data.number, "公告编号", "GG-2026-001")
    title = check.text("title", data.title, "公告标题", max_len=TITLE_MAX)
    category = check.choice("category", data.category, "公告类别", NoticeCategory)
    body = _body(check, data.body)
    published_on = check.day("published_on", data.published_on, "发布日期")
    check_not_future(check, "published_on", published_on, "发布日期", backend.today())
    if category is None or published_on is None:
        return None
    return _Notice(number, title, category, body, published_on)


def _body(check: Checker, value: object) -> str:
    """The body as stored: plain text as typed, or pasted HTML (Word, WPS) cleaned to the
    sanitizer's allowlist. Either is refused when its text carries a mobile or ID number."""
    raw = multiline(value)
    if not (isinstance(raw, str) and looks_like_html(raw)):
        text = body = check.text("body", raw, "公告正文", max_len=BODY_MAX)
    elif len(raw) > PASTE_MAX:
        check.fail("body", say("粘贴的正文连同格式太长（%(count)s 个字符），请分成几条公告，或先粘贴到记事本去掉格式", count=len(raw)))
        return ""
    else:
        body = clean_html(raw)
        if not body:
            check.fail("body", say("粘贴的正文去掉格式和不允许的内容（脚本、图片等）后没有文字，请直接输入文字"))
            return ""
        text = check.text("body", to_text(body), "公告正文", max_len=BODY_MAX)
        if len(body) > BODY_HTML_MAX:
            check.fail("body", say("公告正文中的表格或格式太多，请精简后再粘贴"))
    if carries_personal_number(text):
        check.fail("body", say("公告正文会全文公开，请不要写手机号或身份证号"))
    return body


def find_notice(change_or_session: HasSession | Session, village_id: int, number: str) -> Notice:
    return find_numbered(change_or_session, Notice, village_id, number, "公告")


def create_notice(backend: Backend, actor: Actor, village_code: str, data: NoticeInput) -> Notice:
    """Publishes a notice and logs it; raises ValidationError (nothing written) on bad input."""
    check = Checker()
    v = check.result(_checked(check, backend, data))
    return create_numbered(backend, actor, village_code, Notice, asdict(v), "公告编号")


def correct_notice(backend: Backend, actor: Actor, village_code: str, number: str,
                   data: NoticeInput, reason: str) -> Notice:
    """更正: a new version with its reason; the earlier versions stay in the log and on the page."""
    check = Checker()
    checked = _checked(check, backend, data)
    reason = check.reason(reason)
    v = check.result(checked)
    return correct_numbered(backend, actor, village_code, number, Notice, asdict(v), reason, find=find_notice,
                            number_label="公告编号", allowed=_not_withdrawn)


def _not_withdrawn(change: Change, notice: Notice) -> None:
    if notice.status is RecordStatus.WITHDRAWN:
        raise ValidationError({"reason": say("已撤回的公告不能再更正")})


def withdraw_notice(backend: Backend, actor: Actor, village_code: str, number: str, reason: str) -> Notice:
    """撤回: the notice stays listed, marked withdrawn, with the reason in the log."""
    return withdraw(backend, actor, village_code, number, reason, find=find_notice,
                    entity="notice", withdrawn=RecordStatus.WITHDRAWN)


def notice_input_from(notice: Notice) -> NoticeInput:
    """The current notice as an input, to prefill a correction."""
    return NoticeInput(number=notice.number, title=notice.title, category=notice.category.value,
                       body=notice.body, published_on=notice.published_on.isoformat())
