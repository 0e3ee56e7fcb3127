"""What the receipt list and a receipt's scan show."""
from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any

from sqlalchemy import func, select, type_coerce
from sqlalchemy.orm import raiseload

from portal.auditlog.records import record_entries, record_proof
from portal.contracts.models import Contract
from portal.kernel.errors import NotFound
from portal.kernel.history import Version, versions
from portal.kernel.messages import say
from portal.kernel.privacy import mask_name
from portal.kernel.status import RecordStatus
from portal.kernel.transaction import Backend
from portal.publishing.listings import Column, LazyRows, Listing, village_listing
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
        days = session.scalars(select(Receipt.received_on).where(Receipt.village_id == village.id).distinct()).all()
    return sorted({d.year for d in days}, reverse=True)


# What the list shows of a receipt, as plain columns (no ORM object per receipt); the contract's
# number by an outer join, in the same query.
_RECEIPT_LINES = (select(Receipt.id, Receipt.number, Receipt.received_on, Receipt.amount, Receipt.payer_name,
                         Receipt.payer_is_person, Contract.number, Receipt.note, Receipt.scan_sha256, Receipt.status)
                  .outerjoin(Contract, Contract.id == Receipt.contract_id))


def _receipt_rows(backend: Backend, ids: Sequence[int]) -> list[dict[str, Any]]:
    """The list's rows of receipts `ids`, in that order, read in one query."""
    with backend.db.read() as session:
        found = {line[0]: line for line in session.execute(_RECEIPT_LINES.where(Receipt.id.in_(ids)))}
    rows = []
    for receipt_id in ids:
        _, number, received_on, amount, payer, is_person, contract, note, scan, status = found[receipt_id]
        rows.append({
            "number": number, "received_on": received_on.isoformat(), "amount": str(amount),
            "payer": mask_name(payer) if is_person else payer, "contract": contract,
            "note": note, "scan_sha256": scan, "status": status.value,
        })
    return rows


def receipts_listing(backend: Backend, code: str, as_of: date, *, year: int | None = None,
                     contract: str = "") -> Listing:
    """收益凭证 — receipts of a year and/or a contract, newest first; withdrawn ones marked.

    A village's log holds thousands of receipts at county scale and a page shows 20: the
    receipts are chosen and ordered by their keys, counted and summed in SQL, and a row is read
    only when it is shown (a page's in one query, a download's in batches). Receipts are never
    deleted, so every key read here still has its row."""
    with backend.db.read() as session:
        village = find_village(session, code)
        chosen = (select(Receipt.id, Receipt.number).outerjoin(Contract, Contract.id == Receipt.contract_id)
                  .where(Receipt.village_id == village.id))
        if year:
            chosen = chosen.where(Receipt.received_on >= date(year, 1, 1), Receipt.received_on <= date(year, 12, 31))
        if contract:
            chosen = chosen.where(Contract.number == contract)
        keys = session.execute(chosen.order_by(Receipt.received_on.desc(), Receipt.number.desc())).all()
        summed = chosen.with_only_columns(type_coerce(func.coalesce(func.sum(Receipt.amount), 0), Receipt.amount.type))
        active = session.scalar(summed.where(Receipt.status == RecordStatus.ACTIVE))
        totals = {"count": len(keys), "amount": str(active or Decimal("0.00"))}
        return village_listing(session, village, "receipts", "收益凭证", as_of, RECEIPT_COLUMNS,
                               LazyRows([receipt_id for receipt_id, _ in keys],
                                        make_many=lambda ids: _receipt_rows(backend, ids)),
                               [f"/v/{code}/receipts/{number}" for _, number in keys], totals)


def receipt_scan(backend: Backend, code: str, number: str) -> StoredScan:
    """The scan of receipt `number`; NotFound when there is none. A scan of a payment by a
    person shows their name, so it is public only when the payer is a company."""
    with backend.db.read() as session:
        village = find_village(session, code)
        receipt = session.scalar(select(Receipt).where(Receipt.village_id == village.id, Receipt.number == number))
        sha256, public = (receipt.scan_sha256, not receipt.payer_is_person) if receipt else (None, False)
    return stored_scan(backend, village.id, sha256, public, say("收据“%(number)s”", number=number))


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
