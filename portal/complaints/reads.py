"""What the complaint pages show: the public list, one complaint with its history, the tracking
page, the committee's desk, and the overdue count for the village home."""
from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlalchemy import case, func, select

from portal.accounts.models import Role, User
from portal.auditlog.records import record_entries, record_proof
from portal.complaints.labels import COMPLAINT_STATUS, FIELDS, KIND
from portal.complaints.models import OWED, Complaint, ComplaintStatus
from portal.complaints.services import find_about, find_by_code, find_complaint, parse_about

from portal.kernel.history import ROLES, FieldChange, Version, versions
from portal.kernel.registry import RecordType
from portal.kernel.transaction import Backend
from portal.publishing.listings import Column, Listing, village_listing
from portal.villages.models import Village
from portal.villages.services import find_village

COLUMNS = [
    Column("number", "编号", doc="村内唯一，TS-年份-序号"),
    Column("kind", "类别", "choice", choices=KIND),
    Column("about", "涉及的记录", doc="记录类型:编号；空白表示不针对某条记录"),
    Column("filer", "反映人", doc="只显示姓氏和末字；空白表示匿名"),
    Column("filed_on", "提交日期", "date"),
    Column("body", "内容"),
    Column("due_on", "答复期限", "date", doc="应在此日（含）之前答复"),
    Column("status", "状态", "choice", choices=COMPLAINT_STATUS),
    Column("overdue", "是否超期", doc="截至 as_of 应答复而未答复"),
    Column("reply", "答复", doc="空白表示尚未答复"),
    Column("replied_at", "答复时间", doc="UTC"),
    Column("replied_by", "答复人", "choice", choices=dict(ROLES), doc="以角色表示"),
    Column("feedback", "村民意见", doc="村民确认是否解决时写的话"),
]

@dataclass(frozen=True)
class About:
    entity: str
    number: str
    label: str          # 合同 HT-2024-001
    link: str | None

@dataclass(frozen=True)
class ComplaintView:
    """One complaint as a page shows it, on `today`."""

    complaint: Complaint
    about: About | None
    days_left: int | None  # None: no answer owed now
    assignee: str | None   # the member's display name (desk only; the public sees the role)

    @property
    def overdue(self) -> bool:
        return self.days_left is not None and self.days_left < 0

@dataclass(frozen=True)
class ComplaintDetail:
    village: Village
    view: ComplaintView
    history: list[Version]
    proof: dict[str, Any] | None

def _about(types: Mapping[str, RecordType], code: str, c: Complaint) -> About | None:
    if not c.about_entity or not c.about_number:
        return None
    record_type = types.get(c.about_entity)
    if record_type is None:
        return About(c.about_entity, c.about_number, f"{c.about_entity} {c.about_number}", None)
    return About(c.about_entity, c.about_number, record_type.named(c.about_number),
                 record_type.page(code, {"number": c.about_number}))

def _views(backend: Backend, code: str, complaints: list[Complaint], today: date,
           names: Mapping[int, str] | None = None) -> list[ComplaintView]:
    types = {t.entity: t for t in backend.registry}
    return [ComplaintView(c, _about(types, code, c), c.days_left(today),
                          (names or {}).get(c.assignee_id) if c.assignee_id else None) for c in complaints]

def complaints_page(backend: Backend, code: str, today: date, *,
                    status: str | None = None) -> tuple[Listing, dict[str, ComplaintView]]:
    """投诉与意见 — every complaint of the village, newest first, with its answer; and each as
    the page shows it, by number (read in the same session: no second query per page)."""
    with backend.db.read() as session:
        village = find_village(session, code)
        query = select(Complaint).where(Complaint.village_id == village.id)
        if status:
            query = query.where(Complaint.status == ComplaintStatus(status))
        complaints = list(session.scalars(query.order_by(Complaint.filed_on.desc(), Complaint.id.desc())))
        rows = [c.public_state() | {"overdue": "超期" if c.overdue(today) else ""} for c in complaints]
        totals = {"count": len(rows), "owed": sum(1 for c in complaints if c.status in OWED),
                  "overdue": sum(1 for c in complaints if c.overdue(today))}
        listing = village_listing(session, village, "complaints", "投诉与意见", today, COLUMNS, rows,
                                  [f"/v/{code}/complaints/{c.number}" for c in complaints], totals)
    return listing, {v.complaint.number: v for v in _views(backend, code, complaints, today)}


def _detail(backend: Backend, code: str, today: date, *, number: str | None = None,
            tracking: str | None = None) -> ComplaintDetail:
    with backend.db.read() as session:
        village = find_village(session, code)
        complaint = (find_complaint(session, village.id, number) if number is not None
                     else find_by_code(session, village.id, tracking or ""))
        entries = record_entries(session, code, "complaint", complaint.audit_id())
        return ComplaintDetail(village, _views(backend, code, [complaint], today)[0],
                               versions(entries, FIELDS), record_proof(session, code, entries))

def complaint_detail(backend: Backend, code: str, number: str, today: date) -> ComplaintDetail:
    return _detail(backend, code, today, number=number)

def tracked(backend: Backend, code: str, tracking: str, today: date) -> ComplaintDetail:
    """The complaint of this tracking code in this village; NotFound for any other code."""
    return _detail(backend, code, today, tracking=tracking)

def about_label(backend: Backend, code: str, about: str) -> About | None:
    """The record `?about=` names, checked to exist in the village; ValidationError otherwise."""
    parsed = parse_about(backend.registry, about)
    if parsed is None:
        return None
    with backend.db.read() as session:
        village = find_village(session, code)
        find_about(session, backend.registry, village.id, parsed)
    record_type = backend.registry.get(parsed[0])
    assert record_type is not None
    return About(parsed[0], parsed[1], record_type.named(parsed[1]), record_type.page(code, {"number": parsed[1]}))

def overdue_count(backend: Backend, code: str, today: date) -> tuple[int, int]:
    """(owed, overdue): complaints awaiting an answer, and those past their due date; one
    statement, as the village home runs it on every visit."""
    with backend.db.read() as session:
        owed, overdue = session.execute(
            select(func.count(Complaint.id), func.count(case((Complaint.due_on < today, Complaint.id))))
            .join(Village, Village.id == Complaint.village_id)
            .where(Village.code == code, Complaint.status.in_(OWED))).one()
        return owed or 0, overdue or 0


@dataclass(frozen=True)
class Desk:
    """The committee's complaints: what needs a hand first (overdue, then by due date)."""

    owed: list[ComplaintView]
    answered: list[ComplaintView]  # waiting for the villager's word
    closed: list[ComplaintView]
    members: list[tuple[str, str]]  # (username, display name) of the village's committee

def desk(backend: Backend, code: str, today: date) -> Desk:
    with backend.db.read() as session:
        village = find_village(session, code)
        complaints = list(session.scalars(select(Complaint).where(Complaint.village_id == village.id)
                                          .order_by(Complaint.due_on, Complaint.id)))
        members = session.execute(select(User.id, User.username, User.display_name).where(
            User.village_id == village.id, User.role == Role.COMMITTEE, User.active.is_(True))
            .order_by(User.username)).all()
    names = {m.id: m.display_name for m in members}
    views = _views(backend, code, complaints, today, names)
    return Desk([v for v in views if v.complaint.status in OWED],
                [v for v in views if v.complaint.status is ComplaintStatus.ANSWERED],
                [v for v in reversed(views) if v.complaint.status is ComplaintStatus.RESOLVED][:20],
                [(m.username, m.display_name) for m in members])

def desk_detail(backend: Backend, code: str, number: str, today: date) -> tuple[ComplaintDetail, Desk]:
    detail = complaint_detail(backend, code, number, today)
    board = desk(backend, code, today)
    named = next((v for v in board.owed + board.answered + board.closed if v.complaint.id == detail.view.complaint.id),
                 detail.view)
    return ComplaintDetail(detail.village, named, detail.history, detail.proof), board

def page_path(code: str, data: Mapping[str, Any]) -> str | None:
    return f"/v/{code}/complaints/{data['number']}" if data.get("number") else None


def village_name(backend: Backend, code: str) -> str:
    """The village's name; NotFound for an unknown code."""
    with backend.db.read() as session:
        return find_village(session, code).name


def readable_change(change: FieldChange) -> FieldChange:
    """A complaint's change as the committee's audit log shows it: the record it is about by its
    type's name (合同 LB-HT-001), not its code (`contract:LB-HT-001`)."""
    if change.field != "about":
        return change
    from portal.registry import REGISTRY  # the registry names this module's function: import late

    def named(value: Any) -> Any:
        entity, _, number = value.partition(":") if isinstance(value, str) else ("", "", "")
        record_type = REGISTRY.get(entity)
        return record_type.named(number) if record_type is not None and number else value

    return FieldChange(change.field, change.label, named(change.before), named(change.after))
