"""The fast audited write path (issue 3): a receipt's row by one Core INSERT, the duplicate number
refused by UNIQUE, the cached village id, and checkpoints signed when read — on SQLite and
PostgreSQL, with the same guarantees as before: bad input writes nothing, a crash leaves neither
row nor entry, every reader gets a checkpoint covering the committed head."""
from __future__ import annotations

from dataclasses import replace

import json
from decimal import Decimal

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from audit import NoteError, note
from audit.checkpoint import parse_checkpoint
from portal import create_app
from portal.auditlog import store as audit_log
from portal.auditlog.models import AuditEntry, AuditHead, PrivateRecord, StoredFile
from portal.contracts.models import Contract, ContractAsset
from portal.contracts.services import create_contract, withdraw_contract
from portal.kernel.errors import NotFound, ValidationError
from portal.kernel.status import RecordStatus
from portal.parcels.models import Asset
from portal.receipts.models import Receipt
from portal.receipts.services import ReceiptInput, correct_receipt, record_receipt

from .conftest import STAFF


def receipt(**changes) -> ReceiptInput:
    values = dict(number="SK-1", amount="5000.00", received_on="2024-01-05", payer_name="测试农业有限公司",
                  contract_number="HT-001")
    values.update(changes)
    return ReceiptInput(**values)


def counts(backend) -> tuple[int, int, int]:
    with backend.db.read() as session:
        return (session.scalar(select(func.count()).select_from(Receipt)),
                session.scalar(select(func.count()).select_from(AuditEntry)),
                session.scalar(select(func.count()).select_from(PrivateRecord)))


def stored_note(backend, log: str) -> str:
    with backend.db.read() as session:
        return session.scalar(select(AuditHead.checkpoint).where(AuditHead.log == log))


def checkpoint_size(backend, signed: str) -> int:
    body, _ = note.open_note(signed, [backend.signer.verifier_key])
    return parse_checkpoint(body).size


@pytest.fixture
def contract(backend, village, contract_input) -> str:
    create_contract(backend, STAFF, village, contract_input())
    return "HT-001"


def test_a_second_receipt_with_the_same_number_is_refused_with_the_form_message(backend, village, contract):
    record_receipt(backend, STAFF, village, receipt())
    before = counts(backend)
    with pytest.raises(ValidationError) as refused:
        record_receipt(backend, STAFF, village, receipt(amount="1.00", payer_name="张三", payer_is_person=True))
    assert refused.value.errors == {"number": "收据号“SK-1”已登记"}
    assert counts(backend) == before
    record_receipt(backend, STAFF, village, receipt(number="SK-2"))  # the log goes on cleanly
    assert counts(backend)[:2] == (before[0] + 1, before[1] + 1)


def test_the_same_receipt_number_in_another_village_is_fine(backend, village, contract):
    from portal.kernel.transaction import SYSTEM
    from portal.villages.services import VillageInput, create_village

    record_receipt(backend, STAFF, village, receipt())
    create_village(backend, SYSTEM, VillageInput(code="other", name="另一村", township="测试镇"))
    record_receipt(backend, replace(STAFF, village="other"), "other", receipt(contract_number=""))
    assert counts(backend)[0] == 2


def test_a_receipt_for_an_unknown_village_writes_nothing(backend, village):
    before = counts(backend)
    with pytest.raises(NotFound):
        record_receipt(backend, replace(STAFF, village="nowhere"), "nowhere", receipt(contract_number=""))
    assert counts(backend) == before


def test_the_returned_receipt_is_complete_without_the_session(backend, village, contract):
    stored = record_receipt(backend, STAFF, village, receipt(payer_name="王秀英", payer_is_person=True))
    # detached now: every column was set by the write itself, so nothing needs loading
    assert stored.id > 0 and stored.village_id > 0 and stored.version == 1
    assert stored.status is RecordStatus.ACTIVE and stored.scan_sha256 is None and stored.note == ""
    assert stored.amount == Decimal("5000.00") and stored.contract.number == "HT-001"
    assert stored.contract_id == stored.contract.id
    with backend.db.read() as session:
        row = session.get(Receipt, stored.id)
        assert (row.number, row.contract_id, row.payer_name, row.status) == (
            "SK-1", stored.contract_id, "王秀英", RecordStatus.ACTIVE)
        private = session.scalar(select(PrivateRecord.personal).order_by(PrivateRecord.entry_id.desc()).limit(1))
    assert json.loads(private) == {"payer_name": "王秀英"}


def test_a_receipt_written_by_the_fast_path_can_be_corrected_later(backend, village, contract):
    record_receipt(backend, STAFF, village, receipt())
    corrected = correct_receipt(backend, STAFF, village, "SK-1", receipt(amount="4000.00"), "金额录入错误")
    assert corrected.version == 2 and corrected.amount == Decimal("4000.00")


def test_a_receipt_on_a_withdrawn_contract_is_still_refused(backend, village, contract):
    withdraw_contract(backend, STAFF, village, "HT-001", "录入错误")
    before = counts(backend)
    with pytest.raises(ValidationError) as refused:
        record_receipt(backend, STAFF, village, receipt())
    assert "已撤回" in refused.value.errors["contract_number"]
    assert counts(backend) == before


def test_a_crash_in_the_append_leaves_no_receipt_row(backend, village, contract, monkeypatch):
    before = counts(backend)

    def crash(*args, **kwargs):
        raise RuntimeError("power cut")

    monkeypatch.setattr(audit_log, "append", crash)
    with pytest.raises(RuntimeError):
        record_receipt(backend, STAFF, village, receipt(payer_is_person=True, payer_name="张三"))
    monkeypatch.undo()
    assert counts(backend) == before
    record_receipt(backend, STAFF, village, receipt())
    assert counts(backend)[:2] == (before[0] + 1, before[1] + 1)


def test_an_append_the_database_refuses_at_commit_leaves_no_receipt_row(backend, village, contract):
    """On PostgreSQL the append is sent with the COMMIT: refused there (an entry already holds its
    place in the log), the COMMIT is skipped and the receipt's row rolls back too; the pooled
    connection then serves the next write as before."""
    from datetime import UTC, datetime

    with backend.db.read() as session:
        size = session.scalar(select(AuditHead.size).where(AuditHead.log == village))
    forged = AuditEntry(log=village, seq=size, ts=datetime.now(UTC), actor="x", action="receipt.create",
                        entity="receipt", entity_id="0", version=1, reason=None, prev="f" * 64, hash="e" * 64,
                        line="{}")
    with backend.db.write(village) as session:
        session.add(forged)
    before = counts(backend)
    with pytest.raises(Exception, match="(?i)unique|duplicate"):
        record_receipt(backend, STAFF, village, receipt())
    assert counts(backend) == before
    with backend.db.write(village) as session:
        session.execute(AuditEntry.__table__.delete().where(AuditEntry.log == village, AuditEntry.seq == size))
    record_receipt(backend, STAFF, village, receipt())
    assert counts(backend)[:2] == (before[0] + 1, before[1])  # the forged entry's place, now the receipt's


def test_every_committed_write_has_a_current_signed_checkpoint(client, backend, village, contract):
    for i in range(4):
        record_receipt(backend, STAFF, village, receipt(number=f"SK-{i}"))
        with backend.db.read() as session:
            size = audit_log.head(session, village).size
            assert checkpoint_size(backend, audit_log.head(session, village).checkpoint) == size
            assert checkpoint_size(backend, audit_log.latest_checkpoint(session, village)) == size
        served = client.get(f"/v/{village}/audit/checkpoint").get_data(as_text=True)
        assert checkpoint_size(backend, served) == size
    # appends store size and root only; the stored note is the one signed when the log began
    assert checkpoint_size(backend, stored_note(backend, village)) == 1


def test_kept_and_exported_checkpoints_cover_the_head(backend, village, contract, tmp_path):
    record_receipt(backend, STAFF, village, receipt())
    with backend.db.read() as session:
        size = audit_log.head(session, village).size
        kept = audit_log.keep_checkpoint(session, village, backend.clock())
        session.commit()
    assert kept.size == size and checkpoint_size(backend, kept.note) == size
    with backend.db.read() as session:
        audit_log.export(session, village, tmp_path, [backend.signer.verifier_key])
    assert checkpoint_size(backend, (tmp_path / "checkpoint").read_text(encoding="utf-8")) == size


def test_another_process_signs_the_same_checkpoint(app, backend, village, contract, database_url):
    """Ed25519 is deterministic: a second portal process with the same key serves the same note."""
    record_receipt(backend, STAFF, village, receipt())
    other = create_app({"TESTING": True, "DATABASE_URL": database_url, "SECRET_KEY": "x",
                        "INSTANCE_PATH": app.instance_path})
    try:
        with backend.db.read() as mine, other.extensions["portal"].db.read() as theirs:
            assert audit_log.latest_checkpoint(mine, village) == audit_log.latest_checkpoint(theirs, village)
    finally:
        other.extensions["portal"].db.dispose()


def test_a_session_without_a_signer_never_serves_a_stale_checkpoint(backend, village, contract):
    with Session(backend.db.engine) as bare:  # not from the backend's sessions: no signer
        with pytest.raises(RuntimeError, match="no signer"):
            audit_log.head(bare, village)
        assert audit_log.inclusion(bare, village, 0, 2)["size"] == 2  # proofs need no signer


def test_change_insert_refuses_what_only_a_flush_can_write(backend, village):
    with backend.change(village, STAFF) as change:
        with pytest.raises(ValueError, match="session.add"):
            change.insert(Contract(village_id=change.village_id(), number="X", items=[ContractAsset(asset_id=1)]))
        existing = change.session.scalar(select(Asset).limit(1))
        with pytest.raises(ValueError, match="already in a session"):
            change.insert(existing)


def test_change_insert_writes_a_row_keyed_by_its_own_primary_key(backend, village):
    digest = "ab" * 32
    with backend.change(village, STAFF) as change:
        stored = StoredFile(sha256=digest, size=3, media_type="image/png", original_name="x.png",
                            created_at=backend.clock())
        change.insert(stored)
        assert change.session.get(StoredFile, digest) is stored  # attached, as a flush leaves it
    with backend.db.read() as session:
        assert session.get(StoredFile, digest).size == 3


def test_signer_object_signs_as_note_sign_does():
    peter = "PRIVATE+KEY+PeterNeumann+c74f20a3+AYEKFALVFGyNhPJEMzD1QIDr+Y7hfZx09iUvxdXHKDFz"
    text = "If you think cryptography is the answer to your problem,\nthen you don't know what your problem is.\n"
    signer = note.Signer(peter)
    assert signer.sign(text) == note.sign(text, [peter])
    assert "AYEKFALV" not in repr(signer) and "PeterNeumann" in repr(signer)
    with pytest.raises(NoteError):
        signer.sign("no newline")
    with pytest.raises(NoteError):
        note.Signer("PRIVATE+KEY+bad")


postgres_only = pytest.mark.parametrize(
    "database_url", [pytest.param("postgres", marks=pytest.mark.postgres)], indirect=True)


def round_trips(backend, write, tmp_path) -> int:
    """How many times `write()` waited for PostgreSQL: the ReadyForQuery answers in libpq's trace
    of every connection it used (one per simple query or per pipeline's sync)."""
    from psycopg import pq
    from sqlalchemy import event

    trace = open(tmp_path / "libpq-trace", "w+")

    def start(dbapi_connection, *_):
        dbapi_connection.pgconn.trace(trace.fileno())
        dbapi_connection.pgconn.set_trace_flags(pq.Trace.SUPPRESS_TIMESTAMPS | pq.Trace.REGRESS_MODE)

    def stop(dbapi_connection, *_):
        dbapi_connection.pgconn.untrace()

    engine = backend.db.engine
    event.listen(engine, "checkout", start)
    event.listen(engine, "checkin", stop)
    try:
        write()
    finally:
        event.remove(engine, "checkout", start)
        event.remove(engine, "checkin", stop)
    trace.seek(0)
    return sum(1 for line in trace if "\tReadyForQuery" in line)


@postgres_only
def test_an_audited_receipt_is_two_round_trips_on_postgresql(backend, village, contract, tmp_path):
    """The lock, the log's tip and the row's INSERT in one; the append and the COMMIT in the other."""
    record_receipt(backend, STAFF, village, receipt(number="SK-0"))  # the village's id is now known
    before = counts(backend)
    assert round_trips(backend, lambda: record_receipt(
        backend, STAFF, village, receipt(number="SK-1", contract_number="")), tmp_path) == 2
    # with a contract to find: its SELECT goes after the lock, the INSERT on its own
    assert round_trips(backend, lambda: record_receipt(
        backend, STAFF, village, receipt(number="SK-2")), tmp_path) == 4
    assert counts(backend)[:2] == (before[0] + 2, before[1] + 2)
    with pytest.raises(ValidationError):  # refused in the first round trip: nothing kept, the lock let go
        record_receipt(backend, STAFF, village, receipt(number="SK-1", contract_number=""))
    assert counts(backend)[:2] == (before[0] + 2, before[1] + 2)
    record_receipt(backend, STAFF, village, receipt(number="SK-3", contract_number=""))
    with backend.db.read() as session:
        assert audit_log.head(session, village).size == before[1] + 3


@postgres_only
def test_the_database_refuses_an_entry_that_does_not_extend_the_head(backend, village, contract):
    """The append's own check, behind the log's lock: an entry built on a tip that is not the
    head's is refused whole, and the row written with it rolls back."""
    from datetime import UTC, datetime

    from portal.kernel.database import READ_AFTER_LOCK

    record_receipt(backend, STAFF, village, receipt(number="SK-0"))
    before = counts(backend)
    with backend.db.read() as session:
        head = session.execute(select(AuditHead.size, AuditHead.last_hash, AuditHead.peaks)
                               .where(AuditHead.log == village)).one()
    # a tip one entry behind also collides with a Merkle node; a wrong last hash only with the check
    for stale, refusal in (((head.size - 1, head.last_hash, head.peaks), "null value in column .log.|pk_audit_node"),
                           ((head.size, "a" * 64, head.peaks), "null value in column .log.")):
        with pytest.raises(Exception, match=refusal):
            with backend.db.write(village) as session:
                session.add(Receipt(village_id=backend._village_ids[village], number="SK-X", amount=Decimal("1"),
                                    received_on=datetime(2024, 1, 1).date(), payer_name="测试", version=1,
                                    updated_at=datetime.now(UTC)))
                session.flush()
                session.info[READ_AFTER_LOCK] = (village, stale)
                audit_log.append(session, backend.signer, log=village, ts=datetime.now(UTC), actor="x",
                                 action="receipt.create", entity="receipt", entity_id="SK-X", version=1,
                                 reason=None, data={}, personal=None)
        assert counts(backend) == before
