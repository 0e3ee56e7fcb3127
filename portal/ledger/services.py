"""The ledger's only writers: funds (their rule is data) and entries (fund shares applied on booking)."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from portal.auditlog.files import store_file
from portal.kernel.errors import NotFound, ValidationError
from portal.kernel.lifecycle import amend, record_changed, record_created, withdraw
from portal.kernel.lookup import HasSession, find_numbered, number_taken
from portal.kernel.messages import say
from portal.kernel.money import round_fen
from portal.kernel.privacy import carries_personal_number
from portal.kernel.status import RecordStatus
from portal.kernel.transaction import Actor, Backend, Change
from portal.kernel.types import trimmed
from portal.kernel.validate import Checker
from portal.ledger.labels import CATEGORY, EXPENSE_CATEGORY, FUND_SOURCE, INCOME_CATEGORY
from portal.ledger.models import ALL_INCOME, Direction, Fund, LedgerEntry
from portal.meetings.models import Meeting
from portal.notices.services import check_number, multiline
from portal.receipts.models import Receipt

RATE_MAX = Decimal("100000")


def _truthy(value: object) -> bool:
    return str(value).lower() in ("1", "true", "on", "yes", "person")


# ---------------------------------------------------------------- funds

@dataclass
class FundInput:
    """A fund as staff type it: `take` yuan out of every `per` yuan of `category` income
    (小公维金: 0.1 of every 0.8 of property fees; 发展基金: 10 of every 100 of joint income)."""

    number: str
    name: str
    category: str
    take: str | Decimal
    per: str | Decimal
    purpose: str = ""


def _fund_values(data: FundInput) -> dict[str, Any]:
    check = Checker()
    v: dict[str, Any] = {
        "number": check_number(check, data.number, "基金编号", "JJ-001"),
        "name": check.text("name", data.name, "基金名称", max_len=100),
        "category": check.text("category", data.category, "提取自", max_len=24),
        "take": check.decimal("take", data.take, "每笔提取", places=4, minimum=Decimal("0.0001"), maximum=RATE_MAX),
        "per": check.decimal("per", data.per, "每收入", places=4, minimum=Decimal("0.0001"), maximum=RATE_MAX),
        "purpose": check.text("purpose", data.purpose, "用途", max_len=500, required=False),
    }
    # As the column reads it back (ScaledDecimal(4, 2)): the logged state must equal the row's.
    v["take"], v["per"] = trimmed(v["take"], 2), trimmed(v["per"], 2)
    if v["category"] and v["category"] not in FUND_SOURCE:
        check.fail("category", say("提取自“%(category)s”不在可选范围内", category=v['category']))
    if not check.errors and v["take"] > v["per"]:
        check.fail("take", say("每笔提取不能多于对应的收入"))
    check.done()
    return v


def find_fund(change_or_session: HasSession | Session, village_id: int, number: str) -> Fund:
    return find_numbered(change_or_session, Fund, village_id, number, "专项基金")


def create_fund(backend: Backend, actor: Actor, village_code: str, data: FundInput) -> Fund:
    """A new fund; its rule applies to income booked from now on."""
    v = _fund_values(data)
    with backend.change(village_code, actor, "fund.create") as change:
        if number_taken(change, Fund, change.village_id(), v["number"]):
            raise ValidationError({"number": say("基金编号“%(number)s”已存在", number=v['number'])})
        fund = Fund(village_id=change.village_id(), **v)
        record_created(change, fund, "fund.create")
    return fund


def correct_fund(backend: Backend, actor: Actor, village_code: str, number: str, data: FundInput,
                 reason: str) -> Fund:
    """A changed rule applies to income booked (or corrected) after it; booked shares stay."""
    v = _fund_values(data)
    check = Checker()
    reason = check.reason(reason)
    check.done()
    with backend.change(village_code, actor, "fund.correct") as change:
        fund = find_fund(change, change.village_id(), number)
        if number_taken(change, Fund, fund.village_id, v["number"], current=fund.number):
            raise ValidationError({"number": say("基金编号“%(number)s”已存在", number=v['number'])})
        amend(change, fund, "fund.correct", reason, **v)
    return fund


def withdraw_fund(backend: Backend, actor: Actor, village_code: str, number: str, reason: str) -> Fund:
    """A withdrawn fund takes no further shares; its booked shares stay in the ledger."""
    return withdraw(backend, actor, village_code, number, reason, find=find_fund, entity="fund",
                    withdrawn=RecordStatus.WITHDRAWN)


def fund_shares(funds: list[Fund], category: str, amount: Decimal) -> list[dict[str, str]]:
    """What each active fund takes of `amount` of `category` income, by its rule (zero shares left out)."""
    shares = []
    for fund in sorted(funds, key=lambda f: f.number):
        if fund.status is RecordStatus.ACTIVE and fund.category in (category, ALL_INCOME):
            share = fund.share_of(amount)
            if share > 0:
                shares.append({"fund": fund.number, "name": fund.name, "amount": str(share)})
    return shares


def fund_balance(session: Session, fund: Fund, until: date | None = None) -> Decimal:
    """Shares taken by the fund minus expenses paid out of it (active entries only), up to and
    including the day `until` when given."""
    taken = Decimal("0.00")
    income = select(LedgerEntry.fund_shares).where(
        LedgerEntry.village_id == fund.village_id, LedgerEntry.status == RecordStatus.ACTIVE,
        LedgerEntry.direction == Direction.INCOME)
    expenses = select(LedgerEntry.amount).where(LedgerEntry.fund_id == fund.id,
                                                LedgerEntry.status == RecordStatus.ACTIVE)
    if until is not None:
        income, expenses = income.where(LedgerEntry.booked_on <= until), expenses.where(LedgerEntry.booked_on <= until)
    for shares in session.scalars(income):
        taken += sum((Decimal(s["amount"]) for s in shares or [] if s["fund"] == fund.number), Decimal("0.00"))
    return round_fen(taken - sum(session.scalars(expenses).all(), Decimal("0.00")))


# ---------------------------------------------------------------- entries

@dataclass
class EntryInput:
    """An income or expense as staff type it. With `receipt_number` (income only) the amount, date
    and payer are the receipt's and need not be typed: a receipt is booked once, never retyped."""

    number: str
    booked_on: str | date
    direction: str
    category: str
    amount: str | Decimal
    counterparty: str
    counterparty_is_person: bool | str = False
    funding_source: str = ""
    fund_number: str = ""
    meeting_number: str = ""
    receipt_number: str = ""
    approved_by: str = ""
    note: str = ""
    voucher: bytes | None = None
    voucher_name: str = ""


@dataclass(frozen=True)
class _Checked:
    values: dict[str, Any]
    fund_number: str
    meeting_number: str
    receipt_number: str


def _entry_values(data: EntryInput, check: Checker) -> _Checked:
    receipt_number = check.text("receipt_number", data.receipt_number, "收据号", max_len=40, required=False)
    from_receipt = bool(receipt_number)
    v: dict[str, Any] = {
        "number": check_number(check, data.number, "记账凭证号", "ZJ-2026-001"),
        "direction": check.choice("direction", data.direction, "收支", Direction),
        "category": check.text("category", data.category, "科目", max_len=24),
        "funding_source": check.text("funding_source", data.funding_source, "资金来源", max_len=100, required=False),
        "approved_by": check.text("approved_by", data.approved_by, "审批人", max_len=100, required=False),
        "note": check.text("note", multiline(data.note), "摘要", max_len=1000, required=False),
    }
    if not from_receipt or str(data.amount or "").strip():
        v["amount"] = check.money("amount", data.amount, "金额")
    if not from_receipt or str(data.booked_on or "").strip():
        v["booked_on"] = check.day("booked_on", data.booked_on, "记账日期")
    if not from_receipt or str(data.counterparty or "").strip():
        v["counterparty"] = check.text("counterparty", data.counterparty, "对方单位或个人", max_len=100)
        v["counterparty_is_person"] = _truthy(data.counterparty_is_person)
    direction = v["direction"]
    allowed = INCOME_CATEGORY if direction is Direction.INCOME else EXPENSE_CATEGORY
    if v["category"] and direction is not None and v["category"] not in allowed:
        check.fail("category", say("科目“%(category)s”不是%(direction)s科目",
                                   category=CATEGORY.get(v['category'], v['category']),
                                   direction='收入' if direction is Direction.INCOME else '支出'))
    fund_number = check.text("fund_number", data.fund_number, "专项基金", max_len=40, required=False)
    if fund_number and direction is Direction.INCOME:
        check.fail("fund_number", say("收入不从专项基金支出；专项基金按规则从收入中自动提取"))
    if from_receipt and direction is Direction.EXPENSE:
        check.fail("receipt_number", say("收据是收入凭证，不能记为支出"))
    for field in ("note", "funding_source", "approved_by"):
        if carries_personal_number(v[field]):
            check.fail(field, say("这里的内容会公开，请不要写手机号或身份证号"))
    meeting_number = check.text("meeting_number", data.meeting_number, "决策会议", max_len=40, required=False)
    return _Checked(v, fund_number, meeting_number, receipt_number)


def _link(change: Change, checked: _Checked, check: Checker, current: LedgerEntry | None) -> dict[str, Any]:
    """The fund, meeting and receipt the entry names, found in the village; a receipt's amount,
    date and payer fill (or must agree with) the entry's."""
    village_id = change.village_id()
    v = dict(checked.values)
    links: dict[str, Any] = {"fund": None, "meeting": None, "receipt": None}
    for key, model, number, label in (("fund", Fund, checked.fund_number, "专项基金"),
                                      ("meeting", Meeting, checked.meeting_number, "会议"),
                                      ("receipt", Receipt, checked.receipt_number, "收据")):
        if not number:
            continue
        try:
            record = find_numbered(change, model, village_id, number, label)
        except NotFound as err:
            check.fail(f"{key}_number", str(err))
            continue
        if getattr(record, "status", None) is RecordStatus.WITHDRAWN:
            check.fail(f"{key}_number", say("%(label)s %(number)s 已撤回", label=label, number=number))
        links[key] = record
    receipt: Receipt | None = links["receipt"]
    if receipt is not None:
        taken = change.session.scalar(select(LedgerEntry.number).where(LedgerEntry.receipt_id == receipt.id))
        if taken and (current is None or taken != current.number):
            check.fail("receipt_number", say("收据 %(number)s 已记入账目 %(taken)s，不能重复记账",
                                             number=receipt.number, taken=taken))
        for key, value, label in (("amount", receipt.amount, "金额"), ("booked_on", receipt.received_on, "日期"),
                                  ("counterparty", receipt.payer_name, "交款人")):
            if key in v and v[key] != value:
                check.fail(key, say("%(label)s与收据 %(number)s 不符（收据上是 %(value)s）；收据记账可以不填这一项",
                                    label=label, number=receipt.number, value=value))
            v[key] = value
        v["counterparty_is_person"] = receipt.payer_is_person
    return v | links


def _book(change: Change, entry: LedgerEntry, check: Checker) -> None:
    """Applies the funds' rules to income; an expense out of a fund must not exceed its balance."""
    funds = list(change.session.scalars(select(Fund).where(Fund.village_id == entry.village_id)))
    if entry.direction is Direction.INCOME:
        entry.fund_shares = fund_shares(funds, entry.category, entry.amount)
        entry.fund = None
    else:
        entry.fund_shares = []
        if entry.fund is not None:
            change.session.flush()
            # Never overdrawn: not on the day it is paid (a fund cannot spend shares it takes
            # later), nor in the end.
            for balance, when in ((fund_balance(change.session, entry.fund, entry.booked_on), say("%(day)s当天",
                                                                                                  day=entry.booked_on.isoformat())),
                                  (fund_balance(change.session, entry.fund), "")):
                if balance < 0:
                    check.fail("amount", say("%(name)s余额不足：支出后%(when)s余额为 %(balance)s 元",
                                             name=entry.fund.name, when=when, balance=balance))
    check.done()


def find_entry(change_or_session: HasSession | Session, village_id: int, number: str) -> LedgerEntry:
    return find_numbered(change_or_session, LedgerEntry, village_id, number, "账目")


def book_entry(backend: Backend, actor: Actor, village_code: str, data: EntryInput) -> LedgerEntry:
    """Books an income or expense (fund shares applied, voucher stored by SHA-256) and logs it."""
    check = Checker()
    _entry_values(data, check)
    check.done()
    with backend.change(village_code, actor, "ledger_entry.create") as change:
        return add_entry(change, backend, data)


def add_entry(change: Change, backend: Backend, data: EntryInput, reason: str | None = None) -> LedgerEntry:
    """`book_entry` inside an open change allowing "ledger_entry.create", so another record's act
    (a dividend payout, a household's transfer rent) books its money in the same transaction;
    ValidationError (the whole change rolled back) on bad input."""
    check = Checker()
    checked = _entry_values(data, check)
    check.done()
    v = _link(change, checked, check, None)
    check.done()
    if number_taken(change, LedgerEntry, change.village_id(), v["number"]):
        raise ValidationError({"number": say("记账凭证号“%(number)s”已存在", number=v['number'])})
    if data.voucher:
        v["voucher_sha256"] = store_file(change.session, backend.files_dir, data.voucher, data.voucher_name,
                                         change.now(), field="voucher").sha256
    entry = LedgerEntry(village_id=change.village_id(), version=1, updated_at=change.now(), **v)
    change.session.add(entry)  # before the fund balance is read, which counts it
    _book(change, entry, check)
    record_created(change, entry, "ledger_entry.create", reason)
    return entry


def next_entry_number(change: Change, year: int) -> str:
    """The first free voucher number ZJ-<year>-NNNN after those the village has used that year."""
    prefix = f"ZJ-{year}-"
    taken = set(change.session.scalars(select(LedgerEntry.number).where(
        LedgerEntry.village_id == change.village_id(), LedgerEntry.number.like(f"{prefix}%"))))
    n = len(taken) + 1
    while f"{prefix}{n:04d}" in taken:
        n += 1
    return f"{prefix}{n:04d}"


def correct_entry(backend: Backend, actor: Actor, village_code: str, number: str, data: EntryInput,
                  reason: str) -> LedgerEntry:
    """更正 with a reason; the funds' current rules are applied again to the corrected amount."""
    check = Checker()
    checked = _entry_values(data, check)
    reason = check.reason(reason)
    check.done()
    with backend.change(village_code, actor, "ledger_entry.correct") as change:
        entry = find_entry(change, change.village_id(), number)
        if entry.status is RecordStatus.WITHDRAWN:
            raise ValidationError({"reason": say("已撤回的账目不能再更正")})
        v = _link(change, checked, check, entry)
        check.done()
        if number_taken(change, LedgerEntry, entry.village_id, v["number"], current=entry.number):
            raise ValidationError({"number": say("记账凭证号“%(number)s”已存在", number=v['number'])})
        if data.voucher:
            v["voucher_sha256"] = store_file(change.session, backend.files_dir, data.voucher, data.voucher_name,
                                             change.now(), field="voucher").sha256
        before = {"data": entry.public_state(), "personal": entry.personal_data()}
        for key, value in v.items():
            setattr(entry, key, value)
        _book(change, entry, check)
        record_changed(change, entry, "ledger_entry.correct", reason, before)
    return entry


def withdraw_entry(backend: Backend, actor: Actor, village_code: str, number: str, reason: str) -> LedgerEntry:
    """撤回: the entry stays listed, withdrawn; its fund shares no longer count."""
    return withdraw(backend, actor, village_code, number, reason, find=find_entry, entity="ledger_entry",
                    withdrawn=RecordStatus.WITHDRAWN)


def entry_input_from(e: LedgerEntry) -> EntryInput:
    return EntryInput(number=e.number, booked_on=e.booked_on.isoformat(), direction=e.direction.value,
                      category=e.category, amount="" if e.receipt else str(e.amount),
                      counterparty="" if e.receipt else e.counterparty,
                      counterparty_is_person=e.counterparty_is_person, funding_source=e.funding_source,
                      fund_number=e.fund.number if e.fund else "", meeting_number=e.meeting.number if e.meeting else "",
                      receipt_number=e.receipt.number if e.receipt else "", approved_by=e.approved_by, note=e.note)


def fund_input_from(f: Fund) -> FundInput:
    return FundInput(number=f.number, name=f.name, category=f.category, take=str(f.take), per=str(f.per),
                     purpose=f.purpose)

