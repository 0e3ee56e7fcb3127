"""The staff workspace's form for receipts (收款凭证), with the receipt's scan as an upload."""
from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from flask_wtf import FlaskForm
from flask_wtf.file import FileField
from sqlalchemy import select
from wtforms import SelectField, StringField, TextAreaField

from portal.contracts.models import Contract, ContractStatus
from portal.drafts.editor import Editor, choices, dataclass_input, fields_of
from portal.drafts.fields import Checkbox
from portal.kernel.lookup import find_numbered
from portal.kernel.transaction import Backend
from portal.receipts import labels
from portal.receipts.models import Receipt
from portal.receipts.services import ReceiptInput, correct_receipt, record_receipt, withdraw_receipt
from portal.villages.services import find_village

NO_CONTRACT = "（不关联合同）"


class ReceiptForm(FlaskForm):  # type: ignore[misc]  # flask_wtf has no type information
    number = StringField("收据号", description="收据上印的编号，例如 SK-2026-001")
    amount = StringField("金额（元）", description="例如 1234.5、1,234.50 或 ¥1234.50",
                         render_kw={"inputmode": "decimal", "autocomplete": "off"})
    received_on = StringField("收款日期", description="例如 2026-11-23 或 2026年11月23日")
    payer_name = StringField("交款人", description="单位写全称；个人写姓名（公开时只显示姓氏和末字）")
    payer_is_person = Checkbox("交款人是个人（不是单位）",
                               description="个人交款的收据扫描件不公开，只有本村工作人员登录后可以查看")
    contract_number = SelectField("所属合同", choices=choices({"": NO_CONTRACT}),
                                  validate_choice=False,
                                  description="租金收入请选所属合同，其他收入选“不关联合同”")
    note = TextAreaField("摘要", description="例如 2026 年度租金", render_kw={"rows": 2})
    scan = FileField("收据扫描件", description="拍照或扫描的收据，PDF、JPG 或 PNG，不超过 10 MB；可以以后再补",
                     render_kw={"accept": "application/pdf,image/jpeg,image/png"})


def prepare(form: Any, backend: Backend, code: str) -> None:
    """The village's contracts to choose from (withdrawn ones cannot take payments), keeping a
    number already typed or saved that is not among them, so the service can say what is wrong."""
    with backend.db.read() as session:
        village = find_village(session, code)
        rows = session.execute(select(Contract.number, Contract.title).where(
            Contract.village_id == village.id, Contract.status != ContractStatus.WITHDRAWN)
            .order_by(Contract.number)).all()
    options = {"": NO_CONTRACT} | {number: f"{number} {title}" for number, title in rows}
    chosen = form.contract_number.data or ""
    if chosen and chosen not in options:
        options[chosen] = chosen
    form.contract_number.choices = choices(options)


def current(backend: Backend, code: str, number: str) -> dict[str, str]:
    with backend.db.read() as session:
        receipt = find_numbered(session, Receipt, find_village(session, code).id, number, "收据")
        return fields_of(ReceiptInput(
            number=receipt.number, amount=receipt.amount, received_on=receipt.received_on,
            payer_name=receipt.payer_name, payer_is_person=receipt.payer_is_person,
            contract_number=receipt.contract.number if receipt.contract else "", note=receipt.note))


def describe(fields: Mapping[str, str]) -> str:
    """SK-2026-001 · 测试公司 · 1234.50 元: how drafts lists name a receipt."""
    amount = fields.get("amount", "").strip().lstrip("¥￥").removesuffix("元").strip()  # as typed, one unit
    parts = [fields.get("number", ""), fields.get("payer_name", ""), f"{amount} 元" if amount else ""]
    return " · ".join(p for p in parts if p)


EDITOR = Editor("receipt", ReceiptForm, dataclass_input(ReceiptInput), record_receipt, current,
                correct=correct_receipt, withdraw=withdraw_receipt, file_fields=("scan",), prepare=prepare,
                describe=describe, value_labels={"status": labels.RECEIPT_STATUS})
