"""Dividend plans: the roll checked, the list computed exactly, check codes issued, payouts logged."""
from __future__ import annotations

import re
import secrets
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from portal.dividends.allocation import allocate
from portal.dividends.models import DividendLine, DividendPlan, Payout
from portal.kernel.errors import NotFound, ValidationError
from portal.kernel.lifecycle import amend, record_changed, record_created, snapshot, withdraw
from portal.kernel.lookup import HasSession, find_numbered, number_taken, session_of
from portal.kernel.messages import joined, say
from portal.kernel.money import MAX_AMOUNT
from portal.kernel.status import RecordStatus
from portal.kernel.transaction import Actor, Backend, Change
from portal.kernel.validate import Checker
from portal.ledger.services import EntryInput, add_entry, next_entry_number
from portal.meetings.models import Meeting
from portal.notices.services import check_number

ROLL_MAX = 5000
SHARES_MAX = Decimal("10000")
# No 0/O, 1/I/L: a code is read off paper and typed on a phone.
CODE_ALPHABET = "23456789ABCDEFGHJKMNPQRSTUVWXYZ"
CODE_LENGTH = 12  # 31^12 ≈ 2^59: guessing is hopeless under the throttle
_SEPARATORS = re.compile(r"\s*[,，\t;；]\s*|\s+")


@dataclass
class PlanInput:
    """A dividend plan as staff type it. `roll` has one household a line:
    户号,户主姓名,股数 (commas, full-width commas, tabs or spaces between)."""

    number: str
    year: str | int
    title: str
    total: str | Decimal
    meeting_number: str
    publicity_from: str | date
    publicity_until: str | date
    roll: str


@dataclass(frozen=True)
class RollLine:
    household: str
    head_name: str
    shares: Decimal


def new_check_code() -> str:
    return "".join(secrets.choice(CODE_ALPHABET) for _ in range(CODE_LENGTH))


def normalize_code(text: str) -> str:
    """What a household typed, as stored: upper case, without spaces and dashes."""
    return re.sub(r"[\s\-—－]", "", (text or "").upper())[:40]


def show_code(code: str) -> str:
    """ABCD-EFGH-JKMN: in fours, as printed on the slip."""
    return "-".join(code[i:i + 4] for i in range(0, len(code), 4))


def parse_roll(text: str) -> list[RollLine]:
    """The roll's lines; ValidationError on `roll` naming every bad line (nothing kept)."""
    problems: list[str] = []
    lines: list[RollLine] = []
    seen: set[str] = set()
    raw_lines = [line for line in str(text or "").replace("\r\n", "\n").replace("\r", "\n").split("\n") if line.strip()]
    if not raw_lines:
        raise ValidationError({"roll": say("请填写分红名单：每行一户，写 户号,户主姓名,股数")})
    if len(raw_lines) > ROLL_MAX:
        raise ValidationError({"roll": say("名单最多 %(most)s 户（现有 %(count)s 行）", most=ROLL_MAX, count=len(raw_lines))})
    for place, line in enumerate(raw_lines, start=1):
        parts = _SEPARATORS.split(line.strip())
        if len(parts) != 3:
            problems.append(say("第 %(line)s 行：应为 户号,户主姓名,股数 三项", line=place))
            continue
        household, name, share_text = parts
        check = Checker()
        household = check.text("household", household, "户号", max_len=40)
        name = check.text("name", name, "户主姓名", max_len=100)
        shares = check.decimal("shares", share_text, "股数", places=2, minimum=Decimal("0.01"), maximum=SHARES_MAX)
        if household in seen:
            check.fail("household", say("户号 %(household)s 重复", household=household))
        seen.add(household)
        if check.errors:
            problems.append(say("第 %(line)s 行（户号 %(household)s）：%(problem)s", line=place, household=household[:20],
                                 problem=joined(list(check.errors.values()))))
            continue
        lines.append(RollLine(household, name, shares))
    if problems:
        more = [say("另有 %(count)s 行有误", count=len(problems) - 20)] if len(problems) > 20 else []
        raise ValidationError({"roll": joined([*problems[:20], *more])})
    return lines


@dataclass(frozen=True)
class _Plan:
    values: dict[str, Any]
    meeting_number: str
    roll: list[RollLine]


def _checked(data: PlanInput) -> _Plan:
    check = Checker()
    v: dict[str, Any] = {
        "number": check_number(check, data.number, "方案编号", "FH-2026"),
        "year": check.integer("year", data.year, "年度", minimum=2000, maximum=2100),
        "title": check.text("title", data.title, "方案名称", max_len=200),
        "total": check.money("total", data.total, "可分配金额"),
        "publicity_from": check.day("publicity_from", data.publicity_from, "公示开始日期"),
        "publicity_until": check.day("publicity_until", data.publicity_until, "公示截止日期"),
    }
    meeting = check.text("meeting_number", data.meeting_number, "决策会议", max_len=40)
    if v["publicity_from"] and v["publicity_until"] and v["publicity_until"] < v["publicity_from"] + timedelta(days=4):
        check.fail("publicity_until", say("公示期至少 5 天（截止日期不能早于开始日期后第 4 天）"))
    try:
        roll = parse_roll(data.roll)
    except ValidationError as err:
        check.errors.update({k: v for k, v in err.errors.items() if k not in check.errors})
        roll = []
    check.done()
    if v["total"] > MAX_AMOUNT:
        raise ValidationError({"total": say("金额过大")})
    return _Plan(v, meeting, roll)


def find_plan(change_or_session: HasSession | Session, village_id: int, number: str) -> DividendPlan:
    return find_numbered(change_or_session, DividendPlan, village_id, number, "分红方案")


def _meeting(change: Change, number: str) -> Meeting:
    try:
        meeting = find_numbered(change, Meeting, change.village_id(), number, "会议纪要")
    except NotFound as err:
        raise ValidationError({"meeting_number": str(err)}) from None
    if meeting.status is RecordStatus.WITHDRAWN:
        raise ValidationError({"meeting_number": say("会议纪要 %(number)s 已撤回", number=number)})
    return meeting


def plan_lines(change_or_session: HasSession | Session, plan: DividendPlan) -> list[DividendLine]:
    return list(session_of(change_or_session).scalars(
        select(DividendLine).where(DividendLine.plan_id == plan.id).order_by(DividendLine.position)))


def create_plan(backend: Backend, actor: Actor, village_code: str, data: PlanInput) -> DividendPlan:
    """The plan and its list in one transaction: a log entry for the plan and one per household,
    each line's amount from `allocate` (sums to the total exactly) and a fresh check code."""
    checked = _checked(data)
    v = checked.values
    amounts = allocate(v["total"], [line.shares for line in checked.roll])
    with backend.change(village_code, actor, "dividend_plan.create", "dividend_line.create") as change:
        village_id = change.village_id()
        if number_taken(change, DividendPlan, village_id, v["number"]):
            raise ValidationError({"number": say("方案编号“%(number)s”已存在", number=v['number'])})
        plan = DividendPlan(village_id=village_id, meeting=_meeting(change, checked.meeting_number),
                            households=len(checked.roll), shares=sum(line.shares for line in checked.roll), **v)
        record_created(change, plan, "dividend_plan.create")
        for position, (line, amount) in enumerate(zip(checked.roll, amounts), start=1):
            record_created(change, DividendLine(
                village_id=village_id, plan=plan, position=position, household=line.household,
                head_name=line.head_name, shares=line.shares, amount=amount, check_code=new_check_code()),
                "dividend_line.create")
    return plan


def correct_plan(backend: Backend, actor: Actor, village_code: str, number: str, data: PlanInput,
                 reason: str) -> DividendPlan:
    """更正 during publicity, before any payout: the list is recomputed; a household keeps its line
    and check code (changed lines logged as corrections), a dropped one is marked removed."""
    checked = _checked(data)
    check = Checker()
    reason = check.reason(reason)
    check.done()
    v = checked.values
    amounts = allocate(v["total"], [line.shares for line in checked.roll])
    actions = ("dividend_plan.correct", "dividend_line.create", "dividend_line.correct")
    with backend.change(village_code, actor, *actions) as change:
        plan = find_plan(change, change.village_id(), number)
        if plan.status is RecordStatus.WITHDRAWN:
            raise ValidationError({"reason": say("已撤回的分红方案不能再更正")})
        lines = {line.household: line for line in plan_lines(change, plan)}
        if any(line.payout is Payout.PAID for line in lines.values()):
            raise ValidationError({"reason": say("已经开始发放的分红方案不能再更正")})
        if number_taken(change, DividendPlan, plan.village_id, v["number"], current=plan.number):
            raise ValidationError({"number": say("方案编号“%(number)s”已存在", number=v['number'])})
        amend(change, plan, "dividend_plan.correct", reason, meeting=_meeting(change, checked.meeting_number),
              households=len(checked.roll), shares=sum(line.shares for line in checked.roll), **v)
        kept = set()
        for position, (row, amount) in enumerate(zip(checked.roll, amounts), start=1):
            kept.add(row.household)
            line = lines.get(row.household)
            if line is None:
                record_created(change, DividendLine(
                    village_id=plan.village_id, plan=plan, position=position, household=row.household,
                    head_name=row.head_name, shares=row.shares, amount=amount, check_code=new_check_code()),
                    "dividend_line.create", reason)
                continue
            before = snapshot(line)
            line.position, line.head_name, line.shares, line.amount = position, row.head_name, row.shares, amount
            line.payout = Payout.PENDING
            if line.public_state() != before["data"] or line.personal_data() != before["personal"]:
                record_changed(change, line, "dividend_line.correct", reason, before)
        for household, line in lines.items():
            if household not in kept and line.payout is not Payout.REMOVED:
                amend(change, line, "dividend_line.correct", reason, payout=Payout.REMOVED, amount=Decimal("0.00"))
    return plan


def withdraw_plan(backend: Backend, actor: Actor, village_code: str, number: str, reason: str) -> DividendPlan:
    return withdraw(backend, actor, village_code, number, reason, find=find_plan, entity="dividend_plan",
                    withdrawn=RecordStatus.WITHDRAWN)


def pay(backend: Backend, actor: Actor, village_code: str, number: str, fields: dict[str, str],
        reason: str) -> DividendPlan:
    """发放: marks households paid (`households`: 户号 separated by spaces or commas, or 全部) on
    `paid_on`; only after the publicity period has ended, each payout one log entry."""
    check = Checker()
    paid_on = check.day("paid_on", fields.get("paid_on", ""), "发放日期")
    wanted_text = check.text("households", fields.get("households", ""), "户号", max_len=100_000)
    reason = check.reason(reason)
    check.done()
    assert paid_on is not None
    if paid_on > backend.today():
        raise ValidationError({"paid_on": say("发放日期不能晚于今天（%(today)s）", today=backend.today().isoformat())})
    wanted = {w for w in _SEPARATORS.split(wanted_text) if w}
    with backend.change(village_code, actor, "dividend_line.pay", "ledger_entry.create") as change:
        plan = find_plan(change, change.village_id(), number)
        if plan.status is RecordStatus.WITHDRAWN:
            raise ValidationError({"reason": say("已撤回的分红方案不能发放")})
        if paid_on <= plan.publicity_until:
            raise ValidationError({"paid_on": say("公示期到 %(publicity_until)s 为止，公示期满后才能发放",
                                                  publicity_until=plan.publicity_until.isoformat())})
        lines = [line for line in plan_lines(change, plan) if line.payout is not Payout.REMOVED]
        everyone = wanted in ({"全部"}, {"all"})
        unknown = sorted(wanted - {line.household for line in lines}) if not everyone else []
        if unknown:
            raise ValidationError({"households": say("名单中没有这些户号：%(unknown)s", unknown='、'.join(unknown[:20]))})
        chosen = [line for line in lines if line.payout is Payout.PENDING and (everyone or line.household in wanted)]
        if not chosen:
            raise ValidationError({"households": say("这些户都已发放")})
        for line in chosen:
            amend(change, line, "dividend_line.pay", reason, payout=Payout.PAID, paid_on=paid_on)
        _book_payout(change, backend, plan, chosen, paid_on, reason)
    return plan


def _book_payout(change: Change, backend: Backend, plan: DividendPlan, paid: list[DividendLine], paid_on: date,
                 reason: str) -> None:
    """One payout batch is one expense of the ledger (分红支出), booked in the payout's own
    transaction: the ledger can never miss a payout nor book one twice."""
    total = sum((line.amount for line in paid), Decimal("0.00"))
    add_entry(change, backend, EntryInput(
        number=next_entry_number(change, paid_on.year), booked_on=paid_on, direction="expense", category="dividend",
        amount=total, counterparty=f"{len(paid)} 户股东（名单见 {plan.year} 年度分红名单 {plan.number}）"[:100],
        meeting_number=plan.meeting.number if plan.meeting else "",
        funding_source=f"{plan.year} 年度可分配收益", approved_by="",
        note=f"{plan.number} 分红发放 {len(paid)} 户，合计 {total} 元"), reason)


def plan_input_from(session: Session, plan: DividendPlan) -> PlanInput:
    roll = "\n".join(f"{line.household},{line.head_name},{line.shares}" for line in plan_lines(session, plan)
                     if line.payout is not Payout.REMOVED)
    return PlanInput(number=plan.number, year=plan.year, title=plan.title, total=str(plan.total),
                     meeting_number=plan.meeting.number if plan.meeting else "",
                     publicity_from=plan.publicity_from.isoformat(), publicity_until=plan.publicity_until.isoformat(),
                     roll=roll)
