"""What the entrustment pages show, read in one session each."""
from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any

from sqlalchemy import select

from portal.auditlog.records import record_entries, record_proof
from portal.entrustments.labels import ENTRUSTMENT_STATUS, FIELDS
from portal.entrustments.models import Entrustment
from portal.entrustments.services import find_entrustment
from portal.kernel.area import area_text
from portal.kernel.history import Version, versions
from portal.kernel.status import RecordStatus
from portal.kernel.transaction import Backend
from portal.publishing.listings import Column, Listing, village_listing
from portal.villages.models import Village
from portal.villages.services import find_village

ENTRUSTMENT_COLUMNS = [
    Column("number", "委托编号"),
    Column("household", "委托农户", doc="户主姓名只显示姓氏和末字（张*华）"),
    Column("assets", "委托地块", doc="地块编号，以顿号分隔"),
    Column("area", "委托面积（亩）", "area"),
    Column("start_date", "起始日期", "date"),
    Column("end_date", "终止日期", "date"),
    Column("rent_rate", "流转租金（元/亩/年）", "money"),
    Column("annual_rent", "每年流转租金", "money", doc="委托面积 × 流转租金单价，元"),
    Column("paid_years", "已支付年度", doc="已支付流转租金的年度，以顿号分隔；每笔支出见资金收支"),
    Column("status", "状态", "choice", choices=ENTRUSTMENT_STATUS),
]


@dataclass(frozen=True)
class EntrustmentDetail:
    village: Village
    entrustment: Entrustment
    history: list[Version]
    proof: dict[str, Any] | None


def _row(e: Entrustment) -> dict[str, Any]:
    return {"number": e.number, "household": e.household_public_name(),
            "assets": "、".join(item.asset.number for item in e.items), "area": area_text(e.total_area),
            "start_date": e.start_date.isoformat(), "end_date": e.end_date.isoformat(),
            "rent_rate": str(e.rent_rate), "annual_rent": str(e.annual_rent),
            "paid_years": "、".join(str(y) for y in sorted(e.paid_years())), "status": e.status.value}


def entrustments_listing(backend: Backend, code: str, as_of: date) -> Listing:
    """流转委托 — every household's entrustment, by number; totals of the active ones."""
    with backend.db.read() as session:
        village = find_village(session, code)
        records = list(session.scalars(select(Entrustment).where(Entrustment.village_id == village.id)
                                       .order_by(Entrustment.number)))
        rows = [_row(e) for e in records]
        active = [e for e in records if e.status is RecordStatus.ACTIVE]
        totals = {"count": len(active), "area": area_text(sum((e.total_area for e in active), Decimal("0.00"))),
                  "annual_rent": str(sum((e.annual_rent for e in active), Decimal("0.00")))}
        return village_listing(session, village, "entrustments", "流转委托", as_of, ENTRUSTMENT_COLUMNS, rows,
                               [f"/v/{code}/entrustments/{e.number}" for e in records], totals)


def entrustment_detail(backend: Backend, code: str, number: str) -> EntrustmentDetail:
    with backend.db.read() as session:
        village = find_village(session, code)
        entrustment = find_entrustment(session, village.id, number)
        entries = record_entries(session, code, "entrustment", entrustment.audit_id())
        return EntrustmentDetail(village, entrustment, versions(entries, FIELDS),
                                 record_proof(session, code, entries))


def page_path(code: str, data: Mapping[str, Any]) -> str | None:
    return f"/v/{code}/entrustments/{data['number']}" if data.get("number") else None
