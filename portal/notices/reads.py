"""What the notice pages show, read in one session each and returned fully loaded."""
from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlalchemy import select

from portal.auditlog.records import record_entries, record_proof
from portal.kernel.history import Version, versions
from portal.kernel.transaction import Backend
from portal.notices.labels import FIELDS, NOTICE_CATEGORY, NOTICE_STATUS
from portal.notices.models import Notice, NoticeCategory
from portal.notices.services import find_notice
from portal.publishing.listings import Column, Listing, village_listing
from portal.villages.models import Village
from portal.villages.services import find_village

NOTICE_COLUMNS = [
    Column("number", "公告编号", doc="村内唯一的公告编号"),
    Column("title", "标题"),
    Column("category", "类别", "choice", choices=NOTICE_CATEGORY),
    Column("published_on", "发布日期", "date"),
    Column("version", "版本", "number", doc="每更正一次加 1；各版本见公告页的修改历史"),
    Column("status", "状态", "choice", choices=NOTICE_STATUS),
]


@dataclass(frozen=True)
class NoticeDetail:
    village: Village
    notice: Notice
    history: list[Version]
    proof: dict[str, Any] | None


def notices_listing(backend: Backend, code: str, as_of: date, *, category: str | None = None) -> Listing:
    """公告 — every notice, newest first (withdrawn ones too, marked), optionally of one category."""
    with backend.db.read() as session:
        village = find_village(session, code)
        query = select(Notice).where(Notice.village_id == village.id)
        if category:
            query = query.where(Notice.category == NoticeCategory(category))
        notices = list(session.scalars(query.order_by(Notice.published_on.desc(), Notice.number.desc())))
        rows = [{"number": n.number, "title": n.title, "category": n.category.value,
                 "published_on": n.published_on.isoformat(), "version": n.version, "status": n.status.value}
                for n in notices]
        return village_listing(session, village, "notices", "公告", as_of, NOTICE_COLUMNS, rows,
                        [f"/v/{code}/notices/{n.number}" for n in notices], {"count": len(rows)})


def notice_detail(backend: Backend, code: str, number: str) -> NoticeDetail:
    with backend.db.read() as session:
        village = find_village(session, code)
        notice = find_notice(session, village.id, number)
        entries = record_entries(session, code, "notice", notice.audit_id())
        return NoticeDetail(village, notice, versions(entries, FIELDS), record_proof(session, code, entries))


def page_path(code: str, data: Mapping[str, Any]) -> str | None:
    return f"/v/{code}/notices/{data['number']}" if data.get("number") else None
