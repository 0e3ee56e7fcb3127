"""What the contract pages and the arrears list show, read in one session and returned fully loaded."""
from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any

from sqlalchemy import select

from portal.auditlog.records import record_entries, record_proof
from portal.contracts.arrears import arrears_list, contract_balance
from portal.contracts.labels import CONTRACT_STATUS, FIELDS, LESSEE_KIND, RENT_UNIT
from portal.contracts.ledger import ContractBalance
from portal.contracts.models import Contract, ContractStatus
from portal.contracts.services import find_contract
from portal.kernel.history import Version, versions
from portal.kernel.transaction import Backend
from portal.publishing.listings import Column, Listing, village_listing
from portal.receipts.models import Receipt
from portal.villages.models import Village
from portal.villages.services import find_village


@dataclass(frozen=True)
class ContractDetail:
    village: Village
    contract: Contract
    balance: ContractBalance
    receipts: list[Receipt]
    history: list[Version]
    proof: dict[str, Any] | None


def contract_detail(backend: Backend, code: str, number: str, as_of: date) -> ContractDetail:
    with backend.db.read() as session:
        village = find_village(session, code)
        contract = find_contract(session, village.id, number)
        receipts = list(session.scalars(select(Receipt).where(Receipt.contract_id == contract.id)
                                        .order_by(Receipt.received_on)))
        entries = record_entries(session, code, "contract", contract.audit_id())
        return ContractDetail(village, contract, contract_balance(session, contract, as_of), receipts,
                              versions(entries, FIELDS), record_proof(session, code, entries))


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


def contracts_listing(backend: Backend, code: str, as_of: date, *, status: str | None = None,
                      lessee: str = "", parcel: str = "", sort: str = "start") -> Listing:
    """合同公开 — every contract (withdrawn ones too, marked), filtered and sorted as asked."""
    with backend.db.read() as session:
        village = find_village(session, code)
        contracts = list(session.scalars(select(Contract).where(Contract.village_id == village.id)))
        owing = {row.contract.id: row.balance.arrears for row in arrears_list(session, village.id, as_of, contracts)}
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
        return village_listing(session, village, "contracts", "合同公开", as_of, CONTRACT_COLUMNS, rows,
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
        village = find_village(session, code)
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
        return village_listing(session, village, "arrears", "欠租清单", as_of, ARREARS_COLUMNS, rows,
                        [f"/v/{code}/contracts/{r['contract']}" for r in rows], totals)


def page_path(code: str, data: Mapping[str, Any]) -> str | None:
    """The public page of a contract, from its public state."""
    return f"/v/{code}/contracts/{data['number']}" if data.get("number") else None
