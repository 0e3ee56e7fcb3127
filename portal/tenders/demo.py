"""The demo's tenders (seed 004): the five consolidation lots at the reserve of 450 元/亩/年 the
plan and the 村民代表会议 set, 片区一 by open auction in 11 rounds, 片区二 by sealed bids, 片区三至五
by shorter auctions; each won at 500 元/亩/年 by the company whose consolidation contract
(signed 2023-12-28) follows it."""
from __future__ import annotations

from datetime import date, datetime, timedelta, timezone
from decimal import Decimal

from portal.kernel.transaction import Actor, Backend
from portal.tenders import bidding
from portal.tenders.services import (
    TenderInput,
    answer_question,
    award_tender,
    create_tender,
    record_deposit,
    register_bidder,
)


def _at(backend: Backend, day: date, minute: int = 0) -> datetime:
    """Sets the Beijing date the services judge by to `day`; returns 10:00 + `minute` that day, the
    time of a round as the minutes record it. The log's own clock stays real, so the entries'
    times keep the order in which they were entered."""
    setattr(backend, "today", lambda: day)  # shadows Backend.today on this instance until restored
    return datetime(day.year, day.month, day.day, 2, tzinfo=timezone.utc) + timedelta(minutes=minute)


RESERVE = "450"


def build_tenders(backend: Backend, staff: Actor, code: str, plan: str, lots: list[list[str]],
                  companies: list[str], meeting: str = "") -> None:
    """Writes the tenders through the services, judged on their own days (restored after); each
    names the meeting decision `meeting` it follows."""
    try:
        _auction(backend, staff, code, (plan, meeting), lots[0], companies)
        _sealed(backend, staff, code, (plan, meeting), lots[1], companies)
        for i in range(2, len(lots)):
            _short_auction(backend, staff, code, (plan, meeting), i, lots[i], companies)
    finally:
        delattr(backend, "today")


PARTS = ["第一片区", "第二片区", "第三片区", "第四片区", "第五片区"]
BID_DAY = date(2023, 11, 20)


def _notice(backend: Backend, staff: Actor, code: str, basis: tuple[str, str], number: str, lots: list[str], mode: str,
            part: str, increment: str = "10") -> None:
    _at(backend, date(2023, 10, 9))
    create_tender(backend, staff, code, TenderInput(
        number=number, title=f"莲坂村土地集中流转{part}土地经营权公开招租公告", mode=mode, use="发展设施农业、种植蔬菜瓜果",
        term_start="2024-01-01", term_end="2038-12-31", reserve_price=RESERVE, increment=increment, deposit="50000",
        eligibility="依法登记、信用良好的农业企业或农民专业合作社；不得改变土地农业用途",
        bid_deadline=BID_DAY, lots=[(n, None) for n in lots], plan_number=basis[0], meeting_number=basis[1]))


def _short_auction(backend: Backend, staff: Actor, code: str, plan: tuple[str, str], i: int, lots: list[str],
                   companies: list[str]) -> None:
    number = f"ZZ-2023-{i + 1:03d}"
    _notice(backend, staff, code, plan, number, lots, "auction", PARTS[i], increment="10")
    _at(backend, date(2023, 10, 16))
    for no, name in enumerate((companies[i], "同安丰收果蔬专业合作社"), start=1):
        register_bidder(backend, staff, code, number, "company", name)
        record_deposit(backend, staff, code, number, str(no), "received")
    for round_, amount in enumerate(range(450, 501, 10)):  # 2 号 opens, 1 号 answers each raise and wins
        bidding.place_bid(backend, staff, code, number, "1" if round_ % 2 else "2", Decimal(amount),
                          at=_at(backend, BID_DAY, 30 * i + round_ * 2))
    bidding.close_bidding(backend, staff, code, number)
    award_tender(backend, staff, code, number, "5", "监委会审核：竞价过程符合公告")


def _auction(backend: Backend, staff: Actor, code: str, plan: tuple[str, str], lots: list[str], companies: list[str]) -> None:
    number = "ZZ-2023-001"
    _notice(backend, staff, code, plan, number, lots, "auction", PARTS[0], increment="5")
    _at(backend, date(2023, 10, 11))
    answer_question(backend, staff, code, number, "租期内能否建设温室大棚？",
                    "可以建设农业设施，须按规定报批；租期届满后设施处置按合同约定。")
    for name in (companies[0], companies[2], "同安丰收果蔬专业合作社"):
        register_bidder(backend, staff, code, number, "company", name)
    for no in ("1", "2", "3"):
        record_deposit(backend, staff, code, number, no, "received")
    for round_, (who, amount) in enumerate(
            [("2", 450), ("3", 455), ("2", 460), ("1", 465), ("3", 470), ("2", 475), ("1", 480), ("2", 485),
             ("3", 490), ("2", 495), ("1", 500)]):
        bidding.place_bid(backend, staff, code, number, who, Decimal(amount), at=_at(backend, BID_DAY, round_ * 3))
    bidding.close_bidding(backend, staff, code, number)
    award_tender(backend, staff, code, number, "5", "监委会审核：竞价过程符合公告")
    _at(backend, date(2023, 11, 30))
    for no in ("2", "3"):
        record_deposit(backend, staff, code, number, no, "refunded")


def _sealed(backend: Backend, staff: Actor, code: str, plan: tuple[str, str], lots: list[str], companies: list[str]) -> None:
    number = "ZZ-2023-002"
    _notice(backend, staff, code, plan, number, lots, "sealed", PARTS[1])
    _at(backend, date(2023, 10, 12))
    for name in (companies[1], "同安丰收果蔬专业合作社", companies[3]):
        register_bidder(backend, staff, code, number, "company", name)
    for no in ("1", "2", "3"):
        record_deposit(backend, staff, code, number, no, "received")
    sealed = _at(backend, date(2023, 11, 17))
    receipts = [bidding.seal_bid(backend, staff, code, number, no, amount=amount, at=sealed)
                for no, amount in (("1", "500"), ("2", "470"), ("3", "485"))]
    opening = _at(backend, BID_DAY)
    bidding.open_bids(backend, staff, code, number)
    bidding.reveal_bid(backend, staff, code, number, "3", "495", receipts[2].nonce or "", at=opening)  # mistyped
    for r in receipts:
        bidding.reveal_bid(backend, staff, code, number, str(r.bidder), r.amount or "", r.nonce or "", at=opening)
    bidding.close_bidding(backend, staff, code, number)
    award_tender(backend, staff, code, number, "5", "监委会审核：开标核验一致")
