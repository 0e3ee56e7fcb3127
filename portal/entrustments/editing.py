"""The staff workspace's form for entrustments (流转委托), with the parcels as rows, and 支付流转租金.

The household's name, ID number and phone are personal: the committee sees them masked, the
public pages only the masked name.
"""
from __future__ import annotations

from dataclasses import replace
from decimal import Decimal
from typing import Any

from flask_wtf import FlaskForm
from wtforms import HiddenField, StringField, TextAreaField

from portal.drafts import uploads
from portal.drafts.editor import Editor, Fields, Files, Verb
from portal.entrustments import labels
from portal.entrustments.services import (
    EntrustmentInput,
    PaymentInput,
    check_entrustment,
    correct_entrustment,
    create_entrustment,
    entrustment_input_from,
    find_entrustment,
    pay_transfer_rent,
    withdraw_entrustment,
)
from portal.kernel.messages import say
from portal.kernel.privacy import masked_person
from portal.kernel.transaction import Actor, Backend
from portal.kernel.validate import Checker
from portal.ledger.editing import voucher_field
from portal.parcels.models import AssetKind
from portal.parcels.rows import ParcelRows, parcel_choices, refuse_rows
from portal.translations import N_
from portal.villages.services import find_village

MAX_ROWS = 12
ROWS = ParcelRows(most=MAX_ROWS, shown=3, max_area=Decimal("100000"))  # the same rows as a contract's


class EntrustmentForm(FlaskForm):  # type: ignore[misc]  # flask_wtf has no type information
    number = StringField(N_("委托编号"), description=N_("村内唯一，例如 WT-2026-001"))
    household_name = StringField(N_("委托农户（户主）"), description=N_("户主姓名；公开时只显示为 张*华"))
    household_id_number = StringField(N_("身份证号码"), description=N_("不公开"))
    household_phone = StringField(N_("联系电话"), description=N_("不公开"),
                                  render_kw={"inputmode": "tel", "autocomplete": "off"})
    assets = HiddenField(N_("委托地块"))  # the service's messages about the rows go here
    start_date = StringField(N_("起始日期"), description=N_("例如 2024-01-01"))
    end_date = StringField(N_("终止日期"), description=N_("最后一天，例如 2038-12-31"))
    rent_rate = StringField(N_("流转租金（元/亩/年）"), description=N_("村集体每年每亩付给农户的租金，例如 450"),
                            render_kw={"inputmode": "decimal", "autocomplete": "off"})
    signed_on = StringField(N_("签订日期"), description=N_("可不填"))
    note = TextAreaField(N_("备注"), render_kw={"rows": 2})


ROWS.add_to(EntrustmentForm, lambda row: say("第 %(row)s 块 地块编号", row=row),
            lambda row: say("第 %(row)s 块 委托面积（亩）", row=row))


class PayForm(FlaskForm):  # type: ignore[misc]
    year = StringField(N_("年度"), description=N_("支付哪一年的流转租金，例如 2025"), render_kw={"inputmode": "numeric"})
    paid_on = StringField(N_("支付日期"), description=N_("例如 2025-01-20"))
    approved_by = StringField(N_("审批人"), description=N_("例如 村委会主任"))
    meeting_number = StringField(N_("决策会议"), description=N_("可不填，例如 HY-2026-001"))
    voucher = voucher_field()  # the household's signed receipt, on the ledger entry the payment books


def to_input(fields: Fields, files: Files) -> EntrustmentInput:
    check = Checker()
    assets = ROWS.read(fields, check, "委托面积", say("填了委托面积，请同时填写地块编号"))
    data = EntrustmentInput(
        number=fields.get("number", ""), household_name=fields.get("household_name", ""),
        household_id_number=fields.get("household_id_number", ""), household_phone=fields.get("household_phone", ""),
        start_date=fields.get("start_date", ""), end_date=fields.get("end_date", ""),
        rent_rate=fields.get("rent_rate", ""), assets=list(assets), signed_on=fields.get("signed_on") or None,
        note=fields.get("note", ""))
    refuse_rows(check, lambda: check_entrustment(replace(data, assets=data.assets or [("", None)])))
    return data


def current(backend: Backend, code: str, number: str) -> Fields:
    with backend.db.read() as session:
        data = entrustment_input_from(find_entrustment(session, find_village(session, code).id, number))
    return ROWS.prefilled(data)


def shown(fields: Fields, for_committee: bool) -> Fields:
    """The rows as one line; for the committee the household's name, ID and phone masked."""
    result = ROWS.folded(fields)
    if for_committee:
        result |= masked_person(fields, "household")
    return result


def context(backend: Backend, code: str) -> dict[str, Any]:
    """The village's land parcels to pick from (one <datalist>), and the rows helper."""
    with backend.db.read() as session:
        return {"parcels": parcel_choices(session, find_village(session, code).id, AssetKind.LAND),
                "rows_shown": ROWS.rows_shown}


def pay(backend: Backend, actor: Actor, code: str, number: str, fields: Fields, reason: str) -> Any:
    """支付流转租金 as the draft has it: the voucher scan the draft keeps (by its SHA-256) goes to
    the ledger entry, which checks and stores it as an entry's own voucher."""
    voucher = uploads.read(backend.files_dir, fields["voucher"]) if fields.get("voucher") else None
    return pay_transfer_rent(backend, actor, code, number, PaymentInput(
        year=fields.get("year", ""), paid_on=fields.get("paid_on", ""), approved_by=fields.get("approved_by", ""),
        meeting_number=fields.get("meeting_number", ""), voucher=voucher), reason)


EDITOR = Editor("entrustment", EntrustmentForm, to_input, create_entrustment, current, correct=correct_entrustment,
                withdraw=withdraw_entrustment, template="workspace/entrustment_fields.html", shown=shown,
                context=context, value_labels={"status": labels.ENTRUSTMENT_STATUS}, file_fields=("voucher",),
                verbs={"pay": Verb("支付流转租金", PayForm, pay, statuses=("active",),
                                   hint=N_("按委托面积和流转租金单价计算该年度应付金额，记入资金收支（土地流转租金支出，"
                                           "收款人姓名公开时脱敏），并在本记录上标明该年度已支付；农户签收的凭证扫描件"
                                           "可在这里一并上传，和该笔资金收支一起按 SHA-256 记入日志。"))})
