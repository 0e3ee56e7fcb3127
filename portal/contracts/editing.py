"""The staff workspace's form for lease contracts (合同), its payment-schedule preview, and 解除.

The leased parcels are rows of the form (parcel number, leased area; portal/parcels/rows.py): six
empty rows on a new contract, and always a few more than are filled, up to `MAX_ROWS`, so a
contract with many parcels is entered by saving and editing again, without JavaScript. The schedule shown before
submitting is the one publishing would log: it comes from rehearsing the service
(drafts.services.rehearse), i.e. from portal/contracts/rent.py like every contract page.
"""
from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, replace
from datetime import date
from decimal import Decimal
from typing import Any

from flask_wtf import FlaskForm
from wtforms import HiddenField, SelectField, StringField, TextAreaField

from portal.contracts import labels
from portal.contracts.services import (
    ContractInput,
    check_terms,
    contract_input_from,
    correct_contract,
    create_contract,
    declare_revenue,
    find_contract,
    terminate_contract,
    withdraw_contract,
)
from portal.drafts.editor import Editor, Fields, Files, States, Verb, choices
from portal.kernel.area import area_grouped
from portal.kernel.errors import NotFound
from portal.kernel.history import FieldChange, in_words
from portal.kernel.messages import say
from portal.translations import N_
from portal.kernel.money import format_money
from portal.kernel.privacy import masked_person
from portal.kernel.transaction import Actor, Backend
from portal.kernel.validate import Checker
from portal.parcels.labels import AREA_UNIT
from portal.parcels.rows import ParcelRows, parcel_choices, refuse_rows
from portal.villages.services import find_village

MAX_ROWS = 60
ROWS = ParcelRows(most=MAX_ROWS, shown=6, max_area=Decimal("1000000"))


class ContractForm(FlaskForm):  # type: ignore[misc]  # flask_wtf has no type information
    number = StringField("合同编号", description="村内唯一，例如 HT-2026-001")
    kind = SelectField("租赁方式", choices=choices(labels.CONTRACT_KIND), validate_choice=False,
                       description="固定租金；保底加分成（每年按营业收入结算）；闲置资产无偿交合作社使用（须有会议决定）")
    title = StringField("合同名称", description="例如 东洋片区土地租赁合同")
    lessee_kind = SelectField("承租方类型", choices=choices(labels.LESSEE_KIND), validate_choice=False)
    lessee_name = StringField("承租方名称", description="企业写全称；个人写姓名，公开时只显示为 张*华")
    lessee_id_number = StringField("证件号码", description="个人填身份证号，企业填统一社会信用代码；个人的不公开")
    lessee_phone = StringField("联系电话", description="不公开", render_kw={"inputmode": "tel", "autocomplete": "off"})
    assets = HiddenField("地块/资产")  # holds no value: the service's messages about the rows go here
    start_date = StringField("起始日期", description="例如 2026-01-01 或 2026年1月1日")
    end_date = StringField("终止日期", description="最后一天，例如 2035-12-31")
    rent_rate = StringField("租金单价（元）", description="例如 500、1,234.50 或 ¥1234.50",
                            render_kw={"inputmode": "decimal", "autocomplete": "off"})
    rent_unit = SelectField("租金单位", choices=choices(labels.RENT_UNIT), validate_choice=False)
    escalation_percent = StringField("递增比例（%）", description="不递增填 0", render_kw={"inputmode": "decimal"})
    escalation_every_years = StringField("每几年递增一次", description="例如 5；不递增填 0",
                                         render_kw={"inputmode": "numeric"})
    payment_interval_months = SelectField("缴款周期", choices=choices(labels.PAYMENT_INTERVAL),
                                          validate_choice=False, description="先交后用：每期开始之日应缴")
    share_percent = StringField("分成比例（%）", description="仅保底加分成：营业收入的百分比；租金单价即保底租金",
                                render_kw={"inputmode": "decimal", "autocomplete": "off"})
    meeting_number = StringField("决策会议编号", description="无偿使用必填：作出决定的会议纪要编号，例如 HY-2026-003")
    signed_on = StringField("签订日期", description="可不填")
    note = TextAreaField("备注", render_kw={"rows": 3})


ROWS.add_to(ContractForm, lambda row: say("第 %(row)s 块 地块编号", row=row),
            lambda row: say("第 %(row)s 块 出租面积", row=row))
rows_of, rows_shown = ROWS.rows_of, ROWS.rows_shown


class DeclareForm(FlaskForm):  # type: ignore[misc]
    year = StringField("年度", description="例如 2025", render_kw={"inputmode": "numeric"})
    revenue = StringField("营业收入（元）", description="承租方申报的该年度营业收入；当年应缴租金 = 保底租金与分成的较大者",
                          render_kw={"inputmode": "decimal", "autocomplete": "off"})


def declare(backend: Backend, actor: Actor, code: str, number: str, fields: Fields, reason: str) -> Any:
    return declare_revenue(backend, actor, code, number, fields.get("year", ""), fields.get("revenue", ""), reason)


class TerminateForm(FlaskForm):  # type: ignore[misc]
    end_date = StringField("解除日期", description="合同在这一天结束，例如 2027-05-15；此后的缴款计划不再计算")


def to_input(fields: Fields, files: Files) -> ContractInput:
    """The service input of a draft; a row whose area is not a number, or that has an area but no
    parcel, is reported next to it, together with whatever else is wrong (ValidationError)."""
    check = Checker()
    assets = ROWS.read(fields, check, "出租面积", say("填了出租面积，请同时填写地块编号"))
    data = ContractInput(
        number=fields.get("number", ""), title=fields.get("title", ""), lessee_kind=fields.get("lessee_kind", ""),
        lessee_name=fields.get("lessee_name", ""), lessee_id_number=fields.get("lessee_id_number", ""),
        lessee_phone=fields.get("lessee_phone", ""), start_date=fields.get("start_date", ""),
        end_date=fields.get("end_date", ""), rent_rate=fields.get("rent_rate", ""),
        rent_unit=fields.get("rent_unit", ""), assets=list(assets),
        escalation_percent=fields.get("escalation_percent", "") or "0",
        escalation_every_years=fields.get("escalation_every_years", "") or "0",
        payment_interval_months=fields.get("payment_interval_months", "") or "12",
        signed_on=fields.get("signed_on") or None, note=fields.get("note", ""),
        kind=fields.get("kind", "") or "fixed", share_percent=fields.get("share_percent", ""),
        meeting_number=fields.get("meeting_number", ""))
    refuse_rows(check, lambda: check_terms(replace(data, assets=data.assets or [("", None)])))
    return data


def current(backend: Backend, code: str, number: str) -> Fields:
    with backend.db.read() as session:
        data = contract_input_from(find_contract(session, find_village(session, code).id, number))
    if len(data.assets) > MAX_ROWS:  # the form would drop the rest
        raise NotFound(say("合同 %(number)s 有 %(count)s 块地，超过表单的 %(most)s 行，不能在此更正",
                           number=number, count=len(data.assets), most=MAX_ROWS))
    return ROWS.prefilled(data)


@dataclass(frozen=True)
class ScheduleRow:
    seq: int
    period_start: date
    period_end: date
    due_date: date
    amount: Decimal
    cumulative: Decimal


def preview(states: States) -> dict[str, Any]:
    """缴款计划 as publishing would log it, with the running total, and the terms it follows."""
    data = states[-1]
    rows, total = [], Decimal("0.00")
    for item in data.get("schedule") or []:
        total += Decimal(item["amount"])
        rows.append(ScheduleRow(int(item["seq"]), date.fromisoformat(item["period_start"]),
                                date.fromisoformat(item["period_end"]), date.fromisoformat(item["due_date"]),
                                Decimal(item["amount"]), total))
    rent = data.get("rent") or {}
    area = sum((Decimal(a["area"]) for a in data.get("assets") or []), Decimal(0))
    unit = "m2" if rent.get("unit") == "m2_month" else "mu"
    return {"schedule": rows, "total": total, "rent": rent, "area": area, "area_unit": unit,
            "rent_unit": labels.RENT_UNIT.get(rent.get("unit", ""), "")}


def _assets_words(items: Any) -> str | None:
    if not items:
        return None
    return "、".join(f"{a['number']} {area_grouped(a['area'])} {AREA_UNIT.get(a.get('area_unit', ''), '')}"
                    for a in items)


# Codes of the public state as the diff shows them.
VALUE_WORDS = {"status": labels.CONTRACT_STATUS, "kind": labels.CONTRACT_KIND, "lessee.kind": labels.LESSEE_KIND, "rent.unit": labels.RENT_UNIT}


def readable(change: FieldChange) -> FieldChange:
    """Parcels and the schedule in words: "P1 10.00 亩、P2 5.50 亩", "共 5 期，合计 ¥25,000.00";
    codes as words."""
    if change.field in VALUE_WORDS:
        return in_words(change, VALUE_WORDS[change.field])
    if change.field == "assets":
        return replace(change, before=_assets_words(change.before), after=_assets_words(change.after))
    if change.field == "schedule":
        def words(items: Any) -> str | None:
            if not items:
                return None
            total = sum((Decimal(i["amount"]) for i in items), Decimal(0))
            return say("共 %(count)s 期，合计 %(total)s（明细见缴费计划）", count=len(items), total=format_money(total))
        return replace(change, before=words(change.before), after=words(change.after))
    return change


def shown(fields: Fields, for_committee: bool) -> Fields:
    """The rows as one line; for the committee, a person's name, ID number and phone masked (the
    public pages mask them too; staff who entered them see them in full)."""
    result = ROWS.folded(fields)
    if for_committee:
        result |= masked_person(fields, "lessee", name=fields.get("lessee_kind") == "person")
    return result


def context(backend: Backend, code: str) -> dict[str, Any]:
    """The village's parcels and buildings to pick from (one <datalist>), and the rows helper."""
    with backend.db.read() as session:
        return {"parcels": parcel_choices(session, find_village(session, code).id), "rows_shown": rows_shown}


def terminate(backend: Backend, actor: Actor, code: str, number: str, fields: Fields, reason: str) -> Any:
    return terminate_contract(backend, actor, code, number, fields.get("end_date", ""), reason)


def lease_kind(state: Mapping[str, Any]) -> str:
    """The lease kind in words; a fixed rent's logged state has no `kind` (it predates kinds)."""
    kind = str(state.get("kind") or "fixed")
    return labels.CONTRACT_KIND.get(kind, kind)


EDITOR = Editor("contract", ContractForm, to_input, create_contract, current, correct=correct_contract,
                withdraw=withdraw_contract, template="workspace/contract_fields.html", preview=preview,
                preview_template="workspace/contract_preview.html", preview_label=N_("预览缴费计划"),
                print_template="print/contract_schedule.html",
                readable=readable, shown=shown,
                context=context, label=lease_kind,
                verbs={"terminate": Verb("解除", TerminateForm, terminate,
                                         hint="提前终止履行中的合同：解除日期以后的缴款计划不再计算；"
                                              "合同仍然公开，标明“已解除”和理由。"),
                       "declare": Verb("申报营业收入", DeclareForm, declare,
                                       hint="保底加分成的合同：录入承租方某年度的营业收入，"
                                            "当年应缴租金按保底租金与分成的较大者重算。", statuses=("active",))})
