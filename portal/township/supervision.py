"""What the committee's desk records, read for the township's table: open findings (问题清单),
the last verification result, the last co-signed checkpoint — each one grouped query over all
villages asked about."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time

from sqlalchemy import case, func, select
from sqlalchemy.orm import Session

from portal.auditdesk.models import VerificationRun
from portal.auditlog.models import AuditCheckpoint
from portal.findings.models import Finding, FindingStatus
from portal.kernel.clock import SHANGHAI
from portal.villages.models import Village

# A committee member's cosignature line names the key "<portal>/v/<village>/committee/<n>"
# (portal/witnessing); the portal's own signature line does not.
COSIGNED_NOTE = "%/committee/%"


@dataclass(frozen=True)
class Verification:
    ok: bool
    at: datetime


@dataclass(frozen=True)
class Cosigned:
    size: int
    at: datetime


def _end_of(day: date) -> datetime:
    return datetime.combine(day, time.max, tzinfo=SHANGHAI)


def _start_of(day: date) -> datetime:
    return datetime.combine(day, time.min, tzinfo=SHANGHAI)


def open_findings(session: Session, village_ids: list[int]) -> dict[int, int]:
    """Findings not yet closed (销号) nor withdrawn (撤回), per village."""
    rows = session.execute(select(Finding.village_id, func.count()).where(
        Finding.village_id.in_(village_ids), Finding.status.not_in((FindingStatus.CLOSED, FindingStatus.WITHDRAWN)))
        .group_by(Finding.village_id))
    return {village: n for village, n in rows}


def findings_closed(session: Session, village_ids: list[int], start: date, end: date) -> dict[int, tuple[int, int]]:
    """Per village: (findings closed by `end`, findings open at some time from `start` to `end`).
    A closed finding's last change is its closing (销号 ends its life cycle); a withdrawn one was
    recorded by mistake and counts for nothing."""
    closed = Finding.status == FindingStatus.CLOSED
    rows = session.execute(select(
        Finding.village_id, func.sum(case((closed & (Finding.updated_at <= _end_of(end)), 1), else_=0)), func.count())
        .where(Finding.village_id.in_(village_ids), Finding.found_on <= end,
               Finding.status != FindingStatus.WITHDRAWN,
               ~closed | (Finding.updated_at >= _start_of(start)))
        .group_by(Finding.village_id))
    return {village: (int(done or 0), n) for village, done, n in rows}


def last_verifications(session: Session, village_ids: list[int]) -> dict[int, Verification]:
    """The newest integrity check per village (the desk's 立即核验 or the daily verify-all)."""
    newest = (select(VerificationRun.log, func.max(VerificationRun.id).label("id"))
              .group_by(VerificationRun.log).subquery())
    rows = session.execute(
        select(Village.id, VerificationRun.ok, VerificationRun.ran_at)
        .join(newest, newest.c.log == Village.code).join(VerificationRun, VerificationRun.id == newest.c.id)
        .where(Village.id.in_(village_ids)))
    return {village: Verification(bool(ok), at) for village, ok, at in rows}


def last_cosigned(session: Session, village_ids: list[int]) -> dict[int, Cosigned]:
    """The largest kept checkpoint carrying a committee member's cosignature, per village (its
    lines are verified against the members' keys by `audit verify`, not here)."""
    rows = session.execute(
        select(Village.id, func.max(AuditCheckpoint.size), func.max(AuditCheckpoint.created_at))
        .join(AuditCheckpoint, AuditCheckpoint.log == Village.code)
        .where(Village.id.in_(village_ids), AuditCheckpoint.note.like(COSIGNED_NOTE))
        .group_by(Village.id))
    return {village: Cosigned(int(size), at) for village, size, at in rows}
