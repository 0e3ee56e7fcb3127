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

from portal.kernel.history import Version, versions
from portal.publishing.listings import Column, Listing
from portal.contracts.ledger import ContractBalance
from portal.auditlog.models import AuditEntry
from portal.contracts.models import Contract, ContractStatus
from portal.receipts.models import Receipt
from portal.kernel.status import RecordStatus
from portal.villages.models import Village
from portal.auditlog import store as audit_log
from portal.contracts.arrears import arrears_list, contract_balance
from portal.kernel.transaction import Backend
from portal.contracts.services import find_contract
from portal.kernel.errors import NotFound
from portal.villages.services import get_village, list_villages


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
    unanswered_comments: int
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


LATEST_COUNT = 8


def _record_link(code: str, entry: dict[str, Any]) -> tuple[str, str | None]:
    """A readable name for the record of an entry, and its page when it has one."""
    data = entry["data"] or {}
    number = data.get("number") or data.get("code") or data.get("username") or entry["entity_id"]
    label = f"{ENTITY_NAMES.get(entry['entity'], entry['entity'])} {number}"
    pages = {"contract": f"/v/{code}/contracts/{number}", "asset": f"/v/{code}/parcels/{number}",
             "notice": f"/v/{code}/notices/{number}", "plan": f"/v/{code}/plans/{number}"}
    if entry["entity"] == "receipt" and data.get("contract"):
        return label, f"/v/{code}/contracts/{data['contract']}"
    if entry["entity"] in ("plan_comment", "consent_vote") and data.get("plan"):
        anchor = f"comment-{number}" if entry["entity"] == "plan_comment" else "votes"
        return f"方案 {data['plan']} {label}", f"/v/{code}/plans/{data['plan']}#{anchor}"
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
        owing = arrears_list(session, village.id, as_of, contracts)
        return VillageOverview(
            village, len(active), area, due, sum(received, Decimal("0.00")),
            sum((row.balance.arrears for row in owing), Decimal("0.00")), len(owing),
            _unanswered_comments(session, village.id), latest_changes(session, code), _log_state(session, code))


def _unanswered_comments(session, village_id: int) -> int:
    """意见 on plans that nobody has answered yet (事事有回音: this number should be zero)."""
    from sqlalchemy import func

    from portal.plans.models import CommentStatus, PlanComment

    return session.scalar(select(func.count()).select_from(PlanComment).where(
        PlanComment.village_id == village_id, PlanComment.status == CommentStatus.VISIBLE,
        PlanComment.reply == "")) or 0


def record_entries(session, log: str, entity: str, entity_id: str) -> list[dict[str, Any]]:
    """Every entry of one record, oldest first, each with its `hash`."""
    lines = session.scalars(select(AuditEntry.line).where(
        AuditEntry.log == log, AuditEntry.entity == entity, AuditEntry.entity_id == entity_id)
        .order_by(AuditEntry.seq))
    return [json.loads(line) | {"hash": hashlib.sha256(line.encode("utf-8")).hexdigest()} for line in lines]


def record_proof(session, code: str, entries: list[dict[str, Any]]) -> dict[str, Any] | None:
    """The inclusion proof of a record's latest entry against the current log, with the checkpoint."""
    state = _log_state(session, code)
    if not entries or not state:
        return None
    proof = audit_log.inclusion(session, code, entries[-1]["seq"], state.size)
    proof["checkpoint"] = audit_log.latest_checkpoint(session, code)
    return proof


def contract_detail(backend: Backend, code: str, number: str, as_of: date) -> ContractDetail:
    with backend.db.read() as session:
        village = _village(session, code)
        contract = find_contract(session, village.id, number)
        receipts = list(session.scalars(select(Receipt).where(Receipt.contract_id == contract.id)
                                        .order_by(Receipt.received_on)))
        entries = record_entries(session, code, "contract", contract.audit_id())
        return ContractDetail(village, contract, contract_balance(session, contract, as_of), receipts,
                              versions(entries), record_proof(session, code, entries))


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


ENTITY_NAMES = {"asset": "地块/资产", "contract": "合同", "receipt": "收据", "notice": "公告", "plan": "方案",
                "plan_comment": "意见", "consent_vote": "表决", "village": "村", "user": "账号"}


@dataclass(frozen=True)
class Stats:
    village: Village
    published: list[tuple[str, int]]   # (Chinese name of the record type, how many records)
    log_size: int
    visits_total: int
    visits_by_day: list[tuple[date, int]]


def village_stats(backend: Backend, code: str, visits: list[tuple[date, int]]) -> Stats:
    """发布条数与访问量: records published per type, log size, page visits."""
    from sqlalchemy import distinct, func

    with backend.db.read() as session:
        village = _village(session, code)
        counts = session.execute(select(AuditEntry.entity, func.count(distinct(AuditEntry.entity_id)))
                                 .where(AuditEntry.log == code).group_by(AuditEntry.entity)).all()
        state = _log_state(session, code)
    published = sorted(((ENTITY_NAMES.get(e, e), n) for e, n in counts if e not in ("village", "user")),
                       key=lambda item: -item[1])
    return Stats(village, published, state.size if state else 0, sum(n for _, n in visits), visits)


@dataclass(frozen=True)
class SearchHit:
    entity: str
    label: str
    link: str | None
    snippet: str


def _public_values(data: Any) -> list[str]:
    if isinstance(data, dict):
        return [v for value in data.values() for v in _public_values(value)]
    if isinstance(data, list):
        return [v for value in data for v in _public_values(value)]
    return [str(data)] if isinstance(data, str) else []


def search_records(backend: Backend, code: str, query: str, limit: int = 50) -> list[SearchHit]:
    """Finds records whose current public state contains every word of `query`.

    Searches what the log says is public (the latest entry of each record), so a search can
    never find a record by a person's full name: only the masked form is public.
    """
    from sqlalchemy import func

    words = [w for w in query.split() if w]
    with backend.db.read() as session:
        _village(session, code)
        latest = (select(func.max(AuditEntry.seq)).where(AuditEntry.log == code)
                  .group_by(AuditEntry.entity, AuditEntry.entity_id))
        lines = session.scalars(select(AuditEntry.line).where(
            AuditEntry.log == code, AuditEntry.seq.in_(latest), AuditEntry.entity.not_in(("user", "village")))
            .order_by(AuditEntry.seq.desc()))
        hits = []
        for line in lines:
            entry = json.loads(line)
            values = _public_values(entry["data"])
            text = " ".join(values)
            if all(word.lower() in text.lower() for word in words):
                label, link = _record_link(code, entry)
                matched = next((v for v in values if words[0].lower() in v.lower()), "")
                title = (entry["data"] or {}).get("title") or (entry["data"] or {}).get("name") or ""
                snippet = " · ".join(dict.fromkeys(v for v in (title, matched) if v))[:100]
                hits.append(SearchHit(entry["entity"], label, link, snippet))
                if len(hits) >= limit:
                    break
        return hits


def village_name(backend: Backend, code: str) -> str:
    with backend.db.read() as session:
        return _village(session, code).name


@dataclass(frozen=True)
class FeedItem:
    change: Change
    hash: str
    changes: list[Any]


def latest_feed(backend: Backend, code: str, count: int) -> tuple[Village, list[FeedItem]]:
    """The newest `count` changes, each with what it changed, read in three queries."""
    from sqlalchemy import tuple_

    with backend.db.read() as session:
        village = _village(session, code)
        changes = latest_changes(session, code, count)
        keys = session.execute(select(AuditEntry.entity, AuditEntry.entity_id).where(
            AuditEntry.log == code, AuditEntry.seq.in_([c.seq for c in changes]))).all()
        lines = session.scalars(select(AuditEntry.line).where(
            AuditEntry.log == code, tuple_(AuditEntry.entity, AuditEntry.entity_id).in_([tuple(k) for k in keys]))
            .order_by(AuditEntry.seq)) if keys else []
        by_record: dict[tuple[str, str], list[dict[str, Any]]] = {}
        for line in lines:
            entry = json.loads(line) | {"hash": hashlib.sha256(line.encode("utf-8")).hexdigest()}
            by_record.setdefault((entry["entity"], entry["entity_id"]), []).append(entry)
        seq_to_version = {v.seq: v for record in by_record.values() for v in versions(record)}
        return village, [FeedItem(c, seq_to_version[c.seq].hash, seq_to_version[c.seq].changes) for c in changes]


# ── 地块 — the parcel register, one parcel's page and the parcel map (零散地块图) ──────────────
# Imports kept with the parcel reads they serve.
from collections import defaultdict  # noqa: E402
from dataclasses import replace  # noqa: E402

from portal.parcels import mapping  # noqa: E402
from portal.kernel.history import FieldChange  # noqa: E402
from portal.parcels.models import Asset, AssetKind  # noqa: E402
from portal.contracts.models import ContractAsset  # noqa: E402
from portal.parcels.status import ParcelState, STATUS_LABELS, parcel_status  # noqa: E402
from portal.parcels.services import find_asset  # noqa: E402

PARCEL_STATUS = STATUS_LABELS
ASSET_KIND = {"land": "地块", "building": "房屋", "shop": "店面", "facility": "设施"}
AREA_UNIT = {"mu": "亩", "m2": "㎡"}
PARCEL_SORTS = {
    "number": (lambda a, s: a.number, False),
    "area": (lambda a, s: (a.kind is AssetKind.LAND, a.area, a.number), True),  # land (亩) first, largest first
    "status": (lambda a, s: (list(STATUS_LABELS).index(s.status.value), a.number), False),
    "end": (lambda a, s: (s.contract is None, s.contract.end_date if s.contract else date.max, a.number), False),
}
PARCEL_COLUMNS = [
    Column("number", "编号", doc="村内唯一的地块或资产编号"),
    Column("name", "名称"),
    Column("kind", "类别", "choice", choices=ASSET_KIND),
    Column("land_type", "地类", doc="耕地、园地、林地等；房屋为空"),
    Column("area", "面积", "area", doc="单位见 area_unit：土地为亩，房屋为平方米"),
    Column("area_unit", "面积单位", "choice", choices=AREA_UNIT),
    Column("location", "位置"),
    Column("status", "状态", "choice", choices=PARCEL_STATUS,
           doc="截至 as_of：已出租、租期将满（6 个月内到期）、招租中、闲置、已撤回"),
    Column("lessee", "承租方", doc="当前承租方；企业全称，个人只显示姓氏和末字（张*华）"),
    Column("contract", "合同编号", doc="当前覆盖该地块的合同"),
    Column("contract_end", "合同终止日期", "date"),
]


@dataclass(frozen=True)
class ParcelDetail:
    village: Village
    asset: Asset
    state: ParcelState
    contracts: list[Contract]  # every contract on it, withdrawn ones too, oldest first
    history: list[Version]
    proof: dict[str, Any] | None


@dataclass(frozen=True)
class ParcelMapData:
    village: Village
    parcels: list[tuple[Asset, ParcelState]]  # land parcels and anything with a polygon, by number
    log: LogState | None


def _contracts_by_asset(session, village_id: int) -> dict[int, list[Contract]]:
    """Every contract of the village under each asset it includes; two queries in all."""
    by_asset: dict[int, list[Contract]] = defaultdict(list)
    for contract in session.scalars(select(Contract).where(Contract.village_id == village_id)):
        for item in contract.items:
            by_asset[item.asset_id].append(contract)
    return by_asset


def _parcel_states(session, village_id: int, as_of: date) -> list[tuple[Asset, ParcelState]]:
    """Every asset of the village, by number, with its status on `as_of`."""
    by_asset = _contracts_by_asset(session, village_id)
    assets = session.scalars(select(Asset).where(Asset.village_id == village_id).order_by(Asset.number))
    return [(a, parcel_status(a.status is RecordStatus.WITHDRAWN, by_asset.get(a.id, []), as_of)) for a in assets]


def _parcel_row(asset: Asset, state: ParcelState) -> dict[str, Any]:
    contract = state.contract
    return {
        "number": asset.number, "name": asset.name, "kind": asset.kind.value, "land_type": asset.land_type,
        "area": str(asset.area), "area_unit": asset.area_unit, "location": asset.location,
        "status": state.status.value,
        "lessee": contract.lessee_public_name() if contract else None,
        "contract": contract.number if contract else None,
        "contract_end": contract.end_date.isoformat() if contract else None,
    }


def parcels_listing(backend: Backend, code: str, as_of: date, *, status: str | None = None,
                    kind: str | None = None, sort: str = "number") -> Listing:
    """地块登记 — every parcel and building with its status on `as_of`, filtered and sorted."""
    with backend.db.read() as session:
        village = _village(session, code)
        chosen = [(a, s) for a, s in _parcel_states(session, village.id, as_of)
                  if (not status or s.status.value == status) and (not kind or a.kind.value == kind)]
        key, reverse = PARCEL_SORTS[sort]
        chosen.sort(key=lambda pair: key(*pair), reverse=reverse)
        rows = [_parcel_row(a, s) for a, s in chosen]
        land = [a for a, _ in chosen if a.kind is AssetKind.LAND]
        totals = {"count": len(rows), "land_area": str(sum((a.area for a in land), Decimal("0.00")))}
        return _listing(session, village, "parcels", "地块登记", as_of, PARCEL_COLUMNS, rows,
                        [f"/v/{code}/parcels/{a.number}" for a, _ in chosen], totals)


def parcel_detail(backend: Backend, code: str, number: str, as_of: date) -> ParcelDetail:
    """One parcel: its status, every contract on it, its versions and its inclusion proof."""
    with backend.db.read() as session:
        village = _village(session, code)
        asset = find_asset(session, village.id, number)
        contracts = list(session.scalars(select(Contract).join(ContractAsset)
                                         .where(ContractAsset.asset_id == asset.id)
                                         .order_by(Contract.start_date, Contract.number)))
        state = parcel_status(asset.status is RecordStatus.WITHDRAWN, contracts, as_of)
        entries = record_entries(session, code, "asset", asset.audit_id())
        history = [replace(v, changes=[_readable_outline(ch) for ch in v.changes]) for v in versions(entries)]
        return ParcelDetail(village, asset, state, contracts, history, record_proof(session, code, entries))


def _readable_outline(change: FieldChange) -> FieldChange:
    """边界 as words (corners and size), not as lists of coordinates."""
    if change.field != "polygon":
        return change
    before, after = (mapping.describe_outline(p) if p else None for p in (change.before, change.after))
    return replace(change, before=before, after=after)


def parcel_map(backend: Backend, code: str, as_of: date) -> ParcelMapData:
    """零散地块图 — land parcels (and any asset with a polygon) with their status on `as_of`."""
    with backend.db.read() as session:
        village = _village(session, code)
        parcels = [(a, s) for a, s in _parcel_states(session, village.id, as_of)
                   if a.kind is AssetKind.LAND or a.polygon]
        return ParcelMapData(village, parcels, _log_state(session, code))


@dataclass(frozen=True)
class Scan:
    """A receipt's stored scan and whether it may be shown to everyone."""

    path: Any
    media_type: str
    sha256: str
    public: bool
    village_id: int


def receipt_scan(backend: Backend, code: str, number: str) -> Scan:
    """The scan of receipt `number`; NotFound when there is none. A scan of a payment by a
    person shows their name, so it is public only when the payer is a company."""
    from portal.auditlog.models import StoredFile
    from portal.auditlog.files import path_for

    with backend.db.read() as session:
        village = _village(session, code)
        receipt = session.scalar(select(Receipt).where(Receipt.village_id == village.id, Receipt.number == number))
        if receipt is None or receipt.scan_sha256 is None:
            raise NotFound(f"收据“{number}”没有扫描件")
        stored = session.get(StoredFile, receipt.scan_sha256)
        return Scan(path_for(backend.files_dir, receipt.scan_sha256), stored.media_type if stored else
                    "application/octet-stream", receipt.scan_sha256, not receipt.payer_is_person, village.id)
