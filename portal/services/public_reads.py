"""What the public pages show, read in one session and returned fully loaded."""
from __future__ import annotations

import base64
import hashlib
import json
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any

from sqlalchemy import select

from ..history import Version, versions
from ..listings import Column, Listing
from ..ledger import ContractBalance
from ..models import AuditEntry, Contract, ContractStatus, Receipt, RecordStatus, Village
from . import audit_log
from .arrears import arrears_list, contract_balance
from .backend import Backend
from .contracts import find_contract
from .errors import NotFound
from .villages import get_village, list_villages


@dataclass(frozen=True)
class LogState:
    size: int
    root_hex: str

    @property
    def root_b64(self) -> str:
        """The root as the signed checkpoint and printed notices write it."""
        return base64.b64encode(bytes.fromhex(self.root_hex)).decode("ascii")


@dataclass(frozen=True)
class Change:
    """One line of "what is new": when, what was done, to which record."""

    seq: int
    ts: str
    action: str
    entity: str
    label: str
    link: str | None
    reason: str | None


@dataclass(frozen=True)
class VillageOverview:
    village: Village
    active_contracts: int
    contracted_area: Decimal
    due_this_year: Decimal
    received_this_year: Decimal
    arrears_total: Decimal
    arrears_count: int
    latest: list[Change]
    log: LogState | None


@dataclass(frozen=True)
class ContractDetail:
    village: Village
    contract: Contract
    balance: ContractBalance
    receipts: list[Receipt]
    history: list[Version]
    proof: dict[str, Any] | None


def _log_state(session, code: str) -> LogState | None:
    current = audit_log.head(session, code)
    return LogState(current.size, current.root.hex()) if current else None


def _village(session, code: str) -> Village:
    village = get_village(session, code)
    if village is None:
        raise NotFound(f"没有编码为“{code}”的村")
    return village


def villages(backend: Backend) -> list[Village]:
    with backend.db.read() as session:
        return list_villages(session)


ENTITY_WORDS = {"village": "村", "user": "账号", "asset": "地块/资产", "contract": "合同", "receipt": "收据"}
LATEST_COUNT = 8


def _record_link(code: str, entry: dict[str, Any]) -> tuple[str, str | None]:
    """A readable name for the record of an entry, and its page when it has one."""
    data = entry["data"] or {}
    number = data.get("number") or data.get("code") or data.get("username") or entry["entity_id"]
    label = f"{ENTITY_WORDS.get(entry['entity'], entry['entity'])} {number}"
    pages = {"contract": f"/v/{code}/contracts/{number}", "asset": f"/v/{code}/parcels/{number}"}
    if entry["entity"] == "receipt" and data.get("contract"):
        return label, f"/v/{code}/contracts/{data['contract']}"
    return label, pages.get(entry["entity"])


def latest_changes(session, code: str, count: int = LATEST_COUNT) -> list[Change]:
    """The newest entries of the village log, newest first."""
    lines = session.scalars(select(AuditEntry.line).where(AuditEntry.log == code)
                            .order_by(AuditEntry.seq.desc()).limit(count))
    changes = []
    for line in lines:
        entry = json.loads(line)
        label, link = _record_link(code, entry)
        changes.append(Change(entry["seq"], entry["ts"], entry["action"].rsplit(".", 1)[-1], entry["entity"],
                              label, link, entry["reason"]))
    return changes


def village_overview(backend: Backend, code: str, as_of: date) -> VillageOverview:
    """Totals at a glance for the village home: area leased, this year's rent, arrears, news."""
    with backend.db.read() as session:
        village = _village(session, code)
        contracts = list(session.scalars(select(Contract).where(
            Contract.village_id == village.id, Contract.status != ContractStatus.WITHDRAWN)))
        active = [c for c in contracts if c.status is ContractStatus.ACTIVE and c.start_date <= as_of <= c.end_date]
        area = sum((c.total_area for c in active if c.rent_unit.value == "mu_year"), Decimal("0.00"))
        year_start = date(as_of.year, 1, 1)
        due = sum((i.amount for c in contracts for i in c.schedule() if year_start <= i.due_date <= as_of),
                  Decimal("0.00"))
        received = session.scalars(select(Receipt.amount).where(
            Receipt.village_id == village.id, Receipt.status == RecordStatus.ACTIVE,
            Receipt.received_on >= year_start, Receipt.received_on <= as_of)).all()
        owing = arrears_list(session, village.id, as_of)
        return VillageOverview(
            village, len(active), area, due, sum(received, Decimal("0.00")),
            sum((row.balance.arrears for row in owing), Decimal("0.00")), len(owing),
            latest_changes(session, code), _log_state(session, code))


def record_entries(session, log: str, entity: str, entity_id: str) -> list[dict[str, Any]]:
    """Every entry of one record, oldest first, each with its `hash`."""
    lines = session.scalars(select(AuditEntry.line).where(
        AuditEntry.log == log, AuditEntry.entity == entity, AuditEntry.entity_id == entity_id)
        .order_by(AuditEntry.seq))
    return [json.loads(line) | {"hash": hashlib.sha256(line.encode("utf-8")).hexdigest()} for line in lines]


def contract_detail(backend: Backend, code: str, number: str, as_of: date) -> ContractDetail:
    with backend.db.read() as session:
        village = _village(session, code)
        contract = find_contract(session, village.id, number)
        receipts = list(session.scalars(select(Receipt).where(Receipt.contract_id == contract.id)
                                        .order_by(Receipt.received_on)))
        entries = record_entries(session, code, "contract", contract.audit_id())
        state = _log_state(session, code)
        proof = None
        if entries and state:
            proof = audit_log.inclusion(session, code, entries[-1]["seq"], state.size)
            proof["checkpoint"] = audit_log.latest_checkpoint(session, code)
        return ContractDetail(village, contract, contract_balance(session, contract, as_of), receipts,
                              versions(entries), proof)


CONTRACT_STATUS = {"active": "履行中", "ended": "已到期", "terminated": "已解除", "withdrawn": "已撤回"}
LESSEE_KIND = {"company": "企业/合作社", "person": "个人"}
RENT_UNIT = {"mu_year": "元/亩/年", "m2_month": "元/㎡/月"}
CONTRACT_SORTS = {
    "start": lambda c: (c.start_date, c.number),
    "end": lambda c: (c.end_date, c.number),
    "number": lambda c: c.number,
    "area": lambda c: (c.total_area, c.number),
    "rate": lambda c: (c.rent_rate, c.number),
}
CONTRACT_COLUMNS = [
    Column("number", "合同编号", doc="村内唯一的合同编号"),
    Column("title", "合同名称"),
    Column("lessee", "承租方", doc="企业全称；个人只显示姓氏和末字（张*华）"),
    Column("lessee_kind", "承租方类型", "choice", choices=LESSEE_KIND),
    Column("assets", "地块/资产", doc="地块或资产编号，以顿号分隔"),
    Column("area", "面积", "area", doc="出租面积：土地为亩，房屋为平方米"),
    Column("start_date", "起始日期", "date"),
    Column("end_date", "终止日期", "date"),
    Column("rent_rate", "租金单价", "money", doc="元，单位见 rent_unit"),
    Column("rent_unit", "单位", "choice", choices=RENT_UNIT),
    Column("arrears", "欠缴", "money", doc="截至 as_of 应缴未缴的租金"),
    Column("status", "状态", "choice", choices=CONTRACT_STATUS),
]


def contract_state(contract: Contract, as_of: date) -> str:
    """履行中 / 已到期 / 已解除 / 已撤回 on `as_of`."""
    if contract.status is ContractStatus.ACTIVE and contract.end_date < as_of:
        return "ended"
    return contract.status.value


def _listing(session, village: Village, name: str, title: str, as_of: date, columns, rows, links,
             totals=None) -> Listing:
    state = _log_state(session, village.code)
    return Listing(name, title, village.code, village.name, as_of, columns, rows, links, totals,
                   state.size if state else 0, state.root_hex if state else "")


def contracts_listing(backend: Backend, code: str, as_of: date, *, status: str | None = None,
                      lessee: str = "", parcel: str = "", sort: str = "start") -> Listing:
    """合同公开 — every contract (withdrawn ones too, marked), filtered and sorted as asked."""
    with backend.db.read() as session:
        village = _village(session, code)
        contracts = list(session.scalars(select(Contract).where(Contract.village_id == village.id)))
        owing = {row.contract.id: row.balance.arrears for row in arrears_list(session, village.id, as_of)}
    chosen = [c for c in contracts
              if (not status or contract_state(c, as_of) == status)
              and (not lessee or lessee in c.lessee_public_name())
              and (not parcel or any(item.asset.number == parcel for item in c.items))]
    chosen.sort(key=CONTRACT_SORTS[sort], reverse=sort in ("start", "area", "rate"))
    rows = [{
        "number": c.number, "title": c.title, "lessee": c.lessee_public_name(),
        "lessee_kind": c.lessee_kind.value, "assets": "、".join(i.asset.number for i in c.items),
        "area": str(c.total_area), "start_date": c.start_date.isoformat(), "end_date": c.end_date.isoformat(),
        "rent_rate": str(c.rent_rate), "rent_unit": c.rent_unit.value,
        "arrears": str(owing.get(c.id, Decimal("0.00"))), "status": contract_state(c, as_of),
    } for c in chosen]
    totals = {"count": len(rows), "arrears": str(sum((Decimal(r["arrears"]) for r in rows), Decimal("0.00")))}
    with backend.db.read() as session:
        return _listing(session, village, "contracts", "合同公开", as_of, CONTRACT_COLUMNS, rows,
                        [f"/v/{code}/contracts/{c.number}" for c in chosen], totals)


ARREARS_COLUMNS = [
    Column("contract", "合同编号"),
    Column("lessee", "承租方", doc="企业全称；个人只显示姓氏和末字"),
    Column("due", "应缴", "money", doc="截至 as_of 按缴款计划应缴的租金合计（元）"),
    Column("paid", "已缴", "money", doc="截至 as_of 已登记的收款合计（元）"),
    Column("arrears", "欠缴", "money", doc="应缴减已缴（元）"),
    Column("oldest_due_date", "最早欠缴期", "date", doc="尚未缴清的最早一期的应缴日"),
    Column("days_overdue", "逾期天数", "number"),
]


def arrears_listing(backend: Backend, code: str, as_of: date) -> Listing:
    """欠租清单 — derived from schedules and receipts, largest amount first."""
    with backend.db.read() as session:
        village = _village(session, code)
        owing = arrears_list(session, village.id, as_of)
        rows = []
        for row in owing:
            unpaid = [s for s in row.balance.instalments if s.outstanding and s.instalment.due_date <= as_of]
            rows.append({
                "contract": row.contract.number, "lessee": row.contract.lessee_public_name(),
                "due": str(row.balance.due), "paid": str(row.balance.paid), "arrears": str(row.balance.arrears),
                "oldest_due_date": unpaid[0].instalment.due_date.isoformat() if unpaid else None,
                "days_overdue": row.balance.days_overdue,
            })
        totals = {"count": len(rows), "arrears": str(sum((r.balance.arrears for r in owing), Decimal("0.00")))}
        return _listing(session, village, "arrears", "欠租清单", as_of, ARREARS_COLUMNS, rows,
                        [f"/v/{code}/contracts/{r['contract']}" for r in rows], totals)


RECEIPT_STATUS = {"active": "有效", "withdrawn": "已撤回"}
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
        village = _village(session, code)
        days = session.scalars(select(Receipt.received_on).where(Receipt.village_id == village.id)).all()
    return sorted({d.year for d in days}, reverse=True)


def receipts_listing(backend: Backend, code: str, as_of: date, *, year: int | None = None,
                     contract: str = "") -> Listing:
    """收益凭证 — receipts of a year and/or a contract, newest first; withdrawn ones marked."""
    with backend.db.read() as session:
        village = _village(session, code)
        query = select(Receipt).where(Receipt.village_id == village.id)
        if year:
            query = query.where(Receipt.received_on >= date(year, 1, 1), Receipt.received_on <= date(year, 12, 31))
        receipts = [r for r in session.scalars(query.order_by(Receipt.received_on.desc(), Receipt.number.desc()))
                    if not contract or (r.contract and r.contract.number == contract)]
        rows = [{
            "number": r.number, "received_on": r.received_on.isoformat(), "amount": str(r.amount),
            "payer": r.payer_public_name(), "contract": r.contract.number if r.contract else None,
            "note": r.note, "scan_sha256": r.scan_sha256, "status": r.status.value,
        } for r in receipts]
        active = [r for r in receipts if r.status.value == "active"]
        totals = {"count": len(rows), "amount": str(sum((r.amount for r in active), Decimal("0.00")))}
        return _listing(session, village, "receipts", "收益凭证", as_of, RECEIPT_COLUMNS, rows,
                        [f"/v/{code}/contracts/{r['contract']}" if r["contract"] else None for r in rows], totals)
