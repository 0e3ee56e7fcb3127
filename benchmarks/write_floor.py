"""The floor under an audited write: the receipt `record_receipt` writes, checked and logged the
same way (the form's checks, the entry, its hash and Merkle step) and sent as the same statements
in the same two round trips, but straight through psycopg: no SQLAlchemy session, engine or pool,
no kernel. Whatever the portal's write path did, it could not beat this in Python with this
driver, so `scripts/bench writes` reports the portal against it as well as against a bare INSERT.

The entries are real: each log is verified afterwards (`check_logs`).
"""
from __future__ import annotations

import traceback
from datetime import UTC, datetime
from typing import Any

from benchmarks.writes import Outcome, _run_processes


def _floor_writer(backend: Any, log: str, village_id: int, prefix: str, n: int, each: int,
                  barrier: Any, results: Any) -> None:
    import psycopg
    from sqlalchemy import inspect, make_url

    from audit import merkle
    from audit.entry import build_entry
    from portal.auditlog import store
    from portal.kernel.database import advisory_key
    from portal.kernel.transaction import _InsertPlan
    from portal.kernel.types import UTCDateTime
    from portal.receipts.models import Receipt
    from portal.receipts.services import ReceiptInput, check_receipt

    dialect = backend.db.engine.dialect
    url = make_url(backend.db.url).set(drivername="postgresql").render_as_string(hide_password=False)
    done: list[str] = []
    error = ""
    try:
        connection = psycopg.connect(url, autocommit=True, options="-c jit=off")  # BEGIN sent by hand
        locking, cursor = connection.cursor(), connection.cursor()
        key, actor, ts_column = advisory_key(log), f"staff:floor{n:02d}", UTCDateTime()
        barrier.wait()
        for i in range(each):
            number = f"{prefix}{n:02d}-{i:05d}"
            checked = check_receipt(ReceiptInput(number=number, amount=f"{n + 1}.{i % 100:02d}",
                                                 received_on="2025-01-01", payer_name="并发测试农业有限公司"))
            now = datetime.now(UTC)
            receipt = Receipt(village_id=village_id, contract=None, **checked.values)
            receipt.version, receipt.updated_at = 1, now
            state: Any = inspect(receipt)
            plan = _InsertPlan.of(state.mapper)
            values = plan.row(receipt, state)
            sql, processors = plan.driver_sql(dialect, frozenset(values))
            with connection.pipeline():
                locking.execute("BEGIN")
                locking.execute("SELECT pg_advisory_xact_lock(%s)", (key,))
                locking.execute(store.TIP_AFTER_LOCK, (log,))
                cursor.execute(sql, {k: values[k] if p is None else p(values[k]) for k, p in processors})
            tip, inserted = locking.fetchone(), cursor.fetchone()
            assert tip is not None and inserted is not None, "the village's log and the row exist"
            (size, prev, peaks), receipt.id = tip, inserted[0]
            entry, line = build_entry(log=log, seq=size, ts=now, actor=actor, action="receipt.create",
                                      entity="receipt", entity_id=receipt.audit_id(), version=1, reason=None,
                                      data=receipt.public_state(), private=None, prev=prev)
            tree = merkle.CompactRange.from_peaks(size, store.peaks_list(bytes(peaks)))
            new_nodes = tree.append(merkle.leaf_hash(bytes.fromhex(entry["hash"])))
            row = dict(log=log, seq=size, actor=actor, action="receipt.create", entity="receipt",
                       entity_id=receipt.audit_id(), version=1, reason=None, prev=prev, hash=entry["hash"],
                       line=line.decode("utf-8"))
            parameters = store.append_parameters(
                row, tree.size, tree.root(), store.peaks_blob(tree.peak_hashes()), new_nodes,
                ts=ts_column.process_bind_param(now, dialect), salt=None, personal=None)
            with connection.pipeline():
                cursor.execute(store.APPEND_PG, parameters)
                cursor.execute("COMMIT")
            done.append(number)
        connection.close()
    except BaseException:  # noqa: BLE001 — sent back as text, as in benchmarks.writes
        error = traceback.format_exc(limit=3)
    results.put((log, done, error))


def floor_writes(backend: Any, logs: list[str], writers: int, each: int, prefix: str = "F") -> Outcome:
    """`writers` processes, process n writing `each` receipts to logs[n % len(logs)] at the floor."""
    from sqlalchemy import select

    from portal.villages.models import Village

    with backend.db.read() as session:
        ids = {code: id_ for code, id_ in session.execute(select(Village.code, Village.id).where(Village.code.in_(logs)))}
    backend.db.dispose()
    seconds, collected = _run_processes(
        _floor_writer,
        lambda n, barrier, results: (backend, logs[n % len(logs)], ids[logs[n % len(logs)]], prefix, n, each,
                                     barrier, results),
        writers)
    numbers: dict[str, list[str]] = {}
    for log, done, _ in collected:
        numbers.setdefault(log, []).extend(done)
    return Outcome(sum(len(done) for _, done, _ in collected), seconds,
                   [error for _, _, error in collected if error], numbers)


def check_logs(backend: Any, logs: list[str]) -> list[str]:
    """What is wrong with `logs` (empty: nothing): each log's lines must verify, and their
    root and size must be the head's."""
    from audit import LogError
    from audit.verify import verify_lines
    from portal.auditlog import store

    problems = []
    with backend.db.read() as session:
        for log in logs:
            head = store.head(session, log)
            try:
                _, size, root = verify_lines(line.encode() for line in store.iter_lines(session, log))
            except LogError as error:
                problems.append(f"{log}: {error}")
                continue
            if head is None or (size, root) != (head.size, head.root):
                problems.append(f"{log}: {size} entries verified, the head says {head}")
    return problems
