"""What the committee's desk records, read for the township's table: open findings (问题清单),
the last verification result, the last co-signed checkpoint.

Those records live in other packages (findings, verification results, co-signatures); each
reader here looks for its table by name and answers None while it is not there, so the pages
show "—" instead of a figure. Each reader is one grouped query over all villages asked about.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import Table, case, func, select
from sqlalchemy.orm import Session

from portal.kernel.base import Base

FINDINGS_TABLE = "finding"                   # village_id, status, opened_on / closed_on
VERIFICATIONS_TABLE = "verification_result"  # village_id, ran_at, ok
COSIGNATURES_TABLE = "cosignature"           # village_id, tree_size, signed_at
CLOSED_FINDING = ("closed", "withdrawn")


@dataclass(frozen=True)
class Verification:
    ok: bool
    at: datetime


@dataclass(frozen=True)
class Cosigned:
    size: int
    at: datetime


def _table(name: str, *columns: str) -> Table | None:
    """The mapped table `name` if it exists here with `columns`, else None."""
    table = Base.metadata.tables.get(name)
    if table is None or any(column not in table.c for column in columns):
        return None
    return table


def open_findings(session: Session, village_ids: list[int]) -> dict[int, int] | None:
    """Findings not closed per village (None: findings are not recorded here yet)."""
    t = _table(FINDINGS_TABLE, "village_id", "status")
    if t is None:
        return None
    rows = session.execute(select(t.c.village_id, func.count()).where(
        t.c.village_id.in_(village_ids), t.c.status.not_in(CLOSED_FINDING)).group_by(t.c.village_id))
    return {village: n for village, n in rows}


def findings_closed(session: Session, village_ids: list[int], start: date, end: date) -> dict[int, tuple[int, int]] | None:
    """Per village: (findings closed by `end`, findings open at some time from `start` to `end`)."""
    t = _table(FINDINGS_TABLE, "village_id", "status", "opened_on", "closed_on")
    if t is None:
        return None
    closed = func.sum(case((t.c.closed_on <= end, 1), else_=0))
    rows = session.execute(select(t.c.village_id, closed, func.count()).where(
        t.c.village_id.in_(village_ids), t.c.opened_on <= end,
        (t.c.closed_on.is_(None)) | (t.c.closed_on >= start)).group_by(t.c.village_id))
    return {village: (int(done or 0), n) for village, done, n in rows}


def last_verifications(session: Session, village_ids: list[int]) -> dict[int, Verification] | None:
    """The newest verification result per village (None: not recorded here yet)."""
    t = _table(VERIFICATIONS_TABLE, "village_id", "ran_at", "ok")
    if t is None:
        return None
    newest = (select(t.c.village_id, func.max(t.c.ran_at).label("at"))
              .where(t.c.village_id.in_(village_ids)).group_by(t.c.village_id).subquery())
    rows = session.execute(select(t.c.village_id, t.c.ok, t.c.ran_at).join(
        newest, (newest.c.village_id == t.c.village_id) & (newest.c.at == t.c.ran_at)))
    return {village: Verification(bool(ok), at) for village, ok, at in rows}


def last_cosigned(session: Session, village_ids: list[int]) -> dict[int, Cosigned] | None:
    """The largest co-signed checkpoint per village (None: co-signing not recorded here yet)."""
    t = _table(COSIGNATURES_TABLE, "village_id", "tree_size", "signed_at")
    if t is None:
        return None
    rows = session.execute(select(t.c.village_id, func.max(t.c.tree_size), func.max(t.c.signed_at))
                           .where(t.c.village_id.in_(village_ids)).group_by(t.c.village_id))
    return {village: Cosigned(int(size), at) for village, size, at in rows}
