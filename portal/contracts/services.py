"""Lease contracts: create, correct (new version with reason), terminate and withdraw."""
from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from typing import Any

from sqlalchemy import bindparam, select
from sqlalchemy.orm import Session, lazyload

from portal.contracts.models import (
    Contract,
    ContractAsset,
    ContractKind,
    ContractStatus,
    LesseeKind,
    RentUnit,
)
from portal.kernel.errors import NotFound, ValidationError
from portal.kernel.identity import is_credit_code, is_phone, is_resident_id
from portal.kernel.lifecycle import (
    amend,
    check_correctable,
    record_changed,
    record_created,
    snapshot,
    withdraw,
)
from portal.kernel.lookup import HasSession, number_taken, session_of
from portal.kernel.messages import say
from portal.kernel.status import RecordStatus
from portal.kernel.transaction import Actor, Backend, Change
from portal.kernel.validate import Checker
from portal.meetings.models import Meeting
from portal.parcels.models import Asset, AssetKind
from portal.parcels.services import chosen_assets, merge_parts

MAX_TERM_YEARS = 50
INTERVALS = (1, 3, 6, 12)
MAX_RATE = Decimal("1000000")


@dataclass
class ContractInput:
    """What staff type for a contract. `assets` holds (asset number, leased area or None = all).

    Numbers, amounts and dates come as text, as a form sends them (or as Decimal, int and date);
    `lessee_kind` and `rent_unit` are the values of LesseeKind and RentUnit. The service checks
    every field and converts them (ValidationError with a message each).
    """

    number: str
    title: str
    lessee_kind: str
    lessee_name: str
    start_date: str | date
    end_date: str | date
    rent_rate: str | Decimal
    rent_unit: str
    assets: list[tuple[str, str | Decimal | None]] = field(default_factory=list)
    lessee_id_number: str = ""
    lessee_phone: str = ""
    escalation_percent: str | Decimal = "0"
    escalation_every_years: str | int = "0"
    payment_interval_months: str | int = "12"
    signed_on: str | date | None = None
    note: str = ""
    kind: str = "fixed"                       # ContractKind: fixed / revenue_share / rent_free
    share_percent: str | Decimal = ""         # 分成比例（%）, revenue share only
    meeting_number: str = ""                  # 决策会议 HY-…, required for rent-free use


def _check_terms(data: ContractInput) -> tuple[dict[str, Any], Checker]:
    check = Checker()
    v: dict[str, Any] = {
        "number": check.text("number", data.number, "合同编号", max_len=40),
        "title": check.text("title", data.title, "合同名称", max_len=200),
        "lessee_kind": check.choice("lessee_kind", data.lessee_kind, "承租方类型", LesseeKind),
        "lessee_name": check.text("lessee_name", data.lessee_name, "承租方名称", max_len=100),
        "lessee_id_number": check.text("lessee_id_number", data.lessee_id_number, "证件号码",
                                       max_len=32, required=False).upper(),
        "lessee_phone": check.text("lessee_phone", data.lessee_phone, "联系电话", max_len=20, required=False),
        "start_date": check.day("start_date", data.start_date, "起始日期"),
        "end_date": check.day("end_date", data.end_date, "终止日期"),
        "kind": check.choice("kind", data.kind or "fixed", "租赁方式", ContractKind),
        "rent_rate": check.money("rent_rate", data.rent_rate or ("0" if data.kind == "rent_free" else ""),
                                 "租金单价", allow_zero=data.kind == "rent_free"),
        "rent_unit": check.choice("rent_unit", data.rent_unit, "租金单位", RentUnit),
        "escalation_percent": check.decimal("escalation_percent", data.escalation_percent or "0",
                                            "递增比例（%）", places=2, minimum=Decimal(0), maximum=Decimal(100)),
        "escalation_every_years": check.integer("escalation_every_years", data.escalation_every_years or "0",
                                                "递增间隔（年）", minimum=0, maximum=MAX_TERM_YEARS),
        "payment_interval_months": check.integer("payment_interval_months", data.payment_interval_months,
                                                 "缴款周期（月）", minimum=1, maximum=12),
        "signed_on": check.day("signed_on", data.signed_on, "签订日期", required=False),
        "note": check.text("note", data.note, "备注", max_len=500, required=False),
    }
    if v["rent_rate"] > MAX_RATE:
        check.fail("rent_rate", say("租金单价过大，请核对"))
    if v["payment_interval_months"] not in INTERVALS and "payment_interval_months" not in check.errors:
        check.fail("payment_interval_months", say("缴款周期只能是 1、3、6 或 12 个月"))
    if v["escalation_percent"] and not v["escalation_every_years"]:
        check.fail("escalation_every_years", say("设置了递增比例，请同时填写每几年递增一次"))
    start, end = v["start_date"], v["end_date"]
    if start and end:
        if end <= start:
            check.fail("end_date", say("终止日期必须晚于起始日期"))
        elif end.year - start.year > MAX_TERM_YEARS:
            check.fail("end_date", say("合同期限不能超过 %(most)s 年", most=MAX_TERM_YEARS))
    _check_kind(check, v, data)
    _check_lessee_ids(check, v)
    if not data.assets:
        check.fail("assets", say("请至少选择一块地块或一处资产"))
    return v, check


def _check_kind(check: Checker, v: dict[str, Any], data: ContractInput) -> None:
    """保底 + 分成 needs a share and yearly payment; 无偿使用 needs no rent, a cooperative and the
    meeting decision that allowed it; a fixed rent has no share."""
    kind = v["kind"]
    share = str(data.share_percent or "").strip()
    v["share_percent"] = Decimal(0)
    v["meeting_number"] = check.text("meeting_number", data.meeting_number, "决策会议编号", max_len=40,
                                     required=False)
    if kind is ContractKind.REVENUE_SHARE:
        v["share_percent"] = check.decimal("share_percent", share, "分成比例（%）", places=2, minimum=Decimal(0),
                                           maximum=Decimal(100), strictly_positive=True)
        if v["payment_interval_months"] != 12 and "payment_interval_months" not in check.errors:
            check.fail("payment_interval_months", say("保底加分成的租金按年结算，缴款周期须为每年一次"))
    elif share and share not in ("0", "0.00"):
        check.fail("share_percent", say("只有“保底加分成”的合同填写分成比例"))
    if kind is ContractKind.RENT_FREE:
        if v["rent_rate"]:
            check.fail("rent_rate", say("无偿使用的合同租金为 0"))
        if v["lessee_kind"] is LesseeKind.PERSON:
            check.fail("lessee_kind", say("闲置资产只能无偿交给合作社等集体经济组织使用，不能交给个人"))
        if not v["meeting_number"]:
            check.fail("meeting_number", say("无偿使用须经村民代表会议等决策，请填写作出决定的会议编号（HY-…）"))
        if v["escalation_percent"]:
            check.fail("escalation_percent", say("无偿使用的合同没有租金递增"))


def _meeting_of(change: Change, village_id: int, number: str, check: Checker) -> str | None:
    """The number of the active meeting `number` of the village, or a message next to the field."""
    if not number:
        return None
    meeting = change.session.scalar(select(Meeting).where(Meeting.village_id == village_id, Meeting.number == number))
    if meeting is None or meeting.status is RecordStatus.WITHDRAWN:
        check.fail("meeting_number", say("本村没有编号为“%(number)s”的会议纪要", number=number))
        return None
    return meeting.number


def check_terms(data: ContractInput) -> None:
    """Every check of `create_contract` that needs no database; ValidationError as it would."""
    _check_terms(data)[1].done()


def _check_lessee_ids(check: Checker, v: dict[str, Any]) -> None:
    number, phone = v["lessee_id_number"], v["lessee_phone"]
    if v["lessee_kind"] is LesseeKind.PERSON and not number:
        check.fail("lessee_id_number", say("承租方为个人时必须填写身份证号码"))
    elif number and v["lessee_kind"] is LesseeKind.PERSON and not is_resident_id(number):
        check.fail("lessee_id_number", say("身份证号码不正确（应为 18 位，末位校验码须正确）"))
    elif number and v["lessee_kind"] is LesseeKind.COMPANY and not is_credit_code(number):
        check.fail("lessee_id_number", say("统一社会信用代码不正确（应为 18 位，末位校验码须正确）"))
    if phone and not is_phone(phone):
        check.fail("lessee_phone", say("联系电话应为 11 位手机号或带区号的固定电话"))


def _leased_items(change: Change, village_id: int, assets: Sequence[tuple[str, str | Decimal | None]],
                  v: dict[str, Any], check: Checker, contract_id: int | None) -> list[ContractAsset]:
    """Resolves the leased assets, checking units, areas and overlaps with other contracts."""
    items: list[ContractAsset] = []
    for asset, area in chosen_assets(change, village_id, assets, check):
        number = asset.number
        want_unit = RentUnit.PER_MU_YEAR if asset.kind is AssetKind.LAND else RentUnit.PER_M2_MONTH
        if v["rent_unit"] and v["rent_unit"] is not want_unit:
            check.fail("rent_unit", (say("“%(number)s”是土地，租金按 元/亩/年", number=number) if asset.kind is AssetKind.LAND
                                    else say("“%(number)s”是房屋设施，租金按 元/㎡/月", number=number)))
        leased = asset.area if area in (None, "") else check.area(
            "assets", area, say("“%(number)s”出租面积", number=number), unit=asset.area_unit, maximum=asset.area)
        _check_overlap(change, asset, v, check, contract_id)
        items.append(ContractAsset(asset_id=asset.id, area=leased, asset=asset))
    return items


def _check_overlap(change: Change, asset: Asset, v: dict[str, Any], check: Checker, contract_id: int | None) -> None:
    if not (v["start_date"] and v["end_date"]):
        return
    other = change.session.scalar(
        select(Contract.number).join(ContractAsset).where(
            ContractAsset.asset_id == asset.id,
            Contract.status == ContractStatus.ACTIVE,
            Contract.id != (contract_id or 0),
            Contract.start_date <= v["end_date"],
            Contract.end_date >= v["start_date"],
        ).limit(1))
    if other:
        check.fail("assets", say("“%(number)s”在此期间已由合同 %(other)s 出租", number=asset.number, other=other))


_FIND_CONTRACT = select(Contract).where(Contract.village_id == bindparam("village_id"),
                                       Contract.number == bindparam("number"))
# Without its leased items (the relationship otherwise loads them eagerly: two more SELECTs),
# for callers that only refer to the contract, such as a receipt paying it.
_FIND_CONTRACT_ONLY = _FIND_CONTRACT.options(lazyload(Contract.items))


def find_contract(change_or_session: HasSession | Session, village_id: int, number: str, *,
                  with_items: bool = True) -> Contract:
    """The contract `number` of the village. With `with_items=False` its items are left unloaded:
    they load on first access while the session is open, and cannot be read once it is closed."""
    session = session_of(change_or_session)
    statement = _FIND_CONTRACT if with_items else _FIND_CONTRACT_ONLY
    contract = session.scalar(statement, {"village_id": village_id, "number": number})
    if contract is None:
        raise NotFound(say("没有编号为“%(number)s”的合同", number=number))
    return contract


@dataclass(frozen=True)
class CheckedContract:
    """A contract's terms, checked (`check_contract`): what `add_contract` writes once it has
    found the leased assets."""

    values: dict[str, Any]
    assets: tuple[tuple[str, str | Decimal | None], ...]


def check_contract(data: ContractInput) -> CheckedContract:
    """The terms, without touching the database; raises ValidationError with every message."""
    v, check = _check_terms(data)
    check.done()
    return CheckedContract(v, tuple(data.assets))


def create_contract(backend: Backend, actor: Actor, village_code: str, data: ContractInput) -> Contract:
    """Checks everything, then writes the contract and its log entry together."""
    checked = check_contract(data)
    with backend.change(village_code, actor, "contract.create") as change:
        return add_contract(change, checked)


def add_contract(change: Change, checked: CheckedContract, *, reason: str | None = None) -> Contract:
    """`create_contract` inside an open change allowing "contract.create" (many in one
    transaction, as an import does); `reason` goes into the entry. ValidationError when the
    number is taken or a leased asset is missing, of the wrong unit or leased already."""
    check = Checker()
    v = checked.values
    village_id = change.village_id()
    if number_taken(change, Contract, village_id, v["number"]):
        check.fail("number", say("合同编号“%(number)s”已存在", number=v["number"]))
    items = _leased_items(change, village_id, checked.assets, v, check, None)
    v = dict(v)
    meeting = _meeting_of(change, village_id, v.pop("meeting_number"), check)
    check.done()
    contract = Contract(village_id=village_id, items=items, meeting_number=meeting, revenues=[], **v)
    record_created(change, contract, "contract.create", reason)
    return contract


def correct_contract(backend: Backend, actor: Actor, village_code: str, number: str,
                     data: ContractInput, reason: str) -> Contract:
    """A correction: a new version with a reason; the earlier versions stay in the log."""
    v, check = _check_terms(data)
    reason = check.reason(reason)
    check.done()
    with backend.change(village_code, actor, "contract.correct") as change:
        contract = find_contract(change, change.village().id, number)
        check_correctable(change, contract, v["number"], check, withdrawn=ContractStatus.WITHDRAWN,
                          refused=say("已撤回的合同不能再更正"),
                          taken=say("合同编号“%(number)s”已存在", number=v["number"]))
        items = _leased_items(change, contract.village_id, data.assets, v, check, contract.id)
        meeting = _meeting_of(change, contract.village_id, v.pop("meeting_number"), check)
        check.done()
        before = snapshot(contract)
        for key, value in v.items():
            setattr(contract, key, value)
        contract.meeting_number = meeting
        if contract.kind is not ContractKind.REVENUE_SHARE:
            contract.revenues = []
        contract.items = merge_parts(contract.items, items)
        record_changed(change, contract, "contract.correct", reason, before)
    return contract


def terminate_contract(backend: Backend, actor: Actor, village_code: str, number: str,
                       end_date: str | date, reason: str) -> Contract:
    """解除合同: ends it early on `end_date`; instalments after that date fall away."""
    check = Checker()
    reason = check.reason(reason)
    day = check.day("end_date", end_date, "解除日期")
    check.done()
    with backend.change(village_code, actor, "contract.terminate") as change:
        contract = find_contract(change, change.village().id, number)
        if contract.status is not ContractStatus.ACTIVE:
            raise ValidationError({"reason": say("只有履行中的合同可以解除")})
        assert day is not None
        if not contract.start_date <= day < contract.end_date:
            raise ValidationError({"end_date": say("解除日期必须在合同期内、原终止日期之前")})
        amend(change, contract, "contract.terminate", reason, end_date=day, status=ContractStatus.TERMINATED)
    return contract


def withdraw_contract(backend: Backend, actor: Actor, village_code: str, number: str, reason: str) -> Contract:
    """撤回: a contract entered by mistake; it stays listed, marked withdrawn."""
    return withdraw(backend, actor, village_code, number, reason, find=find_contract,
                    entity="contract", withdrawn=ContractStatus.WITHDRAWN)


def contract_input_from(contract: Contract) -> ContractInput:
    """The current terms as an input, to prefill a correction form."""
    return ContractInput(
        number=contract.number, title=contract.title, lessee_kind=contract.lessee_kind.value,
        lessee_name=contract.lessee_name, lessee_id_number=contract.lessee_id_number,
        lessee_phone=contract.lessee_phone, start_date=contract.start_date.isoformat(),
        end_date=contract.end_date.isoformat(), rent_rate=str(contract.rent_rate),
        rent_unit=contract.rent_unit.value, assets=[(i.asset.number, str(i.area)) for i in contract.items],
        escalation_percent=str(contract.escalation_percent),
        escalation_every_years=str(contract.escalation_every_years),
        payment_interval_months=str(contract.payment_interval_months),
        signed_on=contract.signed_on.isoformat() if contract.signed_on else "", note=contract.note,
        kind=contract.kind.value,
        share_percent=str(contract.share_percent) if contract.kind is ContractKind.REVENUE_SHARE else "",
        meeting_number=contract.meeting_number or "",
    )


MAX_REVENUE = Decimal("10000000000")


def declare_revenue(backend: Backend, actor: Actor, village_code: str, number: str, year: str | int,
                    revenue: str | Decimal, reason: str) -> Contract:
    """申报营业收入: the lessee's revenue of one contract year under 保底 + 分成; that year's
    instalment becomes max(保底, 分成比例 × 收入). A second declaration of a year replaces the first
    (a correction, with its reason in the log)."""
    check = Checker()
    reason = check.reason(reason)
    year_value = check.integer("year", year, "年度", minimum=1900, maximum=2200)
    amount = check.money("revenue", revenue, "营业收入", allow_zero=True)
    if amount > MAX_REVENUE:
        check.fail("revenue", say("营业收入过大，请核对"))
    check.done()
    with backend.change(village_code, actor, "contract.declare") as change:
        contract = find_contract(change, change.village().id, number)
        if contract.kind is not ContractKind.REVENUE_SHARE:
            raise ValidationError({"year": say("只有“保底加分成”的合同申报营业收入")})
        if contract.status is ContractStatus.WITHDRAWN:
            raise ValidationError({"reason": say("已撤回的合同不能再更正")})
        if not contract.start_date.year <= year_value <= contract.end_date.year:
            raise ValidationError({"year": say("年度须在合同期内（%(start)s—%(end)s 年）",
                                               start=contract.start_date.year, end=contract.end_date.year)})
        revenues = [r for r in contract.revenues or [] if int(r["year"]) != year_value]
        revenues.append({"year": year_value, "revenue": str(amount)})
        amend(change, contract, "contract.declare", reason, revenues=sorted(revenues, key=lambda r: r["year"]))
    return contract
