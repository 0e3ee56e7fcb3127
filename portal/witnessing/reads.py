"""What the pages and the keys file show of the committee's keys and cosignatures."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlalchemy import select
from sqlalchemy.orm import Session

from audit import NoteError, cosignature
from portal.villages.services import get_village
from portal.witnessing.models import ACTIVE, CommitteeKey


@dataclass(frozen=True)
class KeyView:
    number: int
    key_name: str
    verifier_key: str
    fingerprint: str
    status: str
    registered_on: date
    revoked_on: date | None
    holder_id: int


def keys_of(session: Session, code: str, *, active_only: bool = False) -> list[KeyView]:
    """The village's committee keys by number (only the active ones with `active_only`)."""
    village = get_village(session, code)
    if village is None:
        return []
    query = select(CommitteeKey).where(CommitteeKey.village_id == village.id)
    if active_only:
        query = query.where(CommitteeKey.status == ACTIVE)
    return [KeyView(k.number, k.key_name, k.verifier_key, k.fingerprint, k.status, k.registered_on, k.revoked_on,
                    k.holder_id) for k in session.scalars(query.order_by(CommitteeKey.number))]


def committee_vkeys(session: Session, code: str) -> list[str]:
    """The active committee keys as the verifier's keys file lists them, after the portal's."""
    return [k.verifier_key for k in keys_of(session, code, active_only=True)]


@dataclass(frozen=True)
class ShownCosignature:
    number: int
    fingerprint: str
    timestamp: int


def cosignatures_on(session: Session, code: str, note: str) -> list[ShownCosignature]:
    """The committee cosignatures on `note` that verify against the village's active keys."""
    keys = keys_of(session, code, active_only=True)
    by_name = {k.key_name: k for k in keys}
    try:
        found = cosignature.cosignatures(note, [k.verifier_key for k in keys])
    except NoteError:
        return []
    return [ShownCosignature(by_name[c.name].number, by_name[c.name].fingerprint, c.timestamp) for c in found]
