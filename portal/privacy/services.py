"""个人信息删除 — erase a person's personal data from the live records and the private records,
leaving every entry, proof and checkpoint of the log valid.

The log never held the data: entries carry only a salted commitment (`private`), and the data
with its salt sits in `private_record`. Erasing blanks those rows (data and salt), so the
commitments can no longer be opened, and rewrites each of the person's records with its personal
fields masked (张*华, 3505**********1234, 139****5678) as a new version logged with the reason
(`<entity>.erase`). The masked forms are what the public state already showed, so the public
state is unchanged, and `audit verify` finds each row equal to its latest entry.

A person is named by an ID number (身份证号) or a mobile number: the contracts whose lessee has
it, the receipts paid by that lessee (a person) against those contracts, the plan comments and
complaints left with that phone number. The full names found there then name the person in the
village's other records: the signings of their contracts (and any signing naming them as lessor
or witness), the tenders they registered for as a person, the dividend lines with them as head
of household and the ledger entries paid to or by them as a person (or booked from their
receipts). The scans of their receipts and the vouchers of those ledger entries (files named by
their hash in the log) are deleted from the disk and their `stored_file` rows marked erased, so
`audit verify` knows they are gone on purpose; a file that another person's record also names
is kept.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import or_, select, update

from portal.auditlog.files import path_for
from portal.auditlog.models import AuditEntry, PrivateRecord, StoredFile
from portal.complaints.models import Complaint
from portal.contracts.models import Contract, LesseeKind
from portal.dividends.models import DividendLine
from portal.kernel.base import Audited
from portal.kernel.errors import ValidationError
from portal.kernel.messages import say
from portal.kernel.privacy import mask_id_number, mask_name, mask_phone
from portal.kernel.transaction import SYSTEM, Actor, Backend, Change
from portal.kernel.validate import Checker
from portal.ledger.models import LedgerEntry
from portal.plans.models import PlanComment
from portal.receipts.models import Receipt
from portal.signings.models import Signing
from portal.tenders.models import Tender
from portal.villages.models import Village

ACTIONS = ("contract.erase", "receipt.erase", "plan_comment.erase", "complaint.erase", "signing.erase",
           "tender.erase", "dividend_line.erase", "ledger_entry.erase")


@dataclass
class Erased:
    """What one erasure did in one village: the records rewritten and private records blanked."""

    village: str
    records: list[str] = field(default_factory=list)  # `contract LB-HT-2016-001`, …
    private_records: int = 0
    files: list[str] = field(default_factory=list)  # SHA-256 of the scans deleted


def erase_person(backend: Backend, person: str, reason: str, actor: Actor = SYSTEM) -> list[Erased]:
    """Erases the personal data of the person with ID or mobile number `person` in every village,
    one audited transaction per village. ValidationError when the reason is missing or nobody has
    that number (nothing written)."""
    check = Checker()
    reason = check.reason(reason)
    person = person.strip().upper()
    if not person:
        check.fail("person", say("请填写要删除个人信息的人的身份证号或手机号"))
    check.done()
    with backend.db.read() as session:
        villages = list(session.scalars(select(Village.code).order_by(Village.code)))
    done = []
    for code in villages:
        with backend.change(code, actor, *ACTIONS) as change:
            erased = _erase_in_village(change, person, reason)
        if erased.records:
            done.append(erased)
        for sha256 in erased.files:  # once the erasure is committed (a rollback keeps the files)
            path_for(backend.files_dir, sha256).unlink(missing_ok=True)
    if not done:
        raise ValidationError({"person": say("没有找到身份证号或手机号为“%(person)s”的人的个人信息", person=person)})
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
    records, names = _records_of(change, village_id, person)
    for record in records:
        _mask(record, names)
        record.version += 1
        record.updated_at = change.now()
        entity = record.audit_entity
        erased.private_records += _blank_private_records(change, entity, record.audit_id())
        change.record(f"{entity}.erase", record, reason)
        erased.records.append(f"{entity} {getattr(record, 'number', None) or _line_name(record)}")
    erased.files = _erase_files(change, records)
    return erased


def _line_name(record: Any) -> str:
    """How the command names a record without a number of its own (a dividend line)."""
    if isinstance(record, DividendLine):
        return f"{record.plan.number} {record.household}"
    return str(record.audit_id())


def _records_of(change: Change, village_id: int, person: str) -> tuple[list[Any], set[str]]:
    """The person's records in the village, and the full names they go by there: contracts,
    their receipts and signings, plan comments and complaints, then what names them by name."""
    session = change.session
    contracts = list(session.scalars(select(Contract).where(
        Contract.village_id == village_id, Contract.lessee_kind == LesseeKind.PERSON,
        or_(Contract.lessee_id_number == person, Contract.lessee_phone == person)).order_by(Contract.id)))
    comments = list(session.scalars(select(PlanComment).where(
        PlanComment.village_id == village_id, PlanComment.commenter_phone == person).order_by(PlanComment.id)))
    complaints = list(session.scalars(select(Complaint).where(
        Complaint.village_id == village_id, Complaint.filer_phone == person).order_by(Complaint.id)))
    names = ({c.lessee_name for c in contracts} | {c.commenter_name for c in comments}
             | {c.filer_name for c in complaints}) - {""}
    contract_ids = [c.id for c in contracts]
    receipts = list(session.scalars(select(Receipt).where(
        Receipt.village_id == village_id, Receipt.payer_is_person,
        Receipt.contract_id.in_(contract_ids), Receipt.payer_name.in_(names)).order_by(Receipt.id)))
    signings = [signing for signing in session.scalars(select(Signing).where(
        Signing.village_id == village_id).order_by(Signing.id))
        if signing.contract_id in contract_ids or _names_in(signing, names)]
    tenders = [tender for tender in session.scalars(select(Tender).where(
        Tender.village_id == village_id).order_by(Tender.id))
        if any(b["kind"] == "person" and b["name"] in names for b in tender.bidders)]
    lines = list(session.scalars(select(DividendLine).where(
        DividendLine.village_id == village_id, DividendLine.head_name.in_(names)).order_by(DividendLine.id)))
    ledger = list(session.scalars(select(LedgerEntry).where(
        LedgerEntry.village_id == village_id, LedgerEntry.counterparty_is_person,
        or_(LedgerEntry.counterparty.in_(names), LedgerEntry.receipt_id.in_([r.id for r in receipts])))
        .order_by(LedgerEntry.id)))
    return [*contracts, *receipts, *comments, *complaints, *signings, *tenders, *lines, *ledger], names


def _names_in(signing: Signing, names: set[str]) -> bool:
    return (signing.lessor_name in names or signing.lessee_name in names
            or any(w["name"] in names for w in signing.witnesses))


def _mask(record: Audited, names: set[str]) -> None:
    """Replaces the record's personal fields (of the person going by `names`) by their masked
    forms (idempotent)."""
    if isinstance(record, Contract):
        record.lessee_name = mask_name(record.lessee_name)
        record.lessee_id_number = mask_id_number(record.lessee_id_number)
        record.lessee_phone = mask_phone(record.lessee_phone) if record.lessee_phone else ""
    elif isinstance(record, Receipt):
        record.payer_name = mask_name(record.payer_name)
    elif isinstance(record, PlanComment):
        record.commenter_name = mask_name(record.commenter_name)
        record.commenter_phone = mask_phone(record.commenter_phone) if record.commenter_phone else ""
    elif isinstance(record, Complaint):
        record.filer_name = mask_name(record.filer_name) if record.filer_name else ""
        record.filer_phone = mask_phone(record.filer_phone) if record.filer_phone else ""
    elif isinstance(record, Signing):
        record.lessee_name = mask_name(record.lessee_name)  # the lessee of the person's contract
        if record.lessor_name in names:
            record.lessor_name = mask_name(record.lessor_name)
        record.witnesses = [{**w, "name": mask_name(w["name"])} if w["name"] in names else w
                            for w in record.witnesses]
    elif isinstance(record, Tender):
        record.bidders = [{**b, "name": mask_name(b["name"])} if b["kind"] == "person" and b["name"] in names
                          else b for b in record.bidders]
    elif isinstance(record, DividendLine):
        record.head_name = mask_name(record.head_name)
    elif isinstance(record, LedgerEntry):
        record.counterparty = mask_name(record.counterparty)


def _erase_files(change: Change, records: list[Any]) -> list[str]:
    """Marks the scans of the person's receipts and the vouchers of their ledger entries erased
    (their name kept blank); returns their hashes, for the caller to delete once committed. A
    file that a record of someone else also names is kept."""
    session = change.session
    receipt_ids = [r.id for r in records if isinstance(r, Receipt)]
    entry_ids = [e.id for e in records if isinstance(e, LedgerEntry)]
    named = [r.scan_sha256 for r in records if isinstance(r, Receipt)]
    named += [e.voucher_sha256 for e in records if isinstance(e, LedgerEntry)]
    hashes = {sha256 for sha256 in named if sha256}
    if not hashes:
        return []
    shared = set(session.scalars(select(Receipt.scan_sha256).where(
        Receipt.scan_sha256.in_(hashes), Receipt.id.not_in(receipt_ids))))
    shared |= set(session.scalars(select(LedgerEntry.voucher_sha256).where(
        LedgerEntry.voucher_sha256.in_(hashes), LedgerEntry.id.not_in(entry_ids))))
    erased = []
    for sha256 in sorted(hashes - shared):
        stored = session.get(StoredFile, sha256)
        if stored is not None:
            stored.erased_at, stored.original_name = change.now(), ""
        erased.append(sha256)
    return erased


def _blank_private_records(change: Change, entity: str, entity_id: str) -> int:
    """Blanks the personal data and salt behind every earlier entry of the record."""
    entries = select(AuditEntry.id).where(AuditEntry.log == change.log, AuditEntry.entity == entity,
                                          AuditEntry.entity_id == entity_id).scalar_subquery()
    result = change.session.execute(
        update(PrivateRecord).where(PrivateRecord.entry_id.in_(entries), PrivateRecord.personal.is_not(None))
        .values(personal=None, salt=b"").execution_options(synchronize_session=False))
    return int(getattr(result, "rowcount", 0) or 0)
