"""What the contract pages and the arrears list show, read in one session and returned fully loaded."""
from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any

from sqlalchemy import bindparam, select
from sqlalchemy.orm import Session, raiseload

from portal.auditlog.records import log_state, record_entries, record_proof
from portal.contracts.arrears import STANDINGS, ZERO, arrears_list, contract_balance
from portal.contracts.labels import CONTRACT_KIND, CONTRACT_STATUS, FIELDS, LESSEE_KIND, RENT_UNIT
from portal.contracts.ledger import ContractBalance
from portal.contracts.models import (
    Contract,
    ContractAsset,
    ContractKind,
    ContractStatus,
    LesseeKind,
    RentUnit,
    public_lessee_name,
)
from portal.contracts.services import find_contract
from portal.kernel.area import area_text
from portal.kernel.history import Version, versions
from portal.kernel.money import round_fen
from portal.kernel.status import RecordStatus
from portal.kernel.transaction import Backend
from portal.parcels.models import Asset
from portal.publishing.listings import Column, LazyRows, Listing, village_listing
from portal.publishing.memo import HeadMemo
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

    @property
    def revenue_years(self) -> list[RevenueYear]:
        """保底 + 分成: each declared year's revenue, share and the rent due (the larger of minimum and share)."""
        c = self.contract
        minimum = {i.period_start.year: i.amount for i in c.schedule()}
        years = []
        for r in c.revenues or []:
            revenue = Decimal(r["revenue"])
            share = round_fen(revenue * c.share_percent / 100)
            years.append(RevenueYear(int(r["year"]), revenue, share, minimum.get(int(r["year"]), share)))
        return years


@dataclass(frozen=True)
class RevenueYear:
    year: int
    revenue: Decimal
    share: Decimal
    due: Decimal


def contract_detail(backend: Backend, code: str, number: str, as_of: date) -> ContractDetail:
    with backend.db.read() as session:
        village = find_village(session, code)
        contract = find_contract(session, village.id, number)
        receipts = list(session.scalars(select(Receipt).where(Receipt.contract_id == contract.id)
                                        .order_by(Receipt.received_on).options(raiseload("*"))))
        payments = [(r.received_on, r.amount) for r in receipts if r.status is RecordStatus.ACTIVE]
        entries = record_entries(session, code, "contract", contract.audit_id())
        return ContractDetail(village, contract, contract_balance(session, contract, as_of, payments), receipts,
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
    Column("kind", "租赁方式", "choice", choices=CONTRACT_KIND, doc="fixed 固定租金；revenue_share 保底加分成；rent_free 无偿使用"),
    Column("assets", "地块/资产", doc="地块或资产编号，以顿号分隔"),
    Column("area", "面积", "area", doc="出租面积：土地为亩，房屋为平方米"),
    Column("start_date", "起始日期", "date"),
    Column("end_date", "终止日期", "date"),
    Column("rent_rate", "租金单价", "money", doc="元，单位见 rent_unit"),
    Column("rent_unit", "单位", "choice", choices=RENT_UNIT),
    Column("arrears", "欠缴", "money", doc="截至 as_of 应缴未缴的租金"),
    Column("status", "状态", "choice", choices=CONTRACT_STATUS),
]


def contract_state(contract: Contract | ContractLine, as_of: date) -> str:
    """履行中 / 已到期 / 已解除 / 已撤回 on `as_of`."""
    if contract.status is ContractStatus.ACTIVE and contract.end_date < as_of:
        return "ended"
    return contract.status.value


def contracts_listing(backend: Backend, code: str, as_of: date, *, status: str | None = None,
                      lessee: str = "", parcel: str = "", sort: str = "start",
                      head: tuple[int, bytes] | None = None) -> Listing:
    """合同公开 — every contract (withdrawn ones too, marked), filtered and sorted as asked. `head`:
    the village log's (size, root) as the caller already read it (the ETag's), else read here."""
    if head is None:
        with backend.db.read() as session:
            state = log_state(session, code)
        head = (state.size, bytes.fromhex(state.root_hex)) if state else None
    # the head is read first: the lines read below are at least as new
    key = (code, as_of, *head) if head else None
    asked = (status, lessee, parcel, sort)
    listing = _LISTINGS_BY_HEAD.get(backend.db.engine, (key, asked)) if key else None
    if listing is not None:
        return listing
    found = _LINES_BY_HEAD.get(backend.db.engine, key) if key else None
    if found is None:
        with backend.db.read() as session:
            village = find_village(session, code)
            found = (village.code, village.name), village_contracts(session, village.id, as_of)
        if key:
            _LINES_BY_HEAD.put(backend.db.engine, key, found)
    (village_code, village_name), lines = found
    chosen = [c for c in lines
              if (not status or contract_state(c, as_of) == status)
              and (not lessee or lessee in c.lessee)
              and (not parcel or parcel in c.assets)]
    chosen.sort(key=CONTRACT_SORTS[sort], reverse=sort in ("start", "area", "rate"))
    # chosen and sorted on the lines' columns; a row is made only when read (one page of 20 for
    # the HTML list, every row for a download): making all of them was half the uncached page
    totals = {"count": len(chosen), "arrears": str(sum((c.arrears for c in chosen), Decimal("0.00")))}
    listing = Listing("contracts", "合同公开", village_code, village_name, as_of, CONTRACT_COLUMNS,
                      LazyRows(chosen, lambda c: _contract_row(c, as_of)),
                      [f"/v/{code}/contracts/{c.number}" for c in chosen], totals,
                      head[0] if head else 0, head[1].hex() if head else "")
    if key:
        # the same list asked again at the same head: chosen, sorted and its rows made once
        # (a sixth of an uncached page's time)
        _LISTINGS_BY_HEAD.put(backend.db.engine, (key, asked), listing)
    return listing


def _contract_row(c: ContractLine, as_of: date) -> dict[str, Any]:
    """One row of the contract list, as its downloads carry it."""
    return {
        "number": c.number, "title": c.title, "lessee": c.lessee,
        "lessee_kind": c.lessee_kind.value, "kind": c.kind.value, "assets": "、".join(c.assets),
        "area": area_text(c.total_area), "start_date": c.start_date.isoformat(), "end_date": c.end_date.isoformat(),
        "rent_rate": str(c.rent_rate), "rent_unit": c.rent_unit.value,
        "arrears": str(c.arrears), "status": contract_state(c, as_of),
    }


@dataclass(frozen=True)
class ContractLine:
    """What the lists and the village page show of a contract, read as plain columns: the
    demo's ~100 contracts as ORM objects with their leased items and assets took 5 ms of the
    contract list's 11; as columns they take a fifth of that."""

    id: int
    number: str
    title: str
    lessee_kind: LesseeKind
    lessee: str                      # public name: a person's masked
    kind: ContractKind               # 固定租金, 保底加分成 or 无偿使用
    start_date: date
    end_date: date
    rent_rate: Decimal
    rent_unit: RentUnit
    status: ContractStatus
    assets: tuple[str, ...]          # leased asset numbers, by asset id as on the contract page
    total_area: Decimal
    arrears: Decimal                 # on the day asked about; withdrawn contracts owe nothing


_ITEMS = (select(ContractAsset.contract_id, Asset.number, ContractAsset.area)
          .join(Asset, Asset.id == ContractAsset.asset_id).join(Contract, Contract.id == ContractAsset.contract_id)
          .where(Contract.village_id == bindparam("village_id"))
          .order_by(ContractAsset.contract_id, ContractAsset.asset_id))
_LINES = (select(Contract.id, Contract.number, Contract.title, Contract.lessee_kind, Contract.lessee_name,
                 Contract.kind, Contract.start_date, Contract.end_date, Contract.rent_rate, Contract.rent_unit, Contract.status,
                 STANDINGS.c.due, STANDINGS.c.paid)
          .outerjoin(STANDINGS, STANDINGS.c.contract_id == Contract.id)
          .where(Contract.village_id == bindparam("village_id")))


# (code, as_of, log size, log root) → ((village code, name), its contract lines on as_of)
_LINES_BY_HEAD: HeadMemo[tuple[tuple[str, str], list[ContractLine]]] = HeadMemo()
# (the key above, the filters and sort asked) → the list as `contracts_listing` made it
_LISTINGS_BY_HEAD: HeadMemo[Listing] = HeadMemo()


def village_contracts(session: Session, village_id: int, as_of: date) -> list[ContractLine]:
    """Every contract of the village with its leased assets, area and arrears on `as_of`; two
    queries, built once (see arrears.STANDINGS), run without the ORM: they read plain columns."""
    connection = session.connection()
    items: dict[int, list[tuple[str, Decimal]]] = {}
    for contract_id, number, area in connection.execute(_ITEMS, {"village_id": village_id}):
        items.setdefault(contract_id, []).append((number, area))
    lines = []
    for (contract_id, number, title, kind, name, lease, start, end, rate, unit, status, due, paid) in connection.execute(
            _LINES, {"village_id": village_id, "as_of": as_of}):
        leased = items.get(contract_id, [])
        arrears = due - paid if due is not None and due > paid and status is not ContractStatus.WITHDRAWN else ZERO
        lines.append(ContractLine(contract_id, number, title, kind, public_lessee_name(kind, name), lease, start, end,
                                  rate,
                                  unit, status, tuple(n for n, _ in leased), sum((a for _, a in leased), ZERO),
                                  arrears))
    return lines


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
        rows = [{
            "contract": row.contract.number, "lessee": row.contract.lessee_public_name(),
            "due": str(row.balance.due), "paid": str(row.balance.paid), "arrears": str(row.balance.arrears),
            "oldest_due_date": row.balance.oldest_due_date.isoformat() if row.balance.oldest_due_date else None,
            "days_overdue": row.balance.days_overdue,
        } for row in owing]
        totals = {"count": len(rows), "arrears": str(sum((r.balance.arrears for r in owing), Decimal("0.00")))}
        return village_listing(session, village, "arrears", "欠租清单", as_of, ARREARS_COLUMNS, rows,
                        [f"/v/{code}/contracts/{r['contract']}" for r in rows], totals)


def page_path(code: str, data: Mapping[str, Any]) -> str | None:
    """The public page of a contract, from its public state."""
    return f"/v/{code}/contracts/{data['number']}" if data.get("number") else None
