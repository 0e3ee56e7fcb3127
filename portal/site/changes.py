"""What is new in a village: the latest changes of its log, for the home page and the Atom feed."""
from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from portal.auditlog.models import AuditEntry
from portal.kernel.history import versions
from portal.kernel.money import format_money
from portal.kernel.registry import Registry
from portal.kernel.transaction import Backend
from portal.villages.models import Village
from portal.villages.services import find_village


@dataclass(frozen=True)
class Change:
    """One line of "what is new": when, what was done, to which record."""

    seq: int
    ts: str
    action: str
    entity: str
    label: str
    link: str | None
    reason: str | None
    title: str = ""          # what the record is about, in words (a notice's title, a parcel's name)


def headline(data: dict[str, Any] | None) -> str:
    """A record's own words for "what is it": its title or name; for a receipt, who paid how much."""
    data = data or {}
    if data.get("title") or data.get("name"):
        return str(data.get("title") or data.get("name"))
    payer = data.get("payer")
    if isinstance(payer, dict) and data.get("amount"):
        return f"{payer.get('name', '')} {format_money(Decimal(data['amount']))}"
    return ""


LATEST_COUNT = 8


def latest_changes(session: Session, registry: Registry, code: str, count: int = LATEST_COUNT) -> list[Change]:
    """The newest entries of the village log, newest first."""
    lines = session.scalars(select(AuditEntry.line).where(AuditEntry.log == code)
                            .order_by(AuditEntry.seq.desc()).limit(count))
    changes = []
    for line in lines:
        entry = json.loads(line)
        label, link = registry.describe(code, entry)
        changes.append(Change(entry["seq"], entry["ts"], entry["action"].rsplit(".", 1)[-1], entry["entity"],
                              label, link, entry["reason"], headline(entry["data"])))
    return changes


@dataclass(frozen=True)
class FeedItem:
    change: Change
    hash: str
    changes: list[Any]


def latest_feed(backend: Backend, code: str, count: int) -> tuple[Village, list[FeedItem]]:
    """The newest `count` changes, each with what it changed, read in three queries."""
    from sqlalchemy import tuple_

    with backend.db.read() as session:
        village = find_village(session, code)
        changes = latest_changes(session, backend.registry, code, count)
        keys = session.execute(select(AuditEntry.entity, AuditEntry.entity_id).where(
            AuditEntry.log == code, AuditEntry.seq.in_([c.seq for c in changes]))).all()
        lines: Iterable[str] = session.scalars(select(AuditEntry.line).where(
            AuditEntry.log == code, tuple_(AuditEntry.entity, AuditEntry.entity_id).in_([tuple(k) for k in keys]))
            .order_by(AuditEntry.seq)) if keys else []
        by_record: dict[tuple[str, str], list[dict[str, Any]]] = {}
        for line in lines:
            entry = json.loads(line) | {"hash": hashlib.sha256(line.encode("utf-8")).hexdigest()}
            by_record.setdefault((entry["entity"], entry["entity_id"]), []).append(entry)
        seq_to_version = {v.seq: v for record in by_record.values() for v in versions(record, backend.registry.labels(record[0]["entity"]))}
        return village, [FeedItem(c, seq_to_version[c.seq].hash, seq_to_version[c.seq].changes) for c in changes]
