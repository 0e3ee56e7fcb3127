"""16 writers at once on one village log: no fork, no gap, no lost write."""
from __future__ import annotations

import hashlib
import json
import threading

from sqlalchemy import func, select

from portal.auditlog import store as audit_log
from portal.auditlog.models import AuditEntry
from portal.receipts.models import Receipt
from portal.receipts.services import ReceiptInput, record_receipt

from .conftest import STAFF

WRITERS = 16
WRITES_EACH = 8


def test_concurrent_writers_neither_fork_nor_lose_anything(backend, village):
    with backend.db.read() as session:
        start = audit_log.head(session, village).size
    barrier = threading.Barrier(WRITERS)
    failures: list[BaseException] = []

    def writer(n: int) -> None:
        try:
            barrier.wait()
            for i in range(WRITES_EACH):
                record_receipt(backend, STAFF, village, ReceiptInput(
                    number=f"W{n:02d}-{i:02d}", amount=f"{n + 1}.{i:02d}", received_on="2025-01-01",
                    payer_name="并发测试"))
        except BaseException as err:  # noqa: BLE001 — reported below
            failures.append(err)

    threads = [threading.Thread(target=writer, args=(n,)) for n in range(WRITERS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert failures == []

    with backend.db.read() as session:
        size = audit_log.head(session, village).size
        seqs = session.scalars(select(AuditEntry.seq).where(AuditEntry.log == village).order_by(AuditEntry.seq)).all()
        receipts = session.scalar(select(func.count()).select_from(Receipt))
        lines = list(audit_log.iter_lines(session, village))
    assert size == start + WRITERS * WRITES_EACH
    assert seqs == list(range(size))
    assert receipts == WRITERS * WRITES_EACH
    previous = "0" * 64
    for line in lines:
        assert json.loads(line)["prev"] == previous
        previous = hashlib.sha256(line.encode()).hexdigest()
    numbers = {json.loads(line)["data"]["number"] for line in lines[start:]}
    assert numbers == {f"W{n:02d}-{i:02d}" for n in range(WRITERS) for i in range(WRITES_EACH)}
