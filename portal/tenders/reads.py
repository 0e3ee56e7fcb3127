"""What the tender pages show, read in one session each and returned fully loaded."""
from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from sqlalchemy import select

from portal.auditlog.records import record_entries, record_proof
from portal.kernel.history import Version, versions
from portal.kernel.transaction import Backend
from portal.plans.models import Plan
from portal.publishing.listings import Column, Listing, village_listing
from portal.tenders.labels import FIELDS, TENDER_MODE, TENDER_STAGE
from portal.tenders.models import Tender
from portal.tenders.services import find_tender
from portal.villages.models import Village
from portal.villages.services import find_village

TENDER_COLUMNS = [
    Column("number", "招租编号", doc="村内唯一的招租编号"),
    Column("title", "标题"),
    Column("mode", "竞价方式", "choice", choices=TENDER_MODE),
    Column("area", "面积（亩）", "area", doc="各标的地块招租面积之和"),
    Column("reserve_price", "底价（元/亩/年）", "money"),
    Column("publicity_start", "公示开始", "date"),
    Column("publicity_end", "公示结束", "date", doc="公示期按工作日（周一至周五）计算；更正后重新计算"),
    Column("bid_deadline", "竞价日/报价截止日", "date"),
    Column("stage", "进度", "choice", choices=TENDER_STAGE),
    Column("winning_price", "成交价（元/亩/年）", "money"),
    Column("version", "版本", "number", doc="每次更正、答疑、报名、出价、开标都是新的一版，均记入日志"),
]


@dataclass(frozen=True)
class TenderDetail:
    village: Village
    tender: Tender
    stage: str
    bidders: list[dict[str, Any]]        # masked as published
    plan_title: str | None
    bids: list[dict[str, Any]]           # "at" and "revealed_at" as datetimes, for the page
    failed_reveals: list[dict[str, Any]]
    history: list[Version]
    proof: dict[str, Any] | None


def tenders_listing(backend: Backend, code: str, as_of: date) -> Listing:
    """招租 — every tender, newest first (withdrawn ones too, marked)."""
    with backend.db.read() as session:
        village = find_village(session, code)
        tenders = list(session.scalars(select(Tender).where(Tender.village_id == village.id)
                                       .order_by(Tender.publicity_start.desc(), Tender.number.desc())))
        rows = [{"number": t.number, "title": t.title, "mode": t.mode.value, "area": str(t.area()),
                 "reserve_price": str(t.reserve_price), "publicity_start": t.publicity_start.isoformat(),
                 "publicity_end": t.publicity_end.isoformat(), "bid_deadline": t.bid_deadline.isoformat(),
                 "stage": t.stage(as_of),
                 "winning_price": str(t.winning_price) if t.winning_price is not None else None,
                 "version": t.version} for t in tenders]
        return village_listing(session, village, "tenders", "招租", as_of, TENDER_COLUMNS, rows,
                               [f"/v/{code}/tenders/{t.number}" for t in tenders], {"count": len(rows)})


def tender_detail(backend: Backend, code: str, number: str) -> TenderDetail:
    with backend.db.read() as session:
        village = find_village(session, code)
        tender = find_tender(session, village.id, number)
        plan_title = None
        if tender.plan_number:
            plan_title = session.scalar(select(Plan.title).where(Plan.village_id == village.id,
                                                                 Plan.number == tender.plan_number))
        entries = record_entries(session, code, "tender", tender.audit_id())
        return TenderDetail(village, tender, tender.stage(backend.today()), tender.public_bidders(), plan_title,
                            _timed(tender.bids), _timed(tender.failed_reveals), versions(entries, FIELDS), record_proof(session, code, entries))


def _timed(items: list[dict[str, Any]]) -> list[dict[str, Any]]:
    return [{**item, **{key: datetime.fromisoformat(item[key]) for key in ("at", "revealed_at") if item.get(key)}}
            for item in items]


def page_path(code: str, data: Mapping[str, Any]) -> str | None:
    return f"/v/{code}/tenders/{data['number']}" if data.get("number") else None
