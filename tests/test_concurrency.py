"""16 writers at once on one village log: no fork, no gap, no lost write."""
from __future__ import annotations

import hashlib
import json
import threading

import pytest
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


PROCESSES = 16
PROCESS_WRITES = 10


@pytest.mark.parametrize("database_url", [pytest.param("postgres", marks=pytest.mark.postgres)], indirect=True)
@pytest.mark.parametrize("shared", [True, False], ids=["one log", "a log each"])
def test_sixteen_processes_on_postgresql_neither_fork_nor_leave_a_gap(backend, shared):
    """16 writer processes (not threads: each its own connection pool and interpreter), all on
    one village log or each on its own: every log verifies, and its size is its setup entry plus
    exactly the writes acknowledged to it."""
    from benchmarks.writes import concurrent_writes, set_up_villages, village_codes
    from portal.auditlog.integrity import verify_log

    codes = village_codes(PROCESSES)
    set_up_villages(backend, codes)
    outcome = concurrent_writes(backend, codes[:1] if shared else codes, PROCESSES, PROCESS_WRITES)
    assert outcome.errors == []
    assert outcome.acknowledged == PROCESSES * PROCESS_WRITES
    for code in codes:
        with backend.db.read() as session:
            report = verify_log(session, code, backend.signer, backend.files_dir, backend.registry)
            seqs = session.scalars(select(AuditEntry.seq).where(AuditEntry.log == code)
                                   .order_by(AuditEntry.seq)).all()
            logged = {json.loads(line)["data"]["number"] for line in audit_log.iter_lines(session, code, 1)}
        assert report.ok, report.problems
        acknowledged = outcome.numbers.get(code, [])
        assert report.size == 1 + len(acknowledged) and seqs == list(range(report.size))  # no gap
        assert logged == set(acknowledged)
    print(f"\n{PROCESSES} processes on {'one log' if shared else f'{PROCESSES} logs'}: "
          f"{outcome.acknowledged} audited writes in {outcome.seconds:.2f} s = {outcome.rate:.0f} writes/s")
