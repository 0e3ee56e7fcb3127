"""What the public pages show, read in one session and returned fully loaded."""
from __future__ import annotations

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
from ..models import AuditEntry, Contract, ContractStatus, Receipt, Village
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


@dataclass(frozen=True)
class VillageOverview:
    village: Village
    contracts: list[Contract]
    contracted_area: Decimal
    arrears_total: Decimal
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


def village_overview(backend: Backend, code: str, as_of: date) -> VillageOverview:
    with backend.db.read() as session:
        village = _village(session, code)
        contracts = list(session.scalars(select(Contract).where(Contract.village_id == village.id)
                                         .order_by(Contract.start_date.desc(), Contract.number)))
        active = [c for c in contracts if c.status is ContractStatus.ACTIVE and c.end_date >= as_of]
        area = sum((c.total_area for c in active if c.rent_unit.value == "mu_year"), Decimal("0.00"))
        owing = sum((row.balance.arrears for row in arrears_list(session, village.id, as_of)), Decimal("0.00"))
        return VillageOverview(village, contracts, area, owing, _log_state(session, code))


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
