"""个人信息删除 — erase a person's personal data from the live records and the private records,
leaving every entry, proof and checkpoint of the log valid.

The log never held the data: entries carry only a salted commitment (`private`), and the data
with its salt sits in `private_record`. Erasing blanks those rows (data and salt), so the
commitments can no longer be opened, and rewrites each of the person's records with its personal
fields masked (张*华, 3505**********1234, 139****5678) as a new version logged with the reason
(`<entity>.erase`). The masked forms are what the public state already showed, so the public
state is unchanged, and `audit verify` finds each row equal to its latest entry.

A person is named by an ID number (身份证号) or a mobile number: the contracts whose lessee has
it, the receipts paid by that lessee (a person) against those contracts, and the plan comments
left with that phone number. Receipt scans (files named by their hash in the log) are kept.
"""
from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import or_, select, update

from portal.auditlog.models import AuditEntry, PrivateRecord
from portal.contracts.models import Contract, LesseeKind
from portal.kernel.base import Audited
from portal.kernel.errors import ValidationError
from portal.kernel.privacy import mask_id_number, mask_name, mask_phone
from portal.kernel.transaction import SYSTEM, Actor, Backend, Change
from portal.kernel.validate import Checker
from portal.plans.models import PlanComment
from portal.receipts.models import Receipt
from portal.villages.models import Village

ACTIONS = ("contract.erase", "receipt.erase", "plan_comment.erase")


@dataclass
class Erased:
    """What one erasure did in one village: the records rewritten and private records blanked."""

    village: str
    records: list[str] = field(default_factory=list)  # `contract LB-HT-2016-001`, …
    private_records: int = 0


def erase_person(backend: Backend, person: str, reason: str, actor: Actor = SYSTEM) -> list[Erased]:
    """Erases the personal data of the person with ID or mobile number `person` in every village,
    one audited transaction per village. ValidationError when the reason is missing or nobody has
    that number (nothing written)."""
    check = Checker()
    reason = check.reason(reason)
    person = person.strip().upper()
    if not person:
        check.fail("person", "请填写要删除个人信息的人的身份证号或手机号")
    check.done()
    with backend.db.read() as session:
        villages = list(session.scalars(select(Village.code).order_by(Village.code)))
    done = []
    for code in villages:
        with backend.change(code, actor, *ACTIONS) as change:
            erased = _erase_in_village(change, person, reason)
        if erased.records:
            done.append(erased)
    if not done:
        raise ValidationError({"person": f"没有找到身份证号或手机号为“{person}”的人的个人信息"})
    if backend.db.is_sqlite:
        _rewrite_sqlite_file(backend)
    return done


def _rewrite_sqlite_file(backend: Backend) -> None:
    """Rewrites the SQLite file (VACUUM, then the WAL emptied into it), so the erased values do
    not linger in free pages or old WAL frames. (PostgreSQL keeps dead row versions until
    VACUUM reuses their space: see README.)"""
    raw = backend.db.engine.raw_connection()
    try:
        cursor = raw.cursor()  # autocommit: the connection's isolation_level is None (database.py)
        cursor.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        cursor.execute("VACUUM")
        cursor.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        cursor.close()
    finally:
        raw.close()


def _erase_in_village(change: Change, person: str, reason: str) -> Erased:
    erased = Erased(change.log)
    village_id = change.village_id()
    for record in _records_of(change, village_id, person):
        _mask(record)
        record.version += 1
        record.updated_at = change.now()
        entity = record.audit_entity
        erased.private_records += _blank_private_records(change, entity, record.audit_id())
        change.record(f"{entity}.erase", record, reason)
        erased.records.append(f"{entity} {getattr(record, 'number', record.audit_id())}")
    return erased


def _records_of(change: Change, village_id: int, person: str) -> Iterator[Any]:
    """The person's records in the village: contracts, then their receipts, then comments."""
    session = change.session
    contracts = list(session.scalars(select(Contract).where(
        Contract.village_id == village_id, Contract.lessee_kind == LesseeKind.PERSON,
        or_(Contract.lessee_id_number == person, Contract.lessee_phone == person)).order_by(Contract.id)))
    names = {contract.lessee_name for contract in contracts}
    receipts = list(session.scalars(select(Receipt).where(
        Receipt.village_id == village_id, Receipt.payer_is_person,
        Receipt.contract_id.in_([c.id for c in contracts]), Receipt.payer_name.in_(names)).order_by(Receipt.id)))
    comments = list(session.scalars(select(PlanComment).where(
        PlanComment.village_id == village_id, PlanComment.commenter_phone == person).order_by(PlanComment.id)))
    yield from contracts
    yield from receipts
    yield from comments


def _mask(record: Audited) -> None:
    """Replaces the record's personal fields by their masked forms (idempotent)."""
    if isinstance(record, Contract):
        record.lessee_name = mask_name(record.lessee_name)
        record.lessee_id_number = mask_id_number(record.lessee_id_number)
        record.lessee_phone = mask_phone(record.lessee_phone) if record.lessee_phone else ""
    elif isinstance(record, Receipt):
        record.payer_name = mask_name(record.payer_name)
    elif isinstance(record, PlanComment):
        record.commenter_name = mask_name(record.commenter_name)
        record.commenter_phone = mask_phone(record.commenter_phone) if record.commenter_phone else ""


def _blank_private_records(change: Change, entity: str, entity_id: str) -> int:
    """Blanks the personal data and salt behind every earlier entry of the record."""
    entries = select(AuditEntry.id).where(AuditEntry.log == change.log, AuditEntry.entity == entity,
                                          AuditEntry.entity_id == entity_id).scalar_subquery()
    result = change.session.execute(
        update(PrivateRecord).where(PrivateRecord.entry_id.in_(entries), PrivateRecord.personal.is_not(None))
        .values(personal=None, salt=b"").execution_options(synchronize_session=False))
    return int(getattr(result, "rowcount", 0) or 0)
