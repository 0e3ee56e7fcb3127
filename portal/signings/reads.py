"""What the signing pages show: the list, one signing with its history, and its files."""
from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import selectinload

from portal.auditlog.records import record_entries, record_proof
from portal.kernel.errors import NotFound
from portal.kernel.history import Version, versions
from portal.kernel.messages import say
from portal.kernel.transaction import Backend
from portal.publishing.scans import StoredScan, stored_scan
from portal.publishing.listings import Column, Listing, village_listing
from portal.signings.labels import FIELDS, SIGNING_STATUS
from portal.signings.models import Signing
from portal.signings.services import find_signing
from portal.villages.models import Village
from portal.villages.services import find_village

SIGNING_COLUMNS = [
    Column("number", "签约记录编号"),
    Column("contract", "合同编号"),
    Column("signed_on", "签约日期", "date"),
    Column("place", "签约地点"),
    Column("witnesses", "见证人", doc="职务和打码的姓名，多位以“、”分隔"),
    Column("stream_url", "直播/录像链接"),
    Column("contract_scan_sha256", "签字合同扫描件 SHA-256", doc="扫描件文件的 SHA-256，可下载后自行核对"),
    Column("status", "状态", "choice", choices=SIGNING_STATUS),
]


@dataclass(frozen=True)
class SigningDetail:
    village: Village
    signing: Signing
    state: dict[str, Any]
    scan_public: bool
    history: list[Version]
    proof: dict[str, Any] | None


def signings_listing(backend: Backend, code: str, as_of: date) -> Listing:
    """签约记录 — newest first; withdrawn ones marked."""
    with backend.db.read() as session:
        village = find_village(session, code)
        found = list(session.scalars(select(Signing).where(Signing.village_id == village.id)
                                     .options(selectinload(Signing.contract))
                                     .order_by(Signing.signed_on.desc(), Signing.number.desc())))
        rows = []
        for s in found:
            state = s.public_state()
            rows.append({"number": s.number, "contract": state["contract"], "signed_on": state["signed_on"],
                         "place": s.place, "witnesses": "、".join(f"{w['role']} {w['name']}".strip()
                                                                 for w in state["witnesses"]),
                         "stream_url": s.stream_url, "contract_scan_sha256": s.contract_scan_sha256,
                         "status": s.status.value})
        return village_listing(session, village, "signings", "签约记录", as_of, SIGNING_COLUMNS, rows,
                               [f"/v/{code}/signings/{s.number}" for s in found], {"count": len(rows)})


def signing_detail(backend: Backend, code: str, number: str) -> SigningDetail:
    with backend.db.read() as session:
        village = find_village(session, code)
        signing = find_signing(session, village.id, number)
        entries = record_entries(session, code, "signing", signing.audit_id())
        return SigningDetail(village, signing, signing.public_state(), signing.scan_is_public(),
                             versions(entries, FIELDS), record_proof(session, code, entries))


def signing_file(backend: Backend, code: str, number: str, sha256: str) -> StoredScan:
    """One of the signing's files (its photos, its signed scan) by SHA-256; NotFound for any
    other. The scan of a person's contract is not public (it carries their ID number)."""
    with backend.db.read() as session:
        village = find_village(session, code)
        signing = find_signing(session, village.id, number)
        if sha256 != signing.contract_scan_sha256 and sha256 not in signing.photo_sha256:
            raise NotFound(say("这条签约记录没有这个文件"))
        public = sha256 in signing.photo_sha256 or signing.scan_is_public()
    return stored_scan(backend, village.id, sha256, public, "签约记录")


def contract_signings(backend: Backend, code: str, contract_number: str) -> list[str]:
    """Numbers of the signing records of a contract (for its page)."""
    from portal.contracts.models import Contract

    with backend.db.read() as session:
        village = find_village(session, code)
        return list(session.scalars(select(Signing.number).join(Contract, Contract.id == Signing.contract_id)
                                    .where(Signing.village_id == village.id, Contract.number == contract_number)
                                    .order_by(Signing.number)))


def page_path(code: str, data: Mapping[str, Any]) -> str | None:
    return f"/v/{code}/signings/{data['number']}" if data.get("number") else None
