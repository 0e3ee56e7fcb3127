"""`flask --app portal privacy erase --person ID --reason …`: a person's personal data and salts
are gone from the database, the erasure is logged, and every proof and checkpoint made before it
still verifies (on SQLite and PostgreSQL)."""
from __future__ import annotations

import json
import os

from sqlalchemy import select, text

from audit import merkle
from portal.auditlog import store as audit_log
from portal.auditlog.files import path_for
from portal.auditlog.models import AuditEntry, PrivateRecord, StoredFile
from portal.contracts.models import Contract, LesseeKind
from portal.kernel.privacy import mask_name
from portal.ledger.models import LedgerEntry
from portal.receipts.models import Receipt

from .test_integrity import keep_checkpoint, verify


def _person(backend):
    """A demo lessee who is a person and has paid: (name, ID number, phone, their contract ids)."""
    with backend.db.read() as session:
        contract = session.scalars(select(Contract).join(Receipt, Receipt.contract_id == Contract.id)
                                   .where(Contract.lessee_kind == LesseeKind.PERSON).order_by(Contract.id)).first()
        ids = list(session.scalars(select(Contract.id).where(Contract.lessee_id_number == contract.lessee_id_number)))
        return contract.lessee_name, contract.lessee_id_number, contract.lessee_phone, ids


def _everything(backend) -> str:
    """Every row of every table as text: where a person's data could still be."""
    with backend.db.engine.connect() as conn:
        tables = [t for t in backend.db.engine.dialect.get_table_names(conn)]
        return "\n".join(str(row) for table in tables
                         for row in conn.execute(text(f'SELECT * FROM "{table}"')))


def _proof_of(backend, log, seq, size):
    with backend.db.read() as session:
        proof = audit_log.inclusion(session, log, seq, size)
        line = session.scalar(select(AuditEntry.line).where(AuditEntry.log == log, AuditEntry.seq == seq))
    return proof, line


def test_erasing_a_person_keeps_every_proof_and_checkpoint_valid(runner, backend, demo, client):
    name, id_number, phone, contract_ids = _person(backend)
    assert name in _everything(backend) and id_number in _everything(backend)
    keep_checkpoint(runner, demo)
    with backend.db.read() as session:
        before = audit_log.head(session, demo)
        seq = session.scalar(select(AuditEntry.seq).where(
            AuditEntry.log == demo, AuditEntry.entity == "contract",
            AuditEntry.entity_id == str(contract_ids[0])).order_by(AuditEntry.seq))
    old_proof, old_line = _proof_of(backend, demo, seq, before.size)

    result = runner.invoke(args=["privacy", "erase", "--person", id_number, "--reason", "本人申请删除个人信息"])
    assert result.exit_code == 0, result.output
    assert "已删除" in result.output and "删除本身已记入日志" in result.output

    everything = _everything(backend)
    for value in (name, id_number, phone):  # gone from every table, the private records included
        assert value not in everything
    with backend.db.read() as session:
        entries = [json.loads(line) for line in audit_log.iter_lines(session, demo, before.size)]
        blanked = session.execute(select(PrivateRecord.personal, PrivateRecord.salt).join(
            AuditEntry, AuditEntry.id == PrivateRecord.entry_id).where(
            AuditEntry.entity == "contract", AuditEntry.entity_id == str(contract_ids[0]),
            AuditEntry.seq < before.size)).all()
        after = audit_log.head(session, demo)
        consistency = audit_log.consistency(session, demo, before.size, after.size)
    assert blanked and all(personal is None and not salt for personal, salt in blanked)
    # the erasure is logged: one entry per record, with the reason, the public state unchanged
    assert {e["action"] for e in entries} >= {"contract.erase", "receipt.erase"}
    assert all(e["reason"] == "本人申请删除个人信息" and e["actor"] == "system:portal" for e in entries)
    assert mask_name(name) in json.dumps([e["data"] for e in entries], ensure_ascii=False)

    # what was proved before still verifies: the old entry, the old checkpoint, and the log grew
    # from it without rewriting anything
    assert _proof_of(backend, demo, seq, before.size)[1] == old_line
    merkle.verify_inclusion(seq, before.size, bytes.fromhex(old_proof["leaf_hash"]),
                            [bytes.fromhex(p) for p in old_proof["path"]], before.root)
    new_proof, _ = _proof_of(backend, demo, seq, after.size)
    merkle.verify_inclusion(seq, after.size, bytes.fromhex(new_proof["leaf_hash"]),
                            [bytes.fromhex(p) for p in new_proof["path"]], after.root)
    merkle.verify_consistency(before.size, after.size, before.root, after.root,
                              [bytes.fromhex(p) for p in consistency["path"]])
    if backend.db.is_sqlite:  # nor in the file's free pages or the WAL
        path = backend.db.engine.url.database
        raw = b"".join(open(f"{path}{suffix}", "rb").read() for suffix in ("", "-wal") if os.path.exists(f"{path}{suffix}"))
        assert id_number.encode() not in raw and name.encode() not in raw
    result = verify(runner)
    assert result.exit_code == 0, result.output  # incl. the kept checkpoint and every row vs its entry
    with backend.db.read() as session:
        number = session.scalar(select(Contract.number).where(Contract.id == contract_ids[0]))
    page = client.get(f"/v/{demo}/contracts/{number}").get_data(as_text=True)
    assert mask_name(name) in page and "删除个人信息" in page


def test_erasing_someone_unknown_or_without_a_reason_changes_nothing(runner, backend, demo):
    with backend.db.read() as session:
        size = audit_log.head(session, demo).size
    result = runner.invoke(args=["privacy", "erase", "--person", "110101199001010000", "--reason", "本人申请"])
    assert result.exit_code == 1 and "没有找到" in result.output
    _, id_number, _, _ = _person(backend)
    result = runner.invoke(args=["privacy", "erase", "--person", id_number, "--reason", " "])
    assert result.exit_code == 1 and "Traceback" not in result.output
    with backend.db.read() as session:
        assert audit_log.head(session, demo).size == size
    assert id_number in _everything(backend)


def _every_kind_for(backend, demo) -> dict[str, object]:
    """The demo lessee 张丽华 also in a receipt with a scan, a signing, a complaint with her
    phone, a tender she registers for, a dividend line and a ledger entry with a voucher."""
    from datetime import timedelta

    from portal.complaints.services import ComplaintInput, file_complaint
    from portal.demo_complaints import FILER
    from portal.dividends.services import PlanInput, create_plan
    from portal.ledger.services import EntryInput, book_entry
    from portal.receipts.services import ReceiptInput, record_receipt
    from portal.signings.services import SigningInput, record_signing
    from portal.tenders.services import register_bidder

    from .conftest import DEMO_STAFF
    from .test_receipt_editing import PDF, png
    from .test_tenders import tender_input

    with backend.db.read() as session:
        contract = session.scalars(select(Contract).where(Contract.lessee_name == "张丽华")).first()
        number, id_number, phone = contract.number, contract.lessee_id_number, contract.lessee_phone
    today = backend.today()
    scan, voucher = png(), PDF.replace(b"1.4", b"1.5")
    receipt = record_receipt(backend, DEMO_STAFF, demo, ReceiptInput(
        number="SK-ERASE-1", amount="100.00", received_on=today, payer_name="张丽华", payer_is_person=True,
        contract_number=number, scan=scan, scan_name="张丽华收据.png"))
    book_entry(backend, DEMO_STAFF, demo, EntryInput(
        number="ZJ-ERASE-1", booked_on="", direction="income", category="rent", amount="", counterparty="",
        receipt_number="SK-ERASE-1", voucher=voucher, voucher_name="凭证.pdf"))
    record_signing(backend, DEMO_STAFF, demo, SigningInput(
        number="QY-ERASE-1", contract_number=number, signed_on=today, place="村委会会议室",
        lessor_role="村委会主任", lessor_name="王建国", lessee_role="承租方", lessee_name="张丽华",
        witnesses="监委会主任 张三明"))
    file_complaint(backend, FILER, demo, ComplaintInput(kind="complaint", body="东洋片区的水渠堵了", name="张丽华",
                                                        phone=phone))
    from portal.tenders.services import create_tender
    with backend.db.read() as session:
        from portal.parcels.models import Asset
        from portal.villages.models import Village
        lot = session.scalars(select(Asset.number).join(Village, Village.id == Asset.village_id).where(
            Village.code == demo, Asset.kind == "land").order_by(Asset.number)).first()
    create_tender(backend, DEMO_STAFF, demo, tender_input(
        number="ZZ-ERASE-1", lots=[(lot, "1")], publicity_start="",
        bid_deadline=(today + timedelta(days=30)).isoformat()))
    register_bidder(backend, DEMO_STAFF, demo, "ZZ-ERASE-1", "person", "张丽华")
    create_plan(backend, DEMO_STAFF, demo, PlanInput(
        number="FH-ERASE-1", year=today.year, title="测试分配方案", total="1000.00",
        meeting_number=f"HY-{today.year}-001", publicity_from=today, publicity_until=today + timedelta(days=6),
        roll="LB-H999,张丽华,10"))
    return {"id_number": id_number, "phone": phone, "scan": receipt.scan_sha256}


def test_erasure_covers_signings_complaints_tenders_dividends_ledger_and_scans(runner, backend, demo, client):
    made = _every_kind_for(backend, demo)
    with backend.db.read() as session:
        voucher = session.scalar(select(LedgerEntry.voucher_sha256).where(LedgerEntry.number == "ZJ-ERASE-1"))
    files = [made["scan"], voucher]
    assert all(path_for(backend.files_dir, sha).exists() for sha in files)
    keep_checkpoint(runner, demo)
    with backend.db.read() as session:
        before = audit_log.head(session, demo)

    result = runner.invoke(args=["privacy", "erase", "--person", made["phone"], "--reason", "本人申请删除个人信息"])
    assert result.exit_code == 0, result.output
    assert "删除了 2 份扫描件" in result.output
    for kind in ("signing QY-ERASE-1", "complaint TS-", "tender ZZ-ERASE-1", "dividend_line FH-ERASE-1 LB-H999",
                 "ledger_entry ZJ-ERASE-1", "receipt SK-ERASE-1"):
        assert kind in result.output, (kind, result.output)

    everything = _everything(backend)
    for value in ("张丽华", made["id_number"], made["phone"], "张丽华收据.png"):
        assert value not in everything, value
    assert "王建国" in everything and "张三明" in everything  # the others at the signing keep their names
    with backend.db.read() as session:
        entries = [json.loads(line) for line in audit_log.iter_lines(session, demo, before.size)]
        stored = {row.sha256: row for row in session.scalars(select(StoredFile).where(StoredFile.sha256.in_(files)))}
        after = audit_log.head(session, demo)
        consistency = audit_log.consistency(session, demo, before.size, after.size)
    assert {e["action"] for e in entries} >= {"signing.erase", "complaint.erase", "tender.erase",
                                              "dividend_line.erase", "ledger_entry.erase", "receipt.erase"}
    assert all(e["reason"] == "本人申请删除个人信息" for e in entries)
    # the scans are gone from the disk, their rows say so; the log still names their hashes
    assert all(not path_for(backend.files_dir, sha).exists() for sha in files)
    assert all(stored[sha].erased_at is not None and stored[sha].original_name == "" for sha in files)
    merkle.verify_consistency(before.size, after.size, before.root, after.root,
                              [bytes.fromhex(p) for p in consistency["path"]])
    result = verify(runner)
    assert result.exit_code == 0, result.output  # the kept checkpoint, every row, every file named
    scan = client.get(f"/v/{demo}/receipts/SK-ERASE-1/scan")
    assert scan.status_code in (403, 410)
