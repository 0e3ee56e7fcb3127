"""The staff workspace's forms for the ledger: entries (收支, with the voucher scan) and funds."""
from __future__ import annotations

from collections.abc import Mapping

from flask_wtf import FlaskForm
from flask_wtf.file import FileField
from wtforms import SelectField, StringField, TextAreaField

from portal.drafts.editor import Editor, choices, dataclass_input, fields_of
from portal.drafts.fields import Checkbox
from portal.kernel.transaction import Backend
from portal.ledger import labels
from portal.ledger.services import (
    EntryInput,
    book_entry,
    correct_entry,
    entry_input_from,
    find_entry,
    withdraw_entry,
)
from portal.translations import N_
from portal.villages.services import find_village


def voucher_field() -> FileField:
    """The upload of an entry's voucher scan (stored by SHA-256 when the entry is booked), for
    every form that books one: an entry's own, and the acts that book theirs (支付流转租金)."""
    return FileField(N_("凭证扫描件"), description=N_("发票、收据或付款凭证，PDF、JPG 或 PNG，不超过 10 MB"),
                     render_kw={"accept": "application/pdf,image/jpeg,image/png"})


class EntryForm(FlaskForm):  # type: ignore[misc]  # flask_wtf has no type information
    number = StringField(N_("记账凭证号"), description=N_("例如 ZJ-2026-001"))
    direction = SelectField(N_("收支"), choices=choices(labels.DIRECTION), validate_choice=False)
    category = SelectField(N_("科目"), choices=choices(labels.CATEGORY), validate_choice=False)
    receipt_number = StringField(N_("收据号"), description=N_(
        "租金等已开收据的收入填收据号：金额、日期、交款人按收据记账，不必再填；每张收据只能记账一次"))
    amount = StringField(N_("金额（元）"), description=N_("例如 1234.5、1,234.50 或 ¥1234.50"),
                         render_kw={"inputmode": "decimal", "autocomplete": "off"})
    booked_on = StringField(N_("记账日期"), description=N_("例如 2026-11-23 或 2026年11月23日"))
    counterparty = StringField(N_("对方单位或个人"), description=N_("收款人或交款人；个人公开时只显示姓氏和末字"))
    counterparty_is_person = Checkbox(N_("对方是个人（不是单位）"),
                                      description=N_("个人的凭证扫描件不公开，只有本村工作人员登录后可以查看"))
    funding_source = StringField(N_("资金来源"), description=N_("例如 集体经营收入、上级补助资金"))
    fund_number = StringField(N_("从专项基金支出"), description=N_("支出由专项基金负担时填基金编号，例如 JJ-001；收入不填"))
    meeting_number = StringField(N_("决策会议"), description=N_("依据哪次会议的决定，填会议编号，例如 HY-2026-001"))
    approved_by = StringField(N_("审批人"), description=N_("例如 村委会主任、村务监督委员会"))
    note = TextAreaField(N_("摘要"), render_kw={"rows": 2})
    voucher = voucher_field()


def current(backend: Backend, code: str, number: str) -> dict[str, str]:
    with backend.db.read() as session:
        return fields_of(entry_input_from(find_entry(session, find_village(session, code).id, number)))


def describe(fields: Mapping[str, str]) -> str:
    """ZJ-2026-001 · 收入 · 租金收入 · 1234.50 元: how drafts lists name an entry."""
    amount = fields.get("amount", "").strip()
    parts = [fields.get("number", ""), labels.DIRECTION.get(fields.get("direction", ""), ""),
             labels.CATEGORY.get(fields.get("category", ""), ""), f"{amount} 元" if amount else fields.get("receipt_number", "")]
    return " · ".join(p for p in parts if p)


EDITOR = Editor("ledger_entry", EntryForm, dataclass_input(EntryInput), book_entry, current,
                correct=correct_entry, withdraw=withdraw_entry, file_fields=("voucher",), describe=describe,
                value_labels={"direction": labels.DIRECTION, "category": labels.CATEGORY,
                              "status": labels.LEDGER_STATUS})
