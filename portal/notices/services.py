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
from portal.kernel.status import RecordStatus
from portal.kernel.transaction import Actor, Backend, Change
from portal.kernel.validate import Checker
from portal.notices.models import Notice, NoticeCategory

TITLE_MAX = 200
BODY_MAX = 5000
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
        check.fail("number", f"{label}只能用字母、数字和连字符，以字母或数字开头（例如 {example}）")
    return number


def multiline(value: object) -> object:
    """Form text areas send CRLF line breaks; the stored text uses LF only."""
    return value.replace("\r\n", "\n").replace("\r", "\n") if isinstance(value, str) else value


def check_not_future(check: Checker, field: str, day: date | None, label: str, today: date) -> None:
    if day is not None and day > today:
        check.fail(field, f"{label}不能晚于今天（{today.isoformat()}）")


def _checked(check: Checker, backend: Backend, data: NoticeInput) -> _Notice | None:
    """The notice's columns; None when its category or date is unusable (the message is in `check`)."""
    number = check_number(check, data.number, "公告编号", "GG-2026-001")
    title = check.text("title", data.title, "公告标题", max_len=TITLE_MAX)
    category = check.choice("category", data.category, "公告类别", NoticeCategory)
    body = check.text("body", multiline(data.body), "公告正文", max_len=BODY_MAX)
    published_on = check.day("published_on", data.published_on, "发布日期")
    check_not_future(check, "published_on", published_on, "发布日期", backend.today())
    if category is None or published_on is None:
        return None
    return _Notice(number, title, category, body, published_on)


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
        raise ValidationError({"reason": "已撤回的公告不能再更正"})


def withdraw_notice(backend: Backend, actor: Actor, village_code: str, number: str, reason: str) -> Notice:
    """撤回: the notice stays listed, marked withdrawn, with the reason in the log."""
    return withdraw(backend, actor, village_code, number, reason, find=find_notice,
                    entity="notice", withdrawn=RecordStatus.WITHDRAWN)


def notice_input_from(notice: Notice) -> NoticeInput:
    """The current notice as an input, to prefill a correction."""
    return NoticeInput(number=notice.number, title=notice.title, category=notice.category.value,
                       body=notice.body, published_on=notice.published_on.isoformat())
