"""The township table's counted figures, kept per village between requests (`village_figures`).

Counting reads every instalment and receipt of the villages asked about: half a second for a
county's 200 villages and 1.4 M receipts. Kept, a table whose villages' logs have not grown is
one read of their log sizes and one of their rows, and only villages that changed are counted
again. Exact, not a cache that can be out of date: a village's figures depend only on its
records (every change to them appends to its log) and on the day (instalments fall due,
complaints become overdue), and a row is used only for the log size and day it was counted at.
`flask --app portal township count-figures` counts every village for the new day (the nightly
job), so the day's first reader does not wait.

The sizes are read before counting: under READ COMMITTED what is counted is then at least as new
as the size kept with it, so a write landing in between makes a row look older than it is
(counted again next time), never newer.
"""
from __future__ import annotations

import logging
from dataclasses import asdict, fields
from datetime import date

from sqlalchemy import select
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Session

from portal.auditlog.models import AuditHead
from portal.kernel.transaction import Backend
from portal.township.figures import Counted, count
from portal.township.models import KeptFigures
from portal.villages.models import Village

# Bump when what `count` counts changes, or when a migration changes records without their log
# growing: rows counted before are then counted again.
FORMULA = 2  # 2: a withdrawn contract's receipts are not counted as received
KEPT_LOCK = "_figures"  # the write lock taken to store rows (no log: derived data)
COUNTED = [f.name for f in fields(Counted)]
log = logging.getLogger(__name__)


def log_sizes(session: Session, villages: list[Village]) -> dict[int, int]:
    """Each village's log size (0 for a log with no entry yet), by village id."""
    ids = {v.code: v.id for v in villages}
    sizes = {log: size for log, size in session.execute(
        select(AuditHead.log, AuditHead.size).where(AuditHead.log.in_(list(ids))))}
    return {v.id: int(sizes.get(v.code, 0)) for v in villages}


def counted(session: Session, villages: list[Village], today: date) -> tuple[dict[int, Counted], list[KeptFigures]]:
    """The counted figures of `villages` on `today`, by village id: kept rows where still exact,
    the others counted now; and the rows counted now, for `keep`."""
    sizes = log_sizes(session, villages)
    kept = {row.village_id: row for row in session.scalars(
        select(KeptFigures).where(KeptFigures.village_id.in_(list(sizes))))}
    found: dict[int, Counted] = {}
    stale = []
    for village, size in sizes.items():
        row = kept.get(village)
        if row is not None and (row.log_size, row.as_of, row.formula) == (size, today, FORMULA):
            found[village] = Counted(**{name: getattr(row, name) for name in COUNTED})
        else:
            stale.append(village)
    fresh = []
    for village, figures in (count(session, stale, today) if stale else {}).items():
        found[village] = figures
        fresh.append(KeptFigures(village_id=village, as_of=today, log_size=sizes[village], formula=FORMULA,
                                 **asdict(figures)))
    return found, fresh


def keep(backend: Backend, rows: list[KeptFigures]) -> None:
    """Stores rows counted by `counted`, replacing older ones. A reader is never refused for want
    of a kept row: a failure (a read-only replica, a lock held too long) is logged and the figures
    are counted again next time."""
    if not rows:
        return
    columns = [column.name for column in KeptFigures.__table__.columns]
    values = [{name: getattr(r, name) for name in columns} for r in rows]
    try:
        with backend.db.write(KEPT_LOCK) as session:
            statement = backend.db.insert(KeptFigures).values(values)
            session.execute(statement.on_conflict_do_update(
                index_elements=["village_id"],
                set_={name: statement.excluded[name] for name in values[0] if name != "village_id"}))
    except SQLAlchemyError:
        log.warning("township figures not kept (counted again next time)", exc_info=True)


def count_all(backend: Backend) -> int:
    """Counts and keeps every village's figures for today (the nightly job); how many were counted."""
    with backend.db.read() as session:
        villages = list(session.scalars(select(Village).order_by(Village.code)))
        _found, fresh = counted(session, villages, backend.today())
    keep(backend, fresh)
    return len(fresh)
