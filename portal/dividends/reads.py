"""What the dividend pages show: the plans, a year's masked list, and one household's own line."""
from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from portal.auditlog.models import AuditEntry, PrivateRecord
from portal.auditlog.records import record_entries, record_proof
from portal.dividends.labels import PAYOUT, PLAN_FIELDS, PLAN_STATUS
from portal.dividends.models import DividendLine, DividendPlan, Payout
from portal.dividends.services import plan_lines
from portal.kernel.errors import NotFound
from portal.kernel.history import Version, versions
from portal.kernel.messages import say
from portal.kernel.status import RecordStatus
from portal.kernel.transaction import Backend
from portal.publishing.listings import Column, Listing, village_listing
from portal.villages.models import Village
from portal.villages.services import find_village

PLAN_COLUMNS = [
    Column("year", "年度", "number"),
    Column("number", "方案编号"),
    Column("title", "方案名称"),
    Column("total", "可分配金额", "money", doc="元"),
    Column("households", "户数", "number"),
    Column("shares", "总股数", "number"),
    Column("meeting", "决策会议", doc="会议纪要编号"),
    Column("publicity_from", "公示开始", "date"),
    Column("publicity_until", "公示截止", "date"),
    Column("status", "状态", "choice", choices=PLAN_STATUS),
]
LINE_COLUMNS = [
    Column("position", "序号", "number"),
    Column("household", "户号"),
    Column("head", "户主", doc="只显示姓氏和末字；本户凭核对码可查看完整信息"),
    Column("shares", "股数", "number"),
    Column("amount", "分红金额", "money", doc="元；按股数精确分配到分，合计等于可分配金额"),
    Column("payout", "发放状态", "choice", choices=PAYOUT),
    Column("paid_on", "发放日期", "date"),
]


def plans_listing(backend: Backend, code: str, as_of: date) -> Listing:
    """分红方案 — every plan, newest year first."""
    with backend.db.read() as session:
        village = find_village(session, code)
        plans = list(session.scalars(select(DividendPlan).where(DividendPlan.village_id == village.id)
                                     .order_by(DividendPlan.year.desc(), DividendPlan.number.desc())))
        rows = [p.public_state() for p in plans]
        return village_listing(session, village, "dividends", "分红方案", as_of, PLAN_COLUMNS, rows,
                               [f"/v/{code}/dividends/{p.year}" for p in plans], {"count": len(rows)})


@dataclass(frozen=True)
class PlanDetail:
    village: Village
    plan: dict[str, Any]
    meeting: dict[str, Any] | None
    listing: Listing
    paid: int
    paid_amount: str
    in_publicity: bool
    history: list[Version]
    proof: dict[str, Any] | None


def _plan_of_year(session: Session, village_id: int, year: int) -> DividendPlan:
    """The year's plan in force (the latest not withdrawn), else its latest plan."""
    plans = list(session.scalars(select(DividendPlan).where(
        DividendPlan.village_id == village_id, DividendPlan.year == year).order_by(DividendPlan.id.desc())))
    if not plans:
        raise NotFound(say("没有 %(year)s 年度的分红方案", year=year))
    return next((p for p in plans if p.status is RecordStatus.ACTIVE), plans[0])


def line_rows(lines: list[DividendLine]) -> list[dict[str, Any]]:
    return [line.public_state() for line in lines if line.payout is not Payout.REMOVED]


def plan_detail(backend: Backend, code: str, year: int, as_of: date) -> PlanDetail:
    """A year's plan and its whole masked list, stamped with the log state."""
    with backend.db.read() as session:
        village = find_village(session, code)
        plan = _plan_of_year(session, village.id, year)
        rows = line_rows(plan_lines(session, plan))
        paid = [r for r in rows if r["payout"] == "paid"]
        from decimal import Decimal
        total = sum((Decimal(r["amount"]) for r in rows), Decimal("0.00"))
        listing = village_listing(session, village, f"dividends-{year}", say("%(y)s年度分红名单", y=year), as_of, LINE_COLUMNS,
                                  rows, None, {"count": len(rows), "amount": str(total)})
        entries = record_entries(session, code, "dividend_plan", plan.audit_id())
        meeting = plan.meeting.public_state() if plan.meeting else None
        return PlanDetail(village, plan.public_state(), meeting, listing, len(paid),
                          str(sum((Decimal(r["amount"]) for r in paid), Decimal("0.00"))),
                          plan.publicity_from <= as_of <= plan.publicity_until,
                          versions(entries, PLAN_FIELDS), record_proof(session, code, entries))


@dataclass(frozen=True)
class HouseholdLine:
    """What a household sees with its check code: its full line, the logged entry of the line's
    latest version and the salt that opens the entry's `private` commitment to its name."""

    village: Village
    plan: dict[str, Any]
    line: dict[str, Any]
    head_name: str
    entry: dict[str, Any]
    entry_line: str
    salt_hex: str
    personal_json: str
    commitment_ok: bool


def household_line(backend: Backend, code: str, check_code: str) -> HouseholdLine | None:
    """The line whose check code is `check_code` in village `code`; None for any other code."""
    from audit.canonical import canonical_bytes
    from audit.entry import private_commitment

    with backend.db.read() as session:
        village = find_village(session, code)
        line = session.scalar(select(DividendLine).where(DividendLine.village_id == village.id,
                                                         DividendLine.check_code == check_code))
        if line is None or not check_code:
            return None
        entry_row = session.scalar(select(AuditEntry).where(
            AuditEntry.log == code, AuditEntry.entity == "dividend_line", AuditEntry.entity_id == line.audit_id())
            .order_by(AuditEntry.seq.desc()).limit(1))
        assert entry_row is not None, "every line is logged when it is written"
        private = session.get(PrivateRecord, entry_row.id)
        entry = json.loads(entry_row.line)
        personal = line.personal_data()
        salt = private.salt if private else b""
        return HouseholdLine(village, line.plan.public_state(), line.public_state(), line.head_name, entry,
                             entry_row.line, salt.hex(), canonical_bytes(personal).decode("utf-8"),
                             bool(private) and private_commitment(salt, personal) == entry["private"])


@dataclass(frozen=True)
class Slip:
    household: str
    head_name: str
    shares: str
    amount: str
    check_code: str


def payout_slips(backend: Backend, code: str, year: int) -> tuple[Village, dict[str, Any], list[Slip]]:
    """Every household's payout slip of the year's plan, with full names and check codes (staff only)."""
    from portal.dividends.services import show_code

    with backend.db.read() as session:
        village = find_village(session, code)
        plan = _plan_of_year(session, village.id, year)
        slips = [Slip(line.household, line.head_name, str(line.shares), str(line.amount), show_code(line.check_code))
                 for line in plan_lines(session, plan) if line.payout is not Payout.REMOVED]
        return village, plan.public_state(), slips


def plan_years(backend: Backend, code: str) -> list[int]:
    with backend.db.read() as session:
        village = find_village(session, code)
        return sorted(set(session.scalars(select(DividendPlan.year).where(DividendPlan.village_id == village.id))),
                      reverse=True)


def page_path(code: str, data: Mapping[str, Any]) -> str | None:
    return f"/v/{code}/dividends/{data['year']}" if data.get("year") else None


def line_title(record_type: Any, data: Mapping[str, Any], entity_id: str) -> str:
    """分红名单 2026 户 H001: how the feed and search name a line."""
    return say("%(type)s %(year)s %(household)s", type=record_type.name, year=data.get("year", ""),
               household=data.get("household", entity_id))
