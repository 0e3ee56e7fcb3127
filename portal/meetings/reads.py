"""What the meeting pages show, read in one session each."""
from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from portal.auditlog.records import record_entries, record_proof
from portal.kernel.history import Version, versions
from portal.kernel.messages import say
from portal.kernel.transaction import Backend
from portal.meetings.labels import FIELDS, MEETING_KIND, MEETING_STATUS
from portal.meetings.models import Meeting
from portal.meetings.services import find_meeting
from portal.publishing.scans import StoredScan, stored_scan
from portal.publishing.listings import Column, Listing, village_listing
from portal.villages.models import Village
from portal.villages.services import find_village

MEETING_COLUMNS = [
    Column("number", "会议编号"),
    Column("held_on", "会议日期", "date"),
    Column("kind", "会议类型", "choice", choices=MEETING_KIND),
    Column("title", "议题"),
    Column("expected", "应到", "number"),
    Column("present", "实到", "number"),
    Column("votes_for", "赞成", "number"),
    Column("votes_against", "反对", "number"),
    Column("abstained", "弃权", "number"),
    Column("decision", "决议"),
    Column("minutes_sha256", "会议记录扫描件 SHA-256", doc="扫描件文件的 SHA-256，可下载后自行核对"),
    Column("status", "状态", "choice", choices=MEETING_STATUS),
]


@dataclass(frozen=True)
class Follower:
    """A record that names this meeting as the decision it follows."""

    kind: str      # 招租公告, 合同
    number: str
    title: str
    path: str


@dataclass(frozen=True)
class MeetingDetail:
    village: Village
    meeting: Meeting
    history: list[Version]
    proof: dict[str, Any] | None
    followers: list[Follower] = field(default_factory=list)


def followers(session: Session, village: Village, meeting: Meeting) -> list[Follower]:
    """The tenders and contracts that name the meeting, so its page links to what it decided."""
    from portal.contracts.models import Contract
    from portal.tenders.models import Tender

    found = [Follower("招租公告", number, title, f"/v/{village.code}/tenders/{number}")
             for number, title in session.execute(select(Tender.number, Tender.title).where(
                 Tender.village_id == village.id, Tender.meeting_number == meeting.number).order_by(Tender.number))]
    found += [Follower("合同", number, title, f"/v/{village.code}/contracts/{number}")
              for number, title in session.execute(select(Contract.number, Contract.title).where(
                  Contract.village_id == village.id, Contract.meeting_number == meeting.number).order_by(Contract.number))]
    return found


def meetings_listing(backend: Backend, code: str, as_of: date) -> Listing:
    """会议纪要 — every meeting, newest first; withdrawn ones marked."""
    with backend.db.read() as session:
        village = find_village(session, code)
        meetings = list(session.scalars(select(Meeting).where(Meeting.village_id == village.id)
                                        .order_by(Meeting.held_on.desc(), Meeting.number.desc())))
        rows = [{k: v for k, v in m.public_state().items() if k != "agenda"} for m in meetings]
        return village_listing(session, village, "meetings", "会议纪要", as_of, MEETING_COLUMNS, rows,
                               [f"/v/{code}/meetings/{m.number}" for m in meetings], {"count": len(rows)})


def meeting_detail(backend: Backend, code: str, number: str) -> MeetingDetail:
    with backend.db.read() as session:
        village = find_village(session, code)
        meeting = find_meeting(session, village.id, number)
        entries = record_entries(session, code, "meeting", meeting.audit_id())
        return MeetingDetail(village, meeting, versions(entries, FIELDS), record_proof(session, code, entries),
                             followers(session, village, meeting))


def minutes_scan(backend: Backend, code: str, number: str) -> StoredScan:
    """A meeting's minutes are a public document: anyone may open the scan."""
    with backend.db.read() as session:
        village = find_village(session, code)
        meeting = find_meeting(session, village.id, number)
        sha256 = meeting.minutes_sha256
    return stored_scan(backend, village.id, sha256, True, say("会议纪要“%(number)s”", number=number))


def page_path(code: str, data: Mapping[str, Any]) -> str | None:
    return f"/v/{code}/meetings/{data['number']}" if data.get("number") else None
