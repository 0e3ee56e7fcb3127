"""The village's OCDS packages, read in one session from the log and the current records."""
from __future__ import annotations

import json
from typing import Any

from flask import current_app
from sqlalchemy import select

from portal.auditlog.models import AuditEntry
from portal.kernel.transaction import Backend
from portal.ocds.releases import ENTITIES, Publication, package, records
from portal.plans.models import Plan
from portal.tenders.links import award_links
from portal.villages.services import find_village


def publication(backend: Backend, code: str) -> tuple[Publication, list[dict[str, Any]]]:
    """Who publishes and the log entries the releases are made of (oldest first)."""
    config = current_app.config
    with backend.db.read() as session:
        village = find_village(session, code)
        lines = session.scalars(select(AuditEntry.line).where(
            AuditEntry.log == code, AuditEntry.entity.in_(ENTITIES)).order_by(AuditEntry.seq)).all()
        last = session.scalar(select(AuditEntry.line).where(AuditEntry.log == code)
                              .order_by(AuditEntry.seq.desc()).limit(1))
        plans = {number: title for number, title in session.execute(
            select(Plan.number, Plan.title).where(Plan.village_id == village.id))}
        pub = Publication(code, village.name, config["PUBLIC_BASE_URL"], config["OCDS_OCID_PREFIX"],
                          config["OCDS_LICENSE"], award_links(session, village.id), plans,
                          json.loads(last)["ts"] if last else "")
    return pub, [json.loads(line) for line in lines]


def release_package(backend: Backend, code: str) -> dict[str, Any]:
    pub, entries = publication(backend, code)
    return package(pub, entries)


def record_package(backend: Backend, code: str) -> dict[str, Any]:
    pub, entries = publication(backend, code)
    return records(pub, package(pub, entries)["releases"])
