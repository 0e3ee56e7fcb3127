"""招租公告: publish, correct (restarting the 公示期), withdraw, answer questions, register bidders and
their deposits, award, and take objections; each a new version of the tender and one log entry.
The bidding itself is in bidding.py."""
from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from portal.kernel.errors import ValidationError
from portal.kernel.lifecycle import amend, create_numbered_in, snapshot, withdraw
from portal.kernel.lookup import HasSession, find_numbered, number_taken
from portal.kernel.messages import say
from portal.kernel.privacy import carries_personal_number
from portal.kernel.transaction import Actor, Backend, Change
from portal.kernel.validate import Checker
from portal.meetings.models import Meeting
from portal.notices.services import check_number, multiline
from portal.parcels.models import Asset
from portal.plans.models import Plan
from portal.tenders.models import Tender, TenderMode, TenderStatus
from portal.tenders.workdays import period_end

MAX_PRICE = Decimal("1000000")
MAX_LOTS = 20
MAX_TERM_YEARS = 50
TEXT_MAX = 2000
DEFAULT_DAYS = 5


@dataclass
class TenderInput:
    """A tender notice as staff type it; numbers and dates as text (or Decimal/date). `lots` holds
    (parcel number, area in 亩 or None = the whole parcel); an empty `publicity_start` is today."""

    number: str
    title: str
    mode: str
    use: str
    term_start: str | date
    term_end: str | date
    reserve_price: str | Decimal
    increment: str | Decimal
    deposit: str | Decimal
    eligibility: str
    bid_deadline: str | date
    lots: list[tuple[str, str | Decimal | None]] = field(default_factory=list)
    plan_number: str = ""
    meeting_number: str = ""
    publicity_start: str | date = ""
    publicity_days: str | int = str(DEFAULT_DAYS)


def public_text(check: Checker, name: str, value: object, label: str, *, max_len: int = TEXT_MAX,
                required: bool = True) -> str:
    """Text published as typed: no phone or ID numbers in it."""
    text = check.text(name, multiline(value), label, max_len=max_len, required=required)
    if carries_personal_number(text):
        check.fail(name, say("%(label)s会全文公开，请不要写手机号或身份证号", label=label))
    return text


def _checked(check: Checker, data: TenderInput, today: date) -> dict[str, Any]:
    v: dict[str, Any] = {
        "number": check_number(check, data.number, "招租编号", "ZZ-2026-001"),
        "title": public_text(check, "title", data.title, "公告标题", max_len=200),
        "mode": check.choice("mode", data.mode, "竞价方式", TenderMode),
        "use": public_text(check, "use", data.use, "用途", max_len=200),
        "term_start": check.day("term_start", data.term_start, "租期起"),
        "term_end": check.day("term_end", data.term_end, "租期止"),
        "reserve_price": check.money("reserve_price", data.reserve_price, "底价"),
        "increment": check.money("increment", data.increment, "加价幅度"),
        "deposit": check.money("deposit", data.deposit, "保证金", allow_zero=True),
        "eligibility": public_text(check, "eligibility", data.eligibility, "竞买人资格"),
        "plan_number": check.text("plan_number", data.plan_number, "依据方案编号", max_len=40,
                                  required=False) or None,
        "meeting_number": check.text("meeting_number", data.meeting_number, "依据会议编号", max_len=40,
                                     required=False) or None,
        "publicity_start": check.day("publicity_start", data.publicity_start, "公示开始日期",
                                     required=False) or today,
        "publicity_days": check.integer("publicity_days", data.publicity_days or DEFAULT_DAYS, "公示期",
                                        minimum=5, maximum=60),
        "bid_deadline": check.day("bid_deadline", data.bid_deadline, "竞价日/报价截止日"),
    }
    for name in ("reserve_price", "increment"):
        if v[name] > MAX_PRICE:
            check.fail(name, say("金额过大，请核对（单位是元/亩/年）"))
    start, end = v["term_start"], v["term_end"]
    if start and end and (end <= start or end.year - start.year > MAX_TERM_YEARS):
        check.fail("term_end", say("租期止必须晚于租期起，且租期不超过 %(most)s 年", most=MAX_TERM_YEARS))
    v["publicity_end"] = period_end(v["publicity_start"], v["publicity_days"])
    if v["bid_deadline"] and v["bid_deadline"] <= v["publicity_end"]:
        check.fail("bid_deadline", say("竞价日/报价截止日必须在公示期结束（%(publicity_end)s）之后",
                                       publicity_end=v['publicity_end'].isoformat()))
    if not data.lots:
        check.fail("lots", say("请至少填写一块标的地块"))
    elif len(data.lots) > MAX_LOTS:
        check.fail("lots", say("一次招租最多 %(most)s 块地", most=MAX_LOTS))
    return v


def _lots(change: Change, check: Checker, lots: list[tuple[str, str | Decimal | None]]) -> list[dict[str, str]]:
    """Each lot as an existing parcel of the village (land, in 亩) with the area offered."""
    result: list[dict[str, str]] = []
    numbers = [number for number, _ in lots]
    assets = {a.number: a for a in change.session.scalars(
        select(Asset).where(Asset.village_id == change.village_id(), Asset.number.in_(numbers)))}
    for row, (number, area) in enumerate(lots, 1):
        asset = assets.get(number)
        if asset is None:
            check.fail(f"parcel_{row}", say("本村没有编号为“%(number)s”的地块", number=number))
            continue
        if asset.kind.area_unit != "mu":
            check.fail(f"parcel_{row}", say("“%(number)s”不是以亩计的土地，不能在此招租", number=number))
            continue
        offered = asset.area if area in (None, "") else check.area(f"area_{row}", area, "招租面积", unit="mu",
                                                                    maximum=asset.area)
        if number in {lot["asset"] for lot in result}:
            check.fail(f"parcel_{row}", say("地块“%(number)s”填了两次", number=number))
        result.append({"asset": number, "name": asset.name, "area": str(offered)})
    return result


def _plan_exists(change: Change, check: Checker, number: str | None, meeting: str | None = None) -> None:
    if number and not number_taken(change, Plan, change.village_id(), number):
        check.fail("plan_number", say("本村没有编号为“%(number)s”的方案", number=number))
    if meeting and not number_taken(change, Meeting, change.village_id(), meeting):
        check.fail("meeting_number", say("本村没有编号为“%(number)s”的会议纪要", number=meeting))


def find_tender(change_or_session: HasSession | Session, village_id: int, number: str) -> Tender:
    return find_numbered(change_or_session, Tender, village_id, number, "招租公告")


def create_tender(backend: Backend, actor: Actor, village_code: str, data: TenderInput) -> Tender:
    """Publishes a tender notice; ValidationError (nothing written) on bad input."""
    check = Checker()
    values = _checked(check, data, backend.today())
    check.done()
    with backend.change(village_code, actor, "tender.create") as change:
        values["lots"] = _lots(change, check, data.lots)
        _plan_exists(change, check, values["plan_number"], values["meeting_number"])
        check.done()
        return create_numbered_in(change, Tender, values, "招租编号")


def correct_tender(backend: Backend, actor: Actor, village_code: str, number: str, data: TenderInput,
                   reason: str) -> Tender:
    """更正 during the period: a new version with its reason; the 公示期 starts again today (or
    at the new start, if later), counted in full. Refused once bidding has begun."""
    check = Checker()
    today = backend.today()
    values = _checked(check, data, today)
    reason = check.reason(reason)
    values["publicity_start"] = max(values["publicity_start"], today)
    values["publicity_end"] = period_end(values["publicity_start"], values["publicity_days"])
    if values["bid_deadline"] and values["bid_deadline"] <= values["publicity_end"]:
        check.fail("bid_deadline", say("更正后公示期重新计算，至 %(publicity_end)s 结束；竞价日/报价截止日必须在此之后",
                                       publicity_end=values['publicity_end'].isoformat()))
    check.done()
    with backend.change(village_code, actor, "tender.correct") as change:
        tender = find_tender(change, change.village_id(), number)
        if tender.status is not TenderStatus.OPEN or tender.bids:
            raise ValidationError({"reason": say("已开始竞价或已结束的招租不能再更正")})
        values["lots"] = _lots(change, check, data.lots)
        _plan_exists(change, check, values["plan_number"], values["meeting_number"])
        check.done()
        if number_taken(change, Tender, tender.village_id, values["number"], current=tender.number):
            raise ValidationError({"number": say("招租编号“%(number)s”已存在", number=values['number'])})
        amend(change, tender, "tender.correct", reason, **values)
    return tender


def withdraw_tender(backend: Backend, actor: Actor, village_code: str, number: str, reason: str) -> Tender:
    """撤回: the tender stays listed, marked withdrawn, with the reason in the log."""
    return withdraw(backend, actor, village_code, number, reason, find=find_tender, entity="tender",
                    withdrawn=TenderStatus.WITHDRAWN)


@contextmanager
def step(backend: Backend, actor: Actor, village_code: str, number: str, verb: str,
         reason: str | None = None) -> Iterator[Tender]:
    """One step on a tender, logged as `tender.<verb>`: the body changes the tender it is given
    (lists replaced, never mutated in place, so the row is written) and raises ValidationError
    to refuse; the new version and its entry are written when it returns."""
    action = f"tender.{verb}"
    with backend.change(village_code, actor, action) as change:
        tender = find_tender(change, change.village_id(), number)
        if tender.status is TenderStatus.WITHDRAWN:
            raise ValidationError({"reason": say("该招租已撤回")})
        before = snapshot(tender)
        yield tender
        _logged(change, tender, action, before, reason)


def _logged(change: Change, tender: Tender, action: str, before: dict[str, Any], reason: str | None) -> None:
    """A new version of the tender, logged (a live step such as a round bid has no reason)."""
    if tender.public_state() == before["data"] and tender.personal_data() == before["personal"]:
        raise ValidationError({"reason": say("没有任何改动")})
    tender.version += 1
    tender.updated_at = change.now()
    change.record(action, tender, reason)


def _open_for(tender: Tender, today: date, what: str) -> None:
    if tender.status is not TenderStatus.OPEN or today > tender.bid_deadline:
        raise ValidationError({"reason": say("竞价已开始或已截止，不能再%(what)s", what=what)})


def answer_question(backend: Backend, actor: Actor, village_code: str, number: str, question: str,
                    answer: str, reason: str = "") -> Tender:
    """答疑: a question asked during the period and its answer, appended to the notice."""
    check = Checker()
    q = public_text(check, "question", question, "问题", max_len=1000)
    a = public_text(check, "answer", answer, "答复", max_len=TEXT_MAX)
    check.done()
    today = backend.today()
    with step(backend, actor, village_code, number, "answer", reason or None) as tender:
        _open_for(tender, today, "答疑")
        tender.qa = [*tender.qa, {"seq": len(tender.qa) + 1, "on": today.isoformat(), "question": q, "answer": a}]
    return tender


def register_bidder(backend: Backend, actor: Actor, village_code: str, number: str, kind: str, name: str,
                    reason: str = "") -> Tender:
    """报名: a bidder (企业/合作社 by its full name, a person masked in public), numbered from 1."""
    check = Checker()
    kind = kind.strip()
    if kind not in ("company", "person"):
        check.fail("kind", say("请选择竞买人类型"))
    name = check.text("name", name, "竞买人名称", max_len=100)
    if carries_personal_number(name):
        check.fail("name", say("名称里不要写手机号或身份证号"))
    check.done()
    today = backend.today()
    with step(backend, actor, village_code, number, "register", reason or None) as tender:
        _open_for(tender, today, "报名")
        if any(b["name"] == name for b in tender.bidders):
            raise ValidationError({"name": say("“%(name)s”已经报名", name=name)})
        tender.bidders = [*tender.bidders, {"no": len(tender.bidders) + 1, "kind": kind, "name": name,
                                            "registered_on": today.isoformat(), "deposit": "none",
                                            "deposit_on": None, "refunded_on": None}]
    return tender


def bidder_number(check: Checker, tender: Tender, value: object, name: str = "bidder") -> int:
    """A registered bidder's number (1, 2, …) as typed; a message next to `name` otherwise."""
    raw = str(value or "").strip()
    if not raw.isdigit() or not 1 <= int(raw) <= len(tender.bidders):
        check.fail(name, say("没有第“%(raw)s”号竞买人（已报名 %(count)s 位）", raw=raw, count=len(tender.bidders)))
        return 0
    return int(raw)


def record_deposit(backend: Backend, actor: Actor, village_code: str, number: str, bidder: str, state: str,
                   reason: str = "") -> Tender:
    """保证金: received from a registered bidder, or refunded (after the award, to those who lost)."""
    today = backend.today()
    with step(backend, actor, village_code, number, "deposit", reason or None) as tender:
        check = Checker()
        no = bidder_number(check, tender, bidder)
        if state not in ("received", "refunded"):
            check.fail("state", say("请选择已收或已退"))
        check.done()
        current = tender.bidders[no - 1]
        if state == "received" and current["deposit"] != "none":
            raise ValidationError({"state": say("该竞买人的保证金已登记收取")})
        if state == "refunded" and current["deposit"] != "received":
            raise ValidationError({"state": say("该竞买人没有已收的保证金可退")})
        if state == "refunded" and tender.status is not TenderStatus.FAILED and tender.winner == no:
            raise ValidationError({"state": say("成交竞买人的保证金转为履约保证金，不在此退还")})
        key = "deposit_on" if state == "received" else "refunded_on"
        tender.bidders = [b if b["no"] != no else {**b, "deposit": state, key: today.isoformat()}
                          for b in tender.bidders]
    return tender


def award_tender(backend: Backend, actor: Actor, village_code: str, number: str, objection_days: str | int,
                 reason: str = "") -> Tender:
    """成交公告: publishes the result of closed bidding, with its 异议期 (working days from tomorrow)."""
    check = Checker()
    days = check.integer("objection_days", objection_days or DEFAULT_DAYS, "异议期", minimum=1, maximum=30)
    check.done()
    today = backend.today()
    with step(backend, actor, village_code, number, "award", reason or None) as tender:
        if tender.status is not TenderStatus.CLOSED:
            raise ValidationError({"reason": say("竞价结束并产生最高出价后才能发布成交公告")})
        tender.status, tender.awarded_on = TenderStatus.AWARDED, today
        tender.objection_until = period_end(today + timedelta(days=1), days)
    return tender


def file_objection(backend: Backend, actor: Actor, village_code: str, number: str, text: str,
                   answer: str = "", reason: str = "") -> Tender:
    """异议: an objection to the award received during the 异议期, with the answer when given."""
    check = Checker()
    body = public_text(check, "text", text, "异议内容", max_len=TEXT_MAX)
    reply = public_text(check, "answer", answer, "答复", max_len=TEXT_MAX, required=False)
    check.done()
    today = backend.today()
    with step(backend, actor, village_code, number, "object", reason or None) as tender:
        if tender.status is not TenderStatus.AWARDED or tender.objection_until is None:
            raise ValidationError({"text": say("成交公告发布后才能登记异议")})
        if today > tender.objection_until:
            raise ValidationError({"text": say("异议期已于 %(objection_until)s 结束",
                                               objection_until=tender.objection_until.isoformat())})
        tender.objections = [*tender.objections, {"seq": len(tender.objections) + 1, "on": today.isoformat(),
                                                  "text": body, "answer": reply or None}]
    return tender


def tender_input_from(tender: Tender) -> TenderInput:
    """The current tender as an input, to prefill a correction."""
    return TenderInput(
        number=tender.number, title=tender.title, mode=tender.mode.value, use=tender.use,
        term_start=tender.term_start.isoformat(), term_end=tender.term_end.isoformat(),
        reserve_price=str(tender.reserve_price), increment=str(tender.increment), deposit=str(tender.deposit),
        eligibility=tender.eligibility, bid_deadline=tender.bid_deadline.isoformat(),
        lots=[(lot["asset"], lot["area"]) for lot in tender.lots], plan_number=tender.plan_number or "",
        meeting_number=tender.meeting_number or "",
        publicity_start=tender.publicity_start.isoformat(), publicity_days=str(tender.publicity_days))

