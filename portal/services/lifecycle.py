"""Versions of audited records: create at version 1; every later change is a new version."""
from __future__ import annotations

from typing import Any

from ..models import Audited
from .backend import Change
from .errors import ValidationError


def record_created(change: Change, record: Any, action: str) -> None:
    record.version = 1
    record.updated_at = change.now()
    change.session.add(record)
    change.record(action, record)


def record_changed(change: Change, record: Any, action: str, reason: str, before: dict[str, Any]) -> None:
    """Stores a new version with its reason; a "change" that changes nothing is refused."""
    if record.public_state() == before["data"] and record.personal_data() == before["personal"]:
        raise ValidationError({"reason": "没有任何改动，无需更正"})
    record.version += 1
    record.updated_at = change.now()
    change.record(action, record, reason)


def snapshot(record: Audited) -> dict[str, Any]:
    """What a record is before a change, to tell a real correction from an empty one."""
    return {"data": record.public_state(), "personal": record.personal_data()}
