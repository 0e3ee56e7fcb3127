"""Makers shared by the tests of meetings, the ledger and dividends."""
from __future__ import annotations

from datetime import timedelta

from portal.dividends.services import PlanInput, create_plan
from portal.kernel.transaction import Actor, Backend
from portal.meetings.services import MeetingInput, create_meeting

from .conftest import STAFF


def meeting(backend: Backend, code: str = "testcun", number: str = "HY-001", actor: Actor = STAFF, **changes: object):
    values: dict[str, object] = dict(
        number=number, held_on=(backend.today() - timedelta(days=20)).isoformat(), kind="representatives",
        title="2026 年度收益分配方案", expected="398", present="360", agenda="一、审议分红方案",
        votes_for="350", votes_against="6", abstained="4", decision="通过 2026 年度收益分配方案")
    values.update(changes)
    return create_meeting(backend, actor, code, MeetingInput(**values))  # type: ignore[arg-type]


ROLL = "H001,张三华,3\nH002,李四,2\nH003,王小明,2"


def plan(backend: Backend, code: str = "testcun", *, roll: str = ROLL, total: str = "1000.00",
         meeting_number: str = "HY-001", ended: bool = False, actor: Actor = STAFF, number: str = "FH-2026",
         year: str = "2026"):
    """A dividend plan; `ended`: its publicity period is over (payout allowed)."""
    today = backend.today()
    start = today - timedelta(days=15) if ended else today - timedelta(days=1)
    return create_plan(backend, actor, code, PlanInput(
        number=number, year=year, title="2026 年度分红方案", total=total, meeting_number=meeting_number,
        publicity_from=start.isoformat(), publicity_until=(start + timedelta(days=6)).isoformat(), roll=roll))
