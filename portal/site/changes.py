"""What is new in a village: the latest changes of its log, for the home page and the Atom feed."""
from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from typing import Any

from sqlalchemy import select

from portal.auditlog.models import AuditEntry
from portal.kernel.history import versions
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


LATEST_COUNT = 8


ENTITY_NAMES = {"asset": "地块/资产", "contract": "合同", "receipt": "收据", "notice": "公告", "plan": "方案",
                "plan_comment": "意见", "consent_vote": "表决", "village": "村", "user": "账号"}


def _record_link(code: str, entry: dict[str, Any]) -> tuple[str, str | None]:
    """A readable name for the record of an entry, and its page when it has one."""
    data = entry["data"] or {}
    number = data.get("number") or data.get("code") or data.get("username") or entry["entity_id"]
    label = f"{ENTITY_NAMES.get(entry['entity'], entry['entity'])} {number}"
    pages = {"contract": f"/v/{code}/contracts/{number}", "asset": f"/v/{code}/parcels/{number}",
             "notice": f"/v/{code}/notices/{number}", "plan": f"/v/{code}/plans/{number}"}
    if entry["entity"] == "receipt" and data.get("contract"):
        return label, f"/v/{code}/contracts/{data['contract']}"
    if entry["entity"] in ("plan_comment", "consent_vote") and data.get("plan"):
        anchor = f"comment-{number}" if entry["entity"] == "plan_comment" else "votes"
        return f"方案 {data['plan']} {label}", f"/v/{code}/plans/{data['plan']}#{anchor}"
    return label, pages.get(entry["entity"])


def latest_changes(session, code: str, count: int = LATEST_COUNT) -> list[Change]:
    """The newest entries of the village log, newest first."""
    lines = session.scalars(select(AuditEntry.line).where(AuditEntry.log == code)
                            .order_by(AuditEntry.seq.desc()).limit(count))
    changes = []
    for line in lines:
        entry = json.loads(line)
        label, link = _record_link(code, entry)
        changes.append(Change(entry["seq"], entry["ts"], entry["action"].rsplit(".", 1)[-1], entry["entity"],
                              label, link, entry["reason"]))
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
        changes = latest_changes(session, code, count)
        keys = session.execute(select(AuditEntry.entity, AuditEntry.entity_id).where(
            AuditEntry.log == code, AuditEntry.seq.in_([c.seq for c in changes]))).all()
        lines = session.scalars(select(AuditEntry.line).where(
            AuditEntry.log == code, tuple_(AuditEntry.entity, AuditEntry.entity_id).in_([tuple(k) for k in keys]))
            .order_by(AuditEntry.seq)) if keys else []
        by_record: dict[tuple[str, str], list[dict[str, Any]]] = {}
        for line in lines:
            entry = json.loads(line) | {"hash": hashlib.sha256(line.encode("utf-8")).hexdigest()}
            by_record.setdefault((entry["entity"], entry["entity_id"]), []).append(entry)
        seq_to_version = {v.seq: v for record in by_record.values() for v in versions(record)}
        return village, [FeedItem(c, seq_to_version[c.seq].hash, seq_to_version[c.seq].changes) for c in changes]
