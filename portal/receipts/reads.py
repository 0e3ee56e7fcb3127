"""What the receipt list and a receipt's scan show."""
from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import raiseload

from portal.auditlog.records import record_entries, record_proof
from portal.contracts.models import Contract
from portal.kernel.errors import NotFound
from portal.kernel.history import Version, versions
from portal.kernel.messages import say
from portal.kernel.transaction import Backend
from portal.publishing.listings import Column, Listing, village_listing
from portal.publishing.scans import StoredScan, stored_scan
from portal.receipts.labels import FIELDS, RECEIPT_STATUS
from portal.receipts.models import Receipt
from portal.villages.models import Village
from portal.villages.services import find_village

RECEIPT_COLUMNS = [
    Column("number", "收据号"),
    Column("received_on", "收款日期", "date"),
    Column("amount", "金额", "money", doc="元"),
    Column("payer", "交款人", doc="企业全称；个人只显示姓氏和末字"),
    Column("contract", "合同编号"),
    Column("note", "摘要"),
    Column("scan_sha256", "凭证扫描件 SHA-256", doc="扫描件文件的 SHA-256，可下载后自行核对"),
    Column("status", "状态", "choice", choices=RECEIPT_STATUS),
]


def receipt_years(backend: Backend, code: str) -> list[int]:
    with backend.db.read() as session:
        village = find_village(session, code)
        days = session.scalars(select(Receipt.received_on).where(Receipt.village_id == village.id)).all()
    return sorted({d.year for d in days}, reverse=True)


def receipts_listing(backend: Backend, code: str, as_of: date, *, year: int | None = None,
                     contract: str = "") -> Listing:
    """收益凭证 — receipts of a year and/or a contract, newest first; withdrawn ones marked."""
    with backend.db.read() as session:
        village = find_village(session, code)
        # The contract's number by an outer join: one query, however many receipts (raiseload:
        # reaching for Receipt.contract would be a query per row).
        query = (select(Receipt, Contract.number).outerjoin(Contract, Contract.id == Receipt.contract_id)
                 .where(Receipt.village_id == village.id).options(raiseload("*")))
        if year:
            query = query.where(Receipt.received_on >= date(year, 1, 1), Receipt.received_on <= date(year, 12, 31))
        if contract:
            query = query.where(Contract.number == contract)
        found = session.execute(query.order_by(Receipt.received_on.desc(), Receipt.number.desc())).all()
        receipts = [r for r, _ in found]
        rows = [{
            "number": r.number, "received_on": r.received_on.isoformat(), "amount": str(r.amount),
            "payer": r.payer_public_name(), "contract": number,
            "note": r.note, "scan_sha256": r.scan_sha256, "status": r.status.value,
        } for r, number in found]
        active = [r for r in receipts if r.status.value == "active"]
        totals = {"count": len(rows), "amount": str(sum((r.amount for r in active), Decimal("0.00")))}
        return village_listing(session, village, "receipts", "收益凭证", as_of, RECEIPT_COLUMNS, rows,
                        [f"/v/{code}/receipts/{r['number']}" for r in rows], totals)


def receipt_scan(backend: Backend, code: str, number: str) -> StoredScan:
    """The scan of receipt `number`; NotFound when there is none. A scan of a payment by a
    person shows their name, so it is public only when the payer is a company."""
    with backend.db.read() as session:
        village = find_village(session, code)
        receipt = session.scalar(select(Receipt).where(Receipt.village_id == village.id, Receipt.number == number))
        sha256, public = (receipt.scan_sha256, not receipt.payer_is_person) if receipt else (None, False)
    return stored_scan(backend, village.id, sha256, public, f"收据“{number}”")


@dataclass(frozen=True)
class ReceiptDetail:
    """One receipt with its contract's number, its versions and the proof of its latest one."""

    village: Village
    receipt: Receipt
    contract: str | None
    history: list[Version]
    proof: dict[str, Any] | None


def receipt_detail(backend: Backend, code: str, number: str) -> ReceiptDetail:
    """收据 `number` of village `code`, withdrawn ones too; NotFound when there is none."""
    with backend.db.read() as session:
        village = find_village(session, code)
        found = session.execute(
            select(Receipt, Contract.number).outerjoin(Contract, Contract.id == Receipt.contract_id)
            .where(Receipt.village_id == village.id, Receipt.number == number).options(raiseload("*"))).first()
        if found is None:
            raise NotFound(say("没有找到收据“%(number)s”", number=number))
        receipt, contract = found
        entries = record_entries(session, code, "receipt", receipt.audit_id())
        return ReceiptDetail(village, receipt, contract, versions(entries, FIELDS), record_proof(session, code, entries))


def page_path(code: str, data: Mapping[str, Any]) -> str | None:
    """Every receipt has its own page, with its history and the in-browser check."""
    return f"/v/{code}/receipts/{data['number']}" if data.get("number") else None
