"""The log as record pages use it: the log state, a record's entries and its inclusion proof."""
from __future__ import annotations

import base64
import hashlib
import json
from dataclasses import dataclass
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from portal.auditlog import store as audit_log
from portal.auditlog.models import AuditEntry


@dataclass(frozen=True)
class LogState:
    size: int
    root_hex: str

    @property
    def root_b64(self) -> str:
        """The root as the signed checkpoint and printed notices write it."""
        return base64.b64encode(bytes.fromhex(self.root_hex)).decode("ascii")


def log_state(session: Session, code: str) -> LogState | None:
    current = audit_log.head(session, code)
    return LogState(current.size, current.root.hex()) if current else None


def record_entries(session: Session, log: str, entity: str, entity_id: str) -> list[dict[str, Any]]:
    """Every entry of one record, oldest first, each with its `hash`."""
    lines = session.scalars(select(AuditEntry.line).where(
        AuditEntry.log == log, AuditEntry.entity == entity, AuditEntry.entity_id == entity_id)
        .order_by(AuditEntry.seq))
    return [json.loads(line) | {"hash": hashlib.sha256(line.encode("utf-8")).hexdigest()} for line in lines]


def record_proof(session: Session, code: str, entries: list[dict[str, Any]]) -> dict[str, Any] | None:
    """The inclusion proof of a record's latest entry against the current log, with the checkpoint."""
    state = log_state(session, code)
    if not entries or not state:
        return None
    proof = audit_log.inclusion(session, code, entries[-1]["seq"], state.size)
    proof["checkpoint"] = audit_log.latest_checkpoint(session, code)
    return proof


@dataclass(frozen=True)
class Logged:
    """Where the latest version of a record sits in the log, and why it last changed."""

    seq: int
    hash: str
    reason: str | None


def latest_logged(session: Session, code: str, entity: str, ids: list[str]) -> dict[str, Logged]:
    """The latest entry of each of the records `ids` of one kind, read in one query."""
    if not ids:
        return {}
    lines = session.scalars(select(AuditEntry.line).where(
        AuditEntry.log == code, AuditEntry.entity == entity, AuditEntry.entity_id.in_(ids))
        .order_by(AuditEntry.seq))
    latest: dict[str, Logged] = {}
    for line in lines:
        entry = json.loads(line)
        latest[entry["entity_id"]] = Logged(entry["seq"], hashlib.sha256(line.encode("utf-8")).hexdigest(),
                                            entry["reason"])
    return latest
