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
from portal.kernel.history import Version, versions
from portal.kernel.errors import NotFound
from portal.kernel.privacy import mask_name
from portal.kernel.status import RecordStatus
from portal.kernel.transaction import Backend
from portal.publishing.scans import StoredScan, stored_scan
from portal.publishing.listings import Column, LazyRows, Listing, village_listing
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
        days = session.scalars(select(Receipt.received_on).where(Receipt.village_id == village.id).distinct()).all()
    return sorted({d.year for d in days}, reverse=True)


# What the list shows of a receipt, as plain columns (no ORM object per receipt: a village's
# log holds thousands of them at county scale, and a page shows 20); the contract's number by
# an outer join, in the same query.
_RECEIPT_LINES = (select(Receipt.number, Receipt.received_on, Receipt.amount, Receipt.payer_name,
                         Receipt.payer_is_person, Contract.number, Receipt.note, Receipt.scan_sha256, Receipt.status)
                  .outerjoin(Contract, Contract.id == Receipt.contract_id))


def _receipt_row(line: Any) -> dict[str, Any]:
    number, received_on, amount, payer, is_person, contract, note, scan, status = line
    return {
        "number": number, "received_on": received_on.isoformat(), "amount": str(amount),
        "payer": mask_name(payer) if is_person else payer, "contract": contract,
        "note": note, "scan_sha256": scan, "status": status.value,
    }


def receipts_listing(backend: Backend, code: str, as_of: date, *, year: int | None = None,
                     contract: str = "") -> Listing:
    """收益凭证 — receipts of a year and/or a contract, newest first; withdrawn ones marked. Rows
    are made as they are read (one page for the HTML list, all for a download)."""
    with backend.db.read() as session:
        village = find_village(session, code)
        query = _RECEIPT_LINES.where(Receipt.village_id == village.id)
        if year:
            query = query.where(Receipt.received_on >= date(year, 1, 1), Receipt.received_on <= date(year, 12, 31))
        if contract:
            query = query.where(Contract.number == contract)
        found: list[Any] = list(session.execute(query.order_by(Receipt.received_on.desc(), Receipt.number.desc())))
        totals = {"count": len(found), "amount": str(sum((line[2] for line in found
                                                          if line[8] is RecordStatus.ACTIVE), Decimal("0.00")))}
        return village_listing(session, village, "receipts", "收益凭证", as_of, RECEIPT_COLUMNS,
                               LazyRows(found, _receipt_row), [f"/v/{code}/receipts/{line[0]}" for line in found],
                               totals)


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
            raise NotFound(f"没有找到收据“{number}”")
        receipt, contract = found
        entries = record_entries(session, code, "receipt", receipt.audit_id())
        return ReceiptDetail(village, receipt, contract, versions(entries, FIELDS), record_proof(session, code, entries))


def page_path(code: str, data: Mapping[str, Any]) -> str | None:
    """Every receipt has its own page, with its history and the in-browser check."""
    return f"/v/{code}/receipts/{data['number']}" if data.get("number") else None
