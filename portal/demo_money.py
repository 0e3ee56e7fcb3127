"""The demo's money (演示数据): a ledger year with rents in and household transfer rents out, the
funds taking their share, the meetings that decided, and a dividend year whose list sums exactly.

Every household and person here is fictional.
"""
from __future__ import annotations

import random
from datetime import date, timedelta
from decimal import Decimal

from sqlalchemy import select

from portal.demo_entrustments import pay_year
from portal.dividends.services import PlanInput, create_plan, pay
from portal.kernel.status import RecordStatus
from portal.kernel.transaction import Actor, Backend
from portal.ledger.services import EntryInput, FundInput, book_entry, create_fund
from portal.meetings.services import MeetingInput, create_meeting
from portal.receipts.models import Receipt
from portal.villages.services import find_village

HOUSEHOLDS = 398
SURNAMES = "陈林黄张李王吴刘蔡杨郑许谢洪邱曾赖周叶苏庄吕江何"
# Other given names than the demo lessees' (portal/demo.py), so no household of the roll is
# by chance a lessee's namesake: erasing a lessee's personal data must not seem to leave it here.
GIVEN = "桂兰振华淑芬建军秋菊水木月娥荣华雪梅添丁素珍家兴碧云来福玉兰长青惠珍进财凤英永康"
DIVIDEND_TOTAL = Decimal("318400.00")


def build_money(backend: Backend, staff: Actor, code: str, today: date, rng: random.Random,
                entrusted: list[str]) -> None:
    """The ledger of last year (and this year's rents so far) and this year's dividend of last year's income, through the services;
    `entrusted` the entrustments (流转委托) whose households get last year's transfer rent."""
    year = today.year - 1
    _meetings(backend, staff, code, today, year)
    create_fund(backend, staff, code, FundInput(
        "JJ-001", "小区公共维修基金（小公维金）", "property_fee", "0.1", "0.8",
        "安置小区公共部位维修；物业费每平方米每月 0.8 元中提取 0.1 元"))
    create_fund(backend, staff, code, FundInput("JJ-002", "发展基金", "joint", "10", "100",
                                                "联营合作收入的 10%，用于发展集体经济"))
    counter = _rents_in(backend, staff, code, year)
    counter = _other_income(backend, staff, code, year, counter)
    pay_year(backend, staff, code, entrusted, year)
    _rents_in(backend, staff, code, today.year)  # this year's rents so far, so the books match the receipts
    _dividend(backend, staff, code, today, year, rng)


def _meetings(backend: Backend, staff: Actor, code: str, today: date, year: int) -> None:
    create_meeting(backend, staff, code, MeetingInput(
        number=f"HY-{year}-001", held_on=date(year, 10, 8), kind="major", title="安置小区屋面防水维修（三重一大）",
        expected="9", present="9", agenda="一、审议安置小区屋面防水维修方案\n二、确定由小公维金支出",
        votes_for="9", votes_against="0", abstained="0",
        decision="同意维修，费用 9,800 元由小区公共维修基金支出，监委会全程监督"))
    create_meeting(backend, staff, code, MeetingInput(
        number=f"HY-{year + 1}-001", held_on=today - timedelta(days=60), kind="villagers",
        title=f"{year} 年度集体收益分配方案（户代表会议）", expected=str(HOUSEHOLDS), present="372",
        agenda=f"一、通报 {year} 年度集体收支\n二、表决 {year} 年度收益分配方案",
        votes_for="350", votes_against="12", abstained="10",
        decision=f"同意 {year} 年度可分配收益 318,400.00 元按股分配，名单公示 7 天后发放"))


def _rents_in(backend: Backend, staff: Actor, code: str, year: int) -> int:
    """Every rent receipt of the year booked as income by its receipt: never typed twice."""
    with backend.db.read() as session:
        village = find_village(session, code)
        numbers = session.scalars(select(Receipt.number).where(
            Receipt.village_id == village.id, Receipt.status == RecordStatus.ACTIVE,
            Receipt.received_on >= date(year, 1, 1), Receipt.received_on <= date(year, 12, 31))
            .order_by(Receipt.received_on, Receipt.number)).all()
    for i, number in enumerate(numbers, start=1):
        book_entry(backend, staff, code, EntryInput(
            number=f"ZJ-{year}-{i:04d}", booked_on="", direction="income", category="rent", amount="",
            counterparty="", receipt_number=number, funding_source="土地流转租金", approved_by="村委会主任",
            note=f"收据 {number} 记账"))
    return len(numbers) + 1


def _other_income(backend: Backend, staff: Actor, code: str, year: int, counter: int) -> int:
    for quarter in range(4):  # 12,000 ㎡ × 0.8 元 × 3 个月
        book_entry(backend, staff, code, EntryInput(
            number=f"ZJ-{year}-{counter:04d}", booked_on=date(year, quarter * 3 + 3, 25), direction="income",
            category="property_fee", amount="28800.00", counterparty="莲坂安置小区物业服务中心（演示）",
            funding_source="安置小区物业费", approved_by="村委会主任", note=f"第{quarter + 1}季度物业费"))
        counter += 1
    book_entry(backend, staff, code, EntryInput(
        number=f"ZJ-{year}-{counter:04d}", booked_on=date(year, 12, 20), direction="income", category="joint",
        amount="68000.00", counterparty="莲花山茶业有限公司", funding_source="茶园联营分成",
        approved_by="村委会主任", note="茶园联营保底加分成"))
    counter += 1
    book_entry(backend, staff, code, EntryInput(
        number=f"ZJ-{year}-{counter:04d}", booked_on=date(year, 10, 18), direction="expense", category="maintenance",
        amount="9800.00", counterparty="同安建安防水工程部（演示）", fund_number="JJ-001",
        meeting_number=f"HY-{year}-001", funding_source="小公维金", approved_by="村委会主任、监委会",
        note="安置小区屋面防水维修"))
    return counter + 1


def _roll(rng: random.Random) -> str:
    lines = []
    for i in range(1, HOUSEHOLDS + 1):
        surname = SURNAMES[rng.randrange(len(SURNAMES))]
        given = GIVEN[rng.randrange(0, len(GIVEN) // 2) * 2:][:2]
        lines.append(f"LB-H{i:03d},{surname}{given},{rng.choice((2, 3, 3, 4, 4, 4, 5, 6))}")
    return "\n".join(lines)


def _dividend(backend: Backend, staff: Actor, code: str, today: date, year: int, rng: random.Random) -> None:
    """The year's dividend: decided, publicised for 7 days, paid to all but a few households; the
    payout books its own expense in the ledger (one entry for the batch)."""
    start = today - timedelta(days=55)
    plan = create_plan(backend, staff, code, PlanInput(
        number=f"FH-{year}", year=year, title=f"{year} 年度集体收益分配方案", total=DIVIDEND_TOTAL,
        meeting_number=f"HY-{year + 1}-001", publicity_from=start, publicity_until=start + timedelta(days=6),
        roll=_roll(rng)))
    paid_on = today - timedelta(days=45)
    unpaid = {f"LB-H{i:03d}" for i in (17, 88, 203, 351)}  # 外出务工，尚未领取
    households = " ".join(f"LB-H{i:03d}" for i in range(1, HOUSEHOLDS + 1) if f"LB-H{i:03d}" not in unpaid)
    pay(backend, staff, code, plan.number, {"households": households, "paid_on": paid_on.isoformat()},
        "公示期满无异议，按名单发放到户")
