"""Entrustments (流转委托): create, correct (with reason), withdraw, and pay a year's transfer rent.

Paying is one transaction: the entrustment notes the year paid and the ledger books the expense
(土地流转租金, the household as a person, masked in public) with its voucher, so a year cannot be
paid twice nor a payment miss the ledger.
"""
from __future__ import annotations

import calendar
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from portal.entrustments.models import EntrustedAsset, Entrustment
from portal.kernel.errors import ValidationError
from portal.kernel.identity import is_phone, is_resident_id
from portal.kernel.lifecycle import amend, check_correctable, record_changed, record_created, snapshot, withdraw
from portal.kernel.lookup import HasSession, find_numbered, number_taken
from portal.kernel.messages import say
from portal.kernel.money import round_fen
from portal.kernel.privacy import carries_personal_number
from portal.kernel.status import RecordStatus
from portal.kernel.transaction import Actor, Backend, Change
from portal.kernel.validate import Checker
from portal.ledger.services import EntryInput, add_entry, next_entry_number
from portal.notices.services import check_number
from portal.parcels.services import chosen_assets, merge_parts

MAX_TERM_YEARS = 30
MAX_RATE = Decimal("100000")


@dataclass
class EntrustmentInput:
    """What staff type for an entrustment; `assets` holds (parcel number, area in 亩 or None = whole)."""

    number: str
    household_name: str
    start_date: str | date
    end_date: str | date
    rent_rate: str | Decimal
    assets: list[tuple[str, str | Decimal | None]] = field(default_factory=list)
    household_id_number: str = ""
    household_phone: str = ""
    signed_on: str | date | None = None
    note: str = ""


def _checked(data: EntrustmentInput) -> tuple[dict[str, Any], Checker]:
    check = Checker()
    v: dict[str, Any] = {
        "number": check_number(check, data.number, "委托编号", "WT-2026-001"),
        "household_name": check.text("household_name", data.household_name, "委托农户（户主）", max_len=100),
        "household_id_number": check.text("household_id_number", data.household_id_number, "身份证号码",
                                          max_len=32, required=False).upper(),
        "household_phone": check.text("household_phone", data.household_phone, "联系电话", max_len=20,
                                      required=False),
        "start_date": check.day("start_date", data.start_date, "起始日期"),
        "end_date": check.day("end_date", data.end_date, "终止日期"),
        "rent_rate": check.money("rent_rate", data.rent_rate, "流转租金（元/亩/年）"),
        "signed_on": check.day("signed_on", data.signed_on, "签订日期", required=False),
        "note": check.text("note", data.note, "备注", max_len=500, required=False),
    }
    if v["rent_rate"] > MAX_RATE:
        check.fail("rent_rate", say("租金单价过大，请核对"))
    if v["household_id_number"] and not is_resident_id(v["household_id_number"]):
        check.fail("household_id_number", say("身份证号码不正确（应为 18 位，末位校验码须正确）"))
    if v["household_phone"] and not is_phone(v["household_phone"]):
        check.fail("household_phone", say("联系电话应为 11 位手机号或带区号的固定电话"))
    if carries_personal_number(v["note"] or ""):
        check.fail("note", say("备注会公开，请不要写手机号或身份证号"))
    start, end = v["start_date"], v["end_date"]
    if start and end:
        if end <= start:
            check.fail("end_date", say("终止日期必须晚于起始日期"))
        elif end.year - start.year > MAX_TERM_YEARS:
            check.fail("end_date", say("委托期限不能超过 %(most)s 年", most=MAX_TERM_YEARS))
    if not data.assets:
        check.fail("assets", say("请至少选择一块地块"))
    return v, check


def checked_values(data: EntrustmentInput) -> dict[str, Any]:
    """The checked values `add_entrustment` writes; ValidationError with every message."""
    values, check = _checked(data)
    check.done()
    return values


def check_entrustment(data: EntrustmentInput) -> None:
    """Every check that needs no database; ValidationError as `create_entrustment` would raise."""
    _checked(data)[1].done()


def _entrusted_items(change: Change, assets: Sequence[tuple[str, str | Decimal | None]], v: dict[str, Any],
                     check: Checker, current_id: int | None) -> list[EntrustedAsset]:
    """The parcels, each land in 亩, and never more of a parcel entrusted at one time than it has."""
    items: list[EntrustedAsset] = []
    for asset, area in chosen_assets(change, change.village_id(), assets, check, land_only=True):
        number = asset.number
        entrusted = asset.area if area in (None, "") else check.area(
            "assets", area, say("“%(number)s”委托面积", number=number), unit="mu", maximum=asset.area)
        if v["start_date"] and v["end_date"]:
            others = change.session.scalar(
                select(func.coalesce(func.sum(EntrustedAsset.area), 0)).join(Entrustment).where(
                    EntrustedAsset.asset_id == asset.id, Entrustment.status == RecordStatus.ACTIVE,
                    Entrustment.id != (current_id or 0), Entrustment.start_date <= v["end_date"],
                    Entrustment.end_date >= v["start_date"]))
            if Decimal(others or 0) + entrusted > asset.area:
                check.fail("assets", say("“%(number)s”共 %(total)s 亩，同期已委托 %(others)s 亩，不能再委托 %(area)s 亩",
                                         number=number, total=asset.area, others=Decimal(others or 0), area=entrusted))
        items.append(EntrustedAsset(asset_id=asset.id, area=entrusted, asset=asset))
    return items


def find_entrustment(change_or_session: HasSession | Session, village_id: int, number: str) -> Entrustment:
    return find_numbered(change_or_session, Entrustment, village_id, number, "流转委托")


def create_entrustment(backend: Backend, actor: Actor, village_code: str, data: EntrustmentInput) -> Entrustment:
    """Records an entrustment and logs it (the household's name only as a commitment)."""
    v, check = _checked(data)
    check.done()
    with backend.change(village_code, actor, "entrustment.create") as change:
        return add_entrustment(change, v, data.assets)


def add_entrustment(change: Change, v: dict[str, Any], assets: Sequence[tuple[str, str | Decimal | None]],
                    reason: str | None = None) -> Entrustment:
    """`create_entrustment` inside an open change (many in one transaction, as the demo does)."""
    check = Checker()
    if number_taken(change, Entrustment, change.village_id(), v["number"]):
        check.fail("number", say("编号“%(number)s”已存在", number=v["number"]))
    items = _entrusted_items(change, assets, v, check, None)
    check.done()
    entrustment = Entrustment(village_id=change.village_id(), items=items, payments=[], **v)
    record_created(change, entrustment, "entrustment.create", reason)
    return entrustment


def correct_entrustment(backend: Backend, actor: Actor, village_code: str, number: str, data: EntrustmentInput,
                        reason: str) -> Entrustment:
    """更正 with a reason; the years already paid stay as paid."""
    v, check = _checked(data)
    reason = check.reason(reason)
    check.done()
    with backend.change(village_code, actor, "entrustment.correct") as change:
        entrustment = find_entrustment(change, change.village_id(), number)
        check_correctable(change, entrustment, v["number"], check, withdrawn=RecordStatus.WITHDRAWN,
                          refused=say("已撤回的记录不能再更正"),
                          taken=say("编号“%(number)s”已存在", number=v["number"]))
        items = _entrusted_items(change, data.assets, v, check, entrustment.id)
        check.done()
        before = snapshot(entrustment)
        for key, value in v.items():
            setattr(entrustment, key, value)
        entrustment.items = merge_parts(entrustment.items, items)
        record_changed(change, entrustment, "entrustment.correct", reason, before)
    return entrustment


def withdraw_entrustment(backend: Backend, actor: Actor, village_code: str, number: str,
                         reason: str) -> Entrustment:
    """撤回: entered by mistake; it stays listed, withdrawn (its payments stay in the ledger)."""
    return withdraw(backend, actor, village_code, number, reason, find=find_entrustment, entity="entrustment",
                    withdrawn=RecordStatus.WITHDRAWN)


def rent_for_year(entrustment: Entrustment, year: int) -> Decimal:
    """The transfer rent of calendar `year`: a whole year's, or by days for a year the term cuts."""
    first, last = max(date(year, 1, 1), entrustment.start_date), min(date(year, 12, 31), entrustment.end_date)
    if last < first:
        return Decimal("0.00")
    days_in_year = 366 if calendar.isleap(year) else 365
    days = (last - first).days + 1
    if days == days_in_year:
        return entrustment.annual_rent
    return round_fen(entrustment.annual_rent * days / days_in_year)


@dataclass
class PaymentInput:
    """A year's transfer rent paid to the household: the ledger entry's voucher scan is optional."""

    year: str | int
    paid_on: str | date
    approved_by: str = ""
    meeting_number: str = ""
    entry_number: str = ""        # blank: the next free ZJ-<year>-NNNN
    voucher: bytes | None = None
    voucher_name: str = ""


def pay_transfer_rent(backend: Backend, actor: Actor, village_code: str, number: str, data: PaymentInput,
                      reason: str = "") -> Entrustment:
    """支付流转租金: books the year's transfer rent as an expense of the collective (土地流转租金,
    payee the household, masked in public) and notes the year paid on the entrustment, in one
    transaction; a year paid already, or outside the term, is refused."""
    return pay_transfer_rents(backend, actor, village_code, [number], data, reason)[0]


def pay_transfer_rents(backend: Backend, actor: Actor, village_code: str, numbers: Sequence[str],
                       data: PaymentInput, reason: str = "") -> list[Entrustment]:
    """`pay_transfer_rent` for many households at once (one ledger entry each), all or nothing."""
    check = Checker()
    year = check.integer("year", data.year, "年度", minimum=1900, maximum=2200)
    paid_on = check.day("paid_on", data.paid_on, "支付日期")
    reason = reason.strip() or "支付流转租金"
    check.done()
    assert paid_on is not None
    if paid_on > backend.today():
        raise ValidationError({"paid_on": say("支付日期不能晚于今天（%(today)s）", today=backend.today().isoformat())})
    paid = []
    with backend.change(village_code, actor, "entrustment.pay", "ledger_entry.create") as change:
        for number in numbers:
            paid.append(_pay(change, backend, find_entrustment(change, change.village_id(), number), year, paid_on,
                             data, reason))
    return paid


def _pay(change: Change, backend: Backend, entrustment: Entrustment, year: int, paid_on: date, data: PaymentInput,
         reason: str) -> Entrustment:
    if entrustment.status is RecordStatus.WITHDRAWN:
        raise ValidationError({"year": say("已撤回的委托不能支付流转租金")})
    if year in entrustment.paid_years():
        raise ValidationError({"year": say("%(year)s 年度的流转租金已经支付过", year=year)})
    amount = rent_for_year(entrustment, year)
    if amount <= 0:
        raise ValidationError({"year": say("%(year)s 年不在委托期内", year=year)})
    entry = add_entry(change, backend, EntryInput(
        number=data.entry_number or next_entry_number(change, paid_on.year), booked_on=paid_on,
        direction="expense", category="transfer_rent", amount=amount, counterparty=entrustment.household_name,
        counterparty_is_person=True, funding_source="土地流转租金", approved_by=data.approved_by,
        meeting_number=data.meeting_number,
        note=f"{entrustment.number} {year} 年度土地流转租金：{entrustment.total_area} 亩 × {entrustment.rent_rate} 元/亩/年",
        voucher=data.voucher, voucher_name=data.voucher_name), reason)
    payments = [*(entrustment.payments or []),
                {"year": year, "entry": entry.number, "amount": str(amount), "paid_on": paid_on.isoformat()}]
    amend(change, entrustment, "entrustment.pay", reason, payments=sorted(payments, key=lambda p: p["year"]))
    return entrustment


def entrustment_input_from(e: Entrustment) -> EntrustmentInput:
    return EntrustmentInput(
        number=e.number, household_name=e.household_name, household_id_number=e.household_id_number,
        household_phone=e.household_phone, start_date=e.start_date.isoformat(), end_date=e.end_date.isoformat(),
        rent_rate=str(e.rent_rate), assets=[(i.asset.number, str(i.area)) for i in e.items],
        signed_on=e.signed_on.isoformat() if e.signed_on else "", note=e.note)
