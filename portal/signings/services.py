"""Signing records (签约): record, correct and withdraw, with their files stored by SHA-256."""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from sqlalchemy import select

from portal.auditlog.files import store_file
from portal.contracts.models import Contract, ContractStatus
from portal.contracts.services import find_contract
from portal.kernel.errors import NotFound
from portal.kernel.lifecycle import amend, check_correctable, record_created, withdraw
from portal.kernel.lookup import find_numbered, number_taken
from portal.kernel.messages import say
from portal.kernel.status import RecordStatus
from portal.kernel.transaction import Actor, Backend, Change
from portal.kernel.validate import Checker
from portal.signings.models import Signing

MAX_WITNESSES = 10
MAX_PHOTOS = 3
_SHA256 = re.compile(r"[0-9a-f]{64}")
_URL = re.compile(r"https?://[^\s<>\"'\\]+", re.IGNORECASE)


@dataclass
class SigningInput:
    """A signing as staff type it. `witnesses` is one per line, "职务 姓名" (监委会主任 张三明);
    `contract_scan` and `photos` are uploaded files' bytes (None/empty: none, or keep the
    current ones when correcting)."""

    number: str
    contract_number: str
    signed_on: str | date
    place: str
    lessor_role: str
    lessor_name: str
    lessee_role: str
    lessee_name: str
    witnesses: str = ""
    stream_url: str = ""
    video_sha256: str = ""
    note: str = ""
    contract_scan: bytes | None = None
    photos: list[bytes] = field(default_factory=list)


def _witnesses(check: Checker, text: str) -> list[dict[str, str]]:
    found = []
    for line in (raw.strip() for raw in text.splitlines()):
        if not line:
            continue
        role, _, name = line.rpartition(" ")
        if not name or len(name) > 50 or len(role) > 50:
            check.fail("witnesses", say("见证人“%(line)s”请写成“职务 姓名”，例如“监委会主任 张三明”", line=line[:60]))
            return []
        found.append({"role": role.strip(), "name": name})
    if len(found) > MAX_WITNESSES:
        check.fail("witnesses", say("见证人最多 %(most)s 位", most=MAX_WITNESSES))
    return found


def _checked(data: SigningInput) -> tuple[dict[str, Any], str, Checker]:
    check = Checker()
    text = check.text
    v: dict[str, Any] = {
        "number": text("number", data.number, "签约记录编号", max_len=40),
        "signed_on": check.day("signed_on", data.signed_on, "签约日期"),
        "place": text("place", data.place, "签约地点", max_len=200),
        "lessor_role": text("lessor_role", data.lessor_role, "发包方签字人职务", max_len=50),
        "lessor_name": text("lessor_name", data.lessor_name, "发包方签字人", max_len=50),
        "lessee_role": text("lessee_role", data.lessee_role, "承包方签字人职务", max_len=50),
        "lessee_name": text("lessee_name", data.lessee_name, "承包方签字人", max_len=50),
        "note": text("note", data.note, "备注", max_len=500, required=False),
    }
    v["witnesses"] = _witnesses(check, str(data.witnesses or ""))
    url = text("stream_url", data.stream_url, "直播/录像链接", max_len=500, required=False)
    if url and not _URL.fullmatch(url):
        check.fail("stream_url", say("直播/录像链接须以 http:// 或 https:// 开头，中间不能有空格"))
    v["stream_url"] = url
    video = str(data.video_sha256 or "").strip().lower()
    if video and not _SHA256.fullmatch(video):
        check.fail("video_sha256", say("签约录像的 SHA-256 应为 64 位十六进制数字（0–9、a–f）"))
    v["video_sha256"] = video or None
    photos = [photo for photo in data.photos if photo]
    if len(photos) > MAX_PHOTOS:
        check.fail("photos", say("签约照片最多 %(most)s 张", most=MAX_PHOTOS))
    contract = text("contract_number", data.contract_number, "合同", max_len=40)
    return v, contract, check


def _contract(change: Change, village_id: int, number: str, check: Checker) -> Contract | None:
    try:
        contract = find_contract(change, village_id, number, with_items=False)
    except NotFound as err:
        check.fail("contract_number", str(err))
        return None
    if contract.status is ContractStatus.WITHDRAWN:
        check.fail("contract_number", say("合同 %(number)s 已撤回，不能登记签约", number=number))
    return contract


def _signed_already(change: Change, contract: Contract, current: str | None = None) -> str | None:
    """The number of the contract's other active signing record, if it has one."""
    query = select(Signing.number).where(Signing.contract_id == contract.id,
                                         Signing.status == RecordStatus.ACTIVE)
    if current is not None:
        query = query.where(Signing.number != current)
    return change.session.scalar(query)


def _store(change: Change, content: bytes, field_name: str) -> str:
    return store_file(change.session, change.backend.files_dir, content, field_name, change.now(),
                      field=field_name).sha256


def find_signing(change_or_session: Any, village_id: int, number: str) -> Signing:
    return find_numbered(change_or_session, Signing, village_id, number, "签约记录")


def record_signing(backend: Backend, actor: Actor, village_code: str, data: SigningInput) -> Signing:
    """Logs a contract's signing (one active record per contract); its files are stored first
    and named in the entry by their SHA-256."""
    v, contract_number, check = _checked(data)
    check.done()
    with backend.change(village_code, actor, "signing.create") as change:
        village_id = change.village_id()
        contract = _contract(change, village_id, contract_number, check)
        if number_taken(change, Signing, village_id, v["number"]):
            check.fail("number", say("签约记录编号“%(number)s”已存在", number=v["number"]))
        other = _signed_already(change, contract) if contract else None
        if other:
            check.fail("contract_number", say("合同 %(contract)s 已有签约记录 %(other)s：要改请更正那一条",
                                              contract=contract_number, other=other))
        check.done()
        signing = Signing(village_id=village_id, contract=contract, **v)
        if data.contract_scan:
            signing.contract_scan_sha256 = _store(change, data.contract_scan, "contract_scan")
        signing.photo_sha256 = [_store(change, photo, "photos") for photo in data.photos if photo]
        record_created(change, signing, "signing.create")
    return signing


def correct_signing(backend: Backend, actor: Actor, village_code: str, number: str,
                    data: SigningInput, reason: str) -> Signing:
    """更正: a new version with its reason; files not uploaded again are kept."""
    v, contract_number, check = _checked(data)
    reason = check.reason(reason)
    check.done()
    with backend.change(village_code, actor, "signing.correct") as change:
        signing = find_signing(change, change.village_id(), number)
        check_correctable(change, signing, v["number"], check, withdrawn=RecordStatus.WITHDRAWN,
                          refused=say("已撤回的签约记录不能再更正"),
                          taken=say("签约记录编号“%(number)s”已存在", number=v["number"]))
        contract = _contract(change, signing.village_id, contract_number, check)
        other = _signed_already(change, contract, current=signing.number) if contract else None
        if other:
            check.fail("contract_number", say("合同 %(contract)s 已有签约记录 %(other)s：要改请更正那一条",
                                              contract=contract_number, other=other))
        check.done()
        scan = _store(change, data.contract_scan, "contract_scan") if data.contract_scan else signing.contract_scan_sha256
        photos = [_store(change, p, "photos") for p in data.photos if p] or list(signing.photo_sha256)
        amend(change, signing, "signing.correct", reason, **v, contract=contract,
              contract_scan_sha256=scan, photo_sha256=photos)
    return signing


def withdraw_signing(backend: Backend, actor: Actor, village_code: str, number: str, reason: str) -> Signing:
    return withdraw(backend, actor, village_code, number, reason, find=find_signing,
                    entity="signing", withdrawn=RecordStatus.WITHDRAWN)
