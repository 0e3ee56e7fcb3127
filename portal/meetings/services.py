"""Meetings (会议纪要): record, correct and withdraw, the minutes' scan stored by its SHA-256."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlalchemy.orm import Session

from portal.auditlog.files import store_file
from portal.kernel.errors import ValidationError
from portal.kernel.lifecycle import amend, record_created, withdraw
from portal.kernel.lookup import HasSession, find_numbered, number_taken
from portal.kernel.messages import say
from portal.kernel.privacy import carries_personal_number
from portal.kernel.status import RecordStatus
from portal.kernel.transaction import Actor, Backend
from portal.kernel.validate import Checker
from portal.meetings.models import Meeting, MeetingKind
from portal.notices.services import check_not_future, check_number, multiline

TEXT_MAX = 3000
PEOPLE_MAX = 100_000


@dataclass
class MeetingInput:
    """A meeting as staff type it (form text, or dates and ints); `minutes` the scan's bytes."""

    number: str
    held_on: str | date
    kind: str
    title: str
    expected: str | int
    present: str | int
    agenda: str
    votes_for: str | int
    votes_against: str | int
    abstained: str | int
    decision: str
    minutes: bytes | None = None
    minutes_name: str = ""


def _checked(backend: Backend, data: MeetingInput, check: Checker) -> dict[str, Any]:
    v: dict[str, Any] = {
        "number": check_number(check, data.number, "会议编号", "HY-2026-001"),
        "held_on": check.day("held_on", data.held_on, "会议日期"),
        "kind": check.choice("kind", data.kind, "会议类型", MeetingKind),
        "title": check.text("title", data.title, "议题", max_len=200),
        "expected": check.integer("expected", data.expected, "应到人数", minimum=1, maximum=PEOPLE_MAX),
        "present": check.integer("present", data.present, "实到人数", minimum=0, maximum=PEOPLE_MAX),
        "agenda": check.text("agenda", multiline(data.agenda), "议程", max_len=TEXT_MAX),
        "votes_for": check.integer("votes_for", data.votes_for, "赞成票", minimum=0, maximum=PEOPLE_MAX),
        "votes_against": check.integer("votes_against", data.votes_against, "反对票", minimum=0, maximum=PEOPLE_MAX),
        "abstained": check.integer("abstained", data.abstained, "弃权票", minimum=0, maximum=PEOPLE_MAX),
        "decision": check.text("decision", multiline(data.decision), "决议", max_len=TEXT_MAX),
    }
    check_not_future(check, "held_on", v["held_on"], "会议日期", backend.today())
    if not check.errors:
        if v["present"] > v["expected"]:
            check.fail("present", say("实到人数（%(present)s）不能多于应到人数（%(expected)s）",
                                      present=v['present'], expected=v['expected']))
        elif v["votes_for"] + v["votes_against"] + v["abstained"] > v["present"]:
            check.fail("votes_for", say("赞成、反对、弃权合计不能多于实到人数"))
    for field in ("title", "agenda", "decision"):
        if carries_personal_number(v[field] or ""):
            check.fail(field, say("会议纪要会全文公开，请不要写手机号或身份证号"))
    return v


def find_meeting(change_or_session: HasSession | Session, village_id: int, number: str) -> Meeting:
    return find_numbered(change_or_session, Meeting, village_id, number, "会议纪要")


def create_meeting(backend: Backend, actor: Actor, village_code: str, data: MeetingInput) -> Meeting:
    """Records a meeting and logs it (the minutes' SHA-256 in the entry); ValidationError on bad input."""
    check = Checker()
    v = _checked(backend, data, check)
    check.done()
    with backend.change(village_code, actor, "meeting.create") as change:
        village_id = change.village_id()
        if number_taken(change, Meeting, village_id, v["number"]):
            raise ValidationError({"number": say("会议编号“%(number)s”已存在", number=v['number'])})
        if data.minutes:
            v["minutes_sha256"] = store_file(change.session, backend.files_dir, data.minutes, data.minutes_name,
                                             change.now(), field="minutes").sha256
        meeting = Meeting(village_id=village_id, **v)
        record_created(change, meeting, "meeting.create")
    return meeting


def correct_meeting(backend: Backend, actor: Actor, village_code: str, number: str, data: MeetingInput,
                    reason: str) -> Meeting:
    """更正 with a reason; a new scan replaces the old (both stay in the log by their hashes)."""
    check = Checker()
    v = _checked(backend, data, check)
    reason = check.reason(reason)
    check.done()
    with backend.change(village_code, actor, "meeting.correct") as change:
        meeting = find_meeting(change, change.village_id(), number)
        if meeting.status is RecordStatus.WITHDRAWN:
            raise ValidationError({"reason": say("已撤回的会议纪要不能再更正")})
        if number_taken(change, Meeting, meeting.village_id, v["number"], current=meeting.number):
            raise ValidationError({"number": say("会议编号“%(number)s”已存在", number=v['number'])})
        if data.minutes:
            v["minutes_sha256"] = store_file(change.session, backend.files_dir, data.minutes, data.minutes_name,
                                             change.now(), field="minutes").sha256
        amend(change, meeting, "meeting.correct", reason, **v)
    return meeting


def withdraw_meeting(backend: Backend, actor: Actor, village_code: str, number: str, reason: str) -> Meeting:
    return withdraw(backend, actor, village_code, number, reason, find=find_meeting, entity="meeting",
                    withdrawn=RecordStatus.WITHDRAWN)


def meeting_input_from(m: Meeting) -> MeetingInput:
    return MeetingInput(number=m.number, held_on=m.held_on.isoformat(), kind=m.kind.value, title=m.title,
                        expected=m.expected, present=m.present, agenda=m.agenda, votes_for=m.votes_for,
                        votes_against=m.votes_against, abstained=m.abstained, decision=m.decision)
