"""发布条数与访问量 — what the statistics page shows."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlalchemy import select

from portal.auditlog.models import AuditEntry
from portal.auditlog.records import log_state
from portal.kernel.transaction import Backend
from portal.villages.models import Village
from portal.villages.services import find_village


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
        village = find_village(session, code)
        counts = session.execute(select(AuditEntry.entity, func.count(distinct(AuditEntry.entity_id)))
                                 .where(AuditEntry.log == code).group_by(AuditEntry.entity)).all()
        state = log_state(session, code)
    public = backend.registry.public_entities()
    published = sorted(((backend.registry.name(e), n) for e, n in counts if e in public),
                       key=lambda item: -item[1])
    return Stats(village, published, state.size if state else 0, sum(n for _, n in visits), visits)
