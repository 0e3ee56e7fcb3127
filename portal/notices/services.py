"""Notices (公告): publish, correct (new version with reason) and withdraw, each change logged."""
from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date
from typing import Any

from portal.kernel.errors import ValidationError
from portal.kernel.lifecycle import amend, record_created, withdraw
from portal.kernel.lookup import find_numbered, number_taken
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
    """What staff type for a notice; values are raw until checked."""

    number: Any
    title: Any
    category: Any
    body: Any
    published_on: Any


def check_number(check: Checker, value: Any, label: str, example: str) -> str:
    number = check.text("number", value, label, max_len=40)
    if number and not RECORD_NUMBER.match(number):
        check.fail("number", f"{label}只能用字母、数字和连字符，以字母或数字开头（例如 {example}）")
    return number


def multiline(value: Any) -> Any:
    """Form text areas send CRLF line breaks; the stored text uses LF only."""
    return value.replace("\r\n", "\n").replace("\r", "\n") if isinstance(value, str) else value


def check_not_future(check: Checker, field: str, day: date | None, label: str, today: date) -> None:
    if day is not None and day > today:
        check.fail(field, f"{label}不能晚于今天（{today.isoformat()}）")


def _checked(backend: Backend, data: NoticeInput) -> tuple[dict[str, Any], Checker]:
    check = Checker()
    v = {
        "number": check_number(check, data.number, "公告编号", "GG-2026-001"),
        "title": check.text("title", data.title, "公告标题", max_len=TITLE_MAX),
        "category": check.choice("category", data.category, "公告类别", NoticeCategory),
        "body": check.text("body", multiline(data.body), "公告正文", max_len=BODY_MAX),
        "published_on": check.day("published_on", data.published_on, "发布日期"),
    }
    check_not_future(check, "published_on", v["published_on"], "发布日期", backend.today())
    return v, check


def find_notice(change_or_session: Change | Any, village_id: int, number: str) -> Notice:
    return find_numbered(change_or_session, Notice, village_id, number, "公告")


def create_notice(backend: Backend, actor: Actor, village_code: str, data: NoticeInput) -> Notice:
    """Publishes a notice and logs it; raises ValidationError (nothing written) on bad input."""
    v, check = _checked(backend, data)
    check.done()
    with backend.change(village_code, actor, "notice.create") as change:
        village = change.village()
        if number_taken(change, Notice, village.id, v["number"]):
            raise ValidationError({"number": f"公告编号“{v['number']}”已存在"})
        notice = Notice(village_id=village.id, **v)
        record_created(change, notice, "notice.create")
    return notice


def correct_notice(backend: Backend, actor: Actor, village_code: str, number: str,
                   data: NoticeInput, reason: str) -> Notice:
    """更正: a new version with its reason; the earlier versions stay in the log and on the page."""
    v, check = _checked(backend, data)
    reason = check.reason(reason)
    check.done()
    with backend.change(village_code, actor, "notice.correct") as change:
        notice = find_notice(change, change.village().id, number)
        if notice.status is RecordStatus.WITHDRAWN:
            raise ValidationError({"reason": "已撤回的公告不能再更正"})
        if number_taken(change, Notice, notice.village_id, v["number"], current=notice.number):
            raise ValidationError({"number": f"公告编号“{v['number']}”已存在"})
        amend(change, notice, "notice.correct", reason, **v)
    return notice


def withdraw_notice(backend: Backend, actor: Actor, village_code: str, number: str, reason: str) -> Notice:
    """撤回: the notice stays listed, marked withdrawn, with the reason in the log."""
    return withdraw(backend, actor, village_code, number, reason, find=find_notice,
                    entity="notice", withdrawn=RecordStatus.WITHDRAWN)


def notice_input_from(notice: Notice) -> NoticeInput:
    """The current notice as an input, to prefill a correction."""
    return NoticeInput(number=notice.number, title=notice.title, category=notice.category.value,
                       body=notice.body, published_on=notice.published_on.isoformat())
