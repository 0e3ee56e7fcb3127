"""The staff workspace's form for signing records (签约), with the signed scan and photos."""
from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from flask_wtf import FlaskForm
from flask_wtf.file import FileField
from sqlalchemy import select
from wtforms import SelectField, StringField, TextAreaField

from portal.contracts.models import Contract, ContractStatus
from portal.drafts.editor import Editor, Fields, Files, choices
from portal.kernel.transaction import Backend
from portal.signings import labels
from portal.signings.models import Signing
from portal.signings.services import SigningInput, correct_signing, find_signing, record_signing, withdraw_signing
from portal.villages.services import find_village

PHOTOS = ("photo_1", "photo_2", "photo_3")
ACCEPT = {"accept": "application/pdf,image/jpeg,image/png"}


class SigningForm(FlaskForm):  # type: ignore[misc]  # flask_wtf has no type information
    number = StringField("签约记录编号", description="例如 QY-2026-001")
    contract_number = SelectField("合同", choices=[], validate_choice=False)
    signed_on = StringField("签约日期", description="例如 2026-03-01 或 2026年3月1日")
    place = StringField("签约地点", description="例如 村委会二楼会议室（全程直播）")
    lessor_role = StringField("发包方签字人职务", description="例如 村委会主任")
    lessor_name = StringField("发包方签字人姓名", description="公开时只显示姓氏和末字")
    lessee_role = StringField("承包方签字人职务", description="例如 法定代表人；个人承包写“承包人”")
    lessee_name = StringField("承包方签字人姓名", description="公开时只显示姓氏和末字")
    witnesses = TextAreaField("见证人", description="一行一位，写“职务 姓名”，例如 监委会主任 张三明",
                              render_kw={"rows": 3})
    stream_url = StringField("直播/录像链接", description="以 https:// 开头；没有可空着",
                             render_kw={"inputmode": "url", "autocomplete": "off"})
    video_sha256 = StringField("签约录像的 SHA-256", description="录像文件由村委会存档时填写：64 位十六进制；没有可空着",
                               render_kw={"autocomplete": "off"})
    note = TextAreaField("备注", render_kw={"rows": 2})
    contract_scan = FileField("签字合同扫描件", description="PDF、JPG 或 PNG，不超过 10 MB", render_kw=ACCEPT)
    photo_1 = FileField("签约照片 1", description="JPG 或 PNG；最多 3 张", render_kw=ACCEPT)
    photo_2 = FileField("签约照片 2", render_kw=ACCEPT)
    photo_3 = FileField("签约照片 3", render_kw=ACCEPT)


def prepare(form: Any, backend: Backend, code: str) -> None:
    """The village's contracts that can be signed (not withdrawn), keeping a number already
    chosen that is not among them, so the service can say what is wrong."""
    with backend.db.read() as session:
        village = find_village(session, code)
        rows = session.execute(select(Contract.number, Contract.title).where(
            Contract.village_id == village.id, Contract.status != ContractStatus.WITHDRAWN)
            .order_by(Contract.number)).all()
    options = {"": "（请选择）"} | {number: f"{number} {title}" for number, title in rows}
    chosen = form.contract_number.data or ""
    if chosen and chosen not in options:
        options[chosen] = chosen
    form.contract_number.choices = choices(options)


def to_input(fields: Fields, files: Files) -> SigningInput:
    names = ("number", "contract_number", "signed_on", "place", "lessor_role", "lessor_name", "lessee_role",
             "lessee_name", "witnesses", "stream_url", "video_sha256", "note")
    return SigningInput(**{name: fields.get(name, "") for name in names},
                        contract_scan=files.get("contract_scan"),
                        photos=[files[name] for name in PHOTOS if files.get(name)])


def current(backend: Backend, code: str, number: str) -> dict[str, str]:
    with backend.db.read() as session:
        s: Signing = find_signing(session, find_village(session, code).id, number)
        return {"number": s.number, "contract_number": s.contract.number, "signed_on": s.signed_on.isoformat(),
                "place": s.place, "lessor_role": s.lessor_role, "lessor_name": s.lessor_name,
                "lessee_role": s.lessee_role, "lessee_name": s.lessee_name,
                "witnesses": "\n".join(f"{w['role']} {w['name']}".strip() for w in s.witnesses),
                "stream_url": s.stream_url, "video_sha256": s.video_sha256 or "", "note": s.note}


def describe(fields: Mapping[str, str]) -> str:
    """QY-2026-001 · 合同 HT-2026-001 · 2026-03-01"""
    parts = [fields.get("number", ""), f"合同 {fields['contract_number']}" if fields.get("contract_number") else "",
             fields.get("signed_on", "")]
    return " · ".join(p for p in parts if p)


def shown(fields: Fields, for_committee: bool) -> Fields:
    """Names masked for the committee, as the public will see them."""
    if not for_committee:
        return fields
    from portal.kernel.privacy import mask_name

    masked = dict(fields)
    for name in ("lessor_name", "lessee_name"):
        masked[name] = mask_name(fields.get(name, ""))
    masked["witnesses"] = "\n".join(
        " ".join([*line.strip().rsplit(" ", 1)[:-1], mask_name(line.strip().rsplit(" ", 1)[-1])])
        for line in fields.get("witnesses", "").splitlines() if line.strip())
    return masked


EDITOR = Editor("signing", SigningForm, to_input, record_signing, current, correct=correct_signing,
                withdraw=withdraw_signing, file_fields=("contract_scan", *PHOTOS), prepare=prepare,
                describe=describe, shown=shown, value_labels={"status": labels.SIGNING_STATUS})
