"""`flask --app portal privacy erase --person ID --reason …`: a person's personal data and salts
are gone from the database, the erasure is logged, and every proof and checkpoint made before it
still verifies (on SQLite and PostgreSQL)."""
from __future__ import annotations

import json
import os

from sqlalchemy import select, text

from audit import merkle
from portal.auditlog import store as audit_log
from portal.auditlog.models import AuditEntry, PrivateRecord
from portal.contracts.models import Contract, LesseeKind
from portal.kernel.privacy import mask_name
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
