"""The demo committee member's witness key and one co-signed checkpoint (联署), through the
services. The key is registered right after the accounts (so the feed's newest entries stay the
demo's records) and co-signs the log's checkpoint once the demo is built; its private half is
not kept, so a member trying the demo registers a key of their own (/committee/cosign)."""
from __future__ import annotations

from sqlalchemy import select

from audit import cosignature
from audit.note import split_note
from portal.accounts.models import User
from portal.auditlog import store as audit_log
from portal.kernel.registry import COMMITTEE
from portal.kernel.transaction import Actor, Backend
from portal.witnessing.services import key_name, register_key, store_cosignature

CODE = "lianban"


def _member(backend: Backend) -> Actor:
    with backend.db.read() as session:
        member_id = session.scalar(select(User.id).where(User.username == "demo-committee"))
    return Actor("demo-committee", COMMITTEE, user_id=member_id, village=CODE)


def register_demo_key(backend: Backend) -> str:
    """Registers demo-committee's key 1; returns its signer key (kept only while building)."""
    signer = cosignature.generate_signer(key_name(backend, CODE, 1))
    register_key(backend, _member(backend), CODE, cosignature.verifier_from_signer(signer))
    return signer


def cosign_demo(backend: Backend, signer: str) -> None:
    """Co-signs the demo log's current checkpoint (the first cosignature: nothing to check it
    against)."""
    with backend.db.read() as session:
        current = audit_log.head(session, CODE)
    assert current is not None
    line = cosignature.cosign(split_note(current.checkpoint)[0], signer, int(backend.clock().timestamp()))
    store_cosignature(backend, _member(backend), CODE, current.checkpoint, line)
