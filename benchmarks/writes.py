"""Audited writes from many processes on PostgreSQL: `record_receipt` from N writer processes on
one village log and on N village logs, against a bare one-row INSERT + COMMIT from N processes
on the same server in the same run, and against the floor: the same write sent by psycopg alone
(benchmarks/write_floor.py), the most any write path of the portal could reach on this machine
with this driver. tests/test_concurrency.py runs the same code at small sizes
and checks the logs (no fork, no gap, every acknowledged write there).

Writers are forked from a process that built the app once, so each measures writes, not
imports. A worker catches every exception and sends back its text: an exception object (the
services' ValidationError, say) need not survive pickling through a pool.
"""
from __future__ import annotations

import argparse
import multiprocessing
import os
import time
import traceback
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

from benchmarks import Report, count

NAME = "writes"
HELP = "audited writes/s on PostgreSQL from N processes (one log, N logs) vs bare INSERT+COMMIT"
DEFAULT_URL = "postgresql+psycopg://postgres@127.0.0.1:5432/portal_bench_writes"
TARGET = 1000.0  # audited writes/s across villages (issue: county scale)


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--writers", type=int, default=16, help="writer processes (default 16)")
    parser.add_argument("--writes-each", type=int, default=200, help="writes per process (default 200)")
    parser.add_argument("--pg-url", default=os.environ.get("BENCH_DATABASE_URL", DEFAULT_URL),
                        help="PostgreSQL URL; its database is dropped and re-created "
                             f"(default $BENCH_DATABASE_URL or {DEFAULT_URL})")


@dataclass(frozen=True)
class Outcome:
    """What N processes did: writes acknowledged (their commit returned), wall time, errors."""

    acknowledged: int
    seconds: float
    errors: list[str]
    numbers: dict[str, list[str]]  # log → the receipt numbers acknowledged in it

    @property
    def rate(self) -> float:
        return self.acknowledged / self.seconds if self.seconds else 0.0


def village_codes(writers: int) -> list[str]:
    return [f"w{n:02d}" for n in range(writers)]


def set_up_villages(backend: Any, codes: list[str]) -> None:
    """One village per code, through the audited service (each log starts with its village)."""
    from portal.kernel.transaction import SYSTEM
    from portal.villages.services import VillageInput, create_village

    for code in codes:
        create_village(backend, SYSTEM, VillageInput(code=code, name=f"并发{code}村", township="基准镇"))


def _writer(backend: Any, log: str, prefix: str, n: int, each: int, barrier: Any, results: Any) -> None:
    from portal.kernel.transaction import Actor
    from portal.receipts.services import ReceiptInput, record_receipt

    backend.db.engine.dispose(close=False)  # never use the parent's connections
    staff = Actor(f"writer{n:02d}", "staff", village=log)
    done: list[str] = []
    error = ""
    try:
        barrier.wait()
        for i in range(each):
            number = f"{prefix}{n:02d}-{i:05d}"
            record_receipt(backend, staff, log, ReceiptInput(
                number=number, amount=f"{n + 1}.{i % 100:02d}", received_on="2025-01-01",
                payer_name="并发测试农业有限公司"))
            done.append(number)
    except BaseException:  # noqa: BLE001 — sent back as text, see the module docstring
        error = traceback.format_exc(limit=3)
    results.put((log, done, error))


def _run_processes(target: Callable[..., None], args_of: Callable[[int, Any, Any], tuple[Any, ...]],
                   writers: int) -> tuple[float, list[tuple[Any, ...]]]:
    """Starts `writers` forked processes that wait on one barrier; returns the time from the
    barrier to the last result and every process's result."""
    context = multiprocessing.get_context("fork")
    barrier, results = context.Barrier(writers + 1), context.Queue()
    processes = [context.Process(target=target, args=args_of(n, barrier, results)) for n in range(writers)]
    for process in processes:
        process.start()
    barrier.wait(timeout=120)
    started = time.perf_counter()
    collected = [results.get(timeout=600) for _ in processes]
    seconds = time.perf_counter() - started
    for process in processes:
        process.join(timeout=60)
    return seconds, collected


def concurrent_writes(backend: Any, logs: list[str], writers: int, each: int, prefix: str = "W") -> Outcome:
    """`writers` processes, process n writing `each` receipts numbered `<prefix><n>-<i>` to
    logs[n % len(logs)]."""
    backend.db.engine.dispose()  # nothing pooled to inherit
    seconds, collected = _run_processes(
        _writer, lambda n, barrier, results: (backend, logs[n % len(logs)], prefix, n, each, barrier, results), writers)
    numbers: dict[str, list[str]] = {}
    errors = []
    for log, done, error in collected:
        numbers.setdefault(log, []).extend(done)
        if error:
            errors.append(error)
    return Outcome(sum(len(done) for _, done, _ in collected), seconds, errors, numbers)


def _bare_writer(url: str, n: int, each: int, barrier: Any, results: Any) -> None:
    from sqlalchemy import create_engine, text

    engine = create_engine(url)
    now = datetime.now(UTC)
    error = ""
    done = 0
    try:
        with engine.connect() as warm:
            warm.execute(text("SELECT 1"))
        barrier.wait()
        for i in range(each):
            with engine.begin() as conn:
                conn.execute(text(
                    "INSERT INTO bench_receipt (village_id, number, amount, received_on, payer_name, "
                    "note, status, version, updated_at) VALUES (:v, :number, :amount, :day, :payer, "
                    "'', 'active', 1, :now)"),
                    {"v": n, "number": f"W{n:02d}-{i:05d}", "amount": 100 + i, "day": date(2025, 1, 1),
                     "payer": "并发测试农业有限公司", "now": now})
            done += 1
    except BaseException:  # noqa: BLE001 — as in _writer
        error = traceback.format_exc(limit=3)
    finally:
        engine.dispose()
    results.put(("bare", done, error))


def bare_inserts(url: str, writers: int, each: int) -> Outcome:
    """The baseline: `writers` processes each committing `each` one-row INSERTs into a
    receipt-like table (with its unique key) on the same server."""
    from sqlalchemy import create_engine, text

    engine = create_engine(url)
    with engine.begin() as conn:
        conn.execute(text("DROP TABLE IF EXISTS bench_receipt"))
        conn.execute(text(
            "CREATE TABLE bench_receipt (id BIGSERIAL PRIMARY KEY, village_id INTEGER NOT NULL, "
            "number VARCHAR(40) NOT NULL, amount BIGINT NOT NULL, received_on DATE NOT NULL, "
            "payer_name VARCHAR(100) NOT NULL, note VARCHAR(500) NOT NULL, status VARCHAR(16) NOT NULL, "
            "version INTEGER NOT NULL, updated_at TIMESTAMPTZ NOT NULL, UNIQUE (village_id, number))"))
    engine.dispose()
    seconds, collected = _run_processes(
        _bare_writer, lambda n, barrier, results: (url, n, each, barrier, results), writers)
    return Outcome(sum(done for _, done, _ in collected), seconds,
                   [error for _, _, error in collected if error], {})


@contextmanager
def fresh_database(url: str) -> Iterator[str]:
    """The database of `url`, dropped and created empty; dropped again at the end."""
    from sqlalchemy import create_engine, make_url, text

    target = make_url(url)
    server = create_engine(target.set(database="postgres"), isolation_level="AUTOCOMMIT")
    try:
        with server.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{target.database}" WITH (FORCE)'))
            conn.execute(text(f'CREATE DATABASE "{target.database}"'))
        yield url
    finally:
        with server.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{target.database}" WITH (FORCE)'))
        server.dispose()


def run(args: argparse.Namespace, workdir: Path, report: Report) -> None:
    from benchmarks.write_floor import check_logs, floor_writes
    from portal import create_app

    writers, each = args.writers, args.writes_each
    report.section(f"Writes on PostgreSQL: {writers} processes × {count(each)} record_receipt, one log "
                   f"and {writers} logs, vs bare INSERT + COMMIT from {writers} processes")
    try:
        with fresh_database(args.pg_url) as url:
            app = create_app({"TESTING": True, "DATABASE_URL": url, "SECRET_KEY": "bench",
                              "INSTANCE_PATH": str(workdir / "writes-instance")})
            backend = app.extensions["portal"]
            backend.db.create_schema()
            codes = village_codes(writers)
            set_up_villages(backend, codes)
            backend.db.dispose()
            # the bare baseline before and after the audited writes: on a machine whose speed
            # drifts (a shared VM), the ratios are to the mean of both, and the two show the drift
            bare_inserts(url, writers, min(each, 20))  # warm-up, not counted: the server's first connections
            before = bare_inserts(url, writers, each)
            one = concurrent_writes(backend, codes[:1], writers, each, prefix="A")
            many = concurrent_writes(backend, codes, writers, each, prefix="B")
            floor = floor_writes(backend, codes, writers, each, prefix="F")
            log_problems = check_logs(backend, codes)
            backend.db.dispose()
            after = bare_inserts(url, writers, each)
    except Exception as error:  # noqa: BLE001 — no server: say so, the other benchmarks still count
        report.check(False, f"PostgreSQL at {args.pg_url} is not usable: {type(error).__name__}: {error}")
        return
    bare = Outcome(before.acknowledged + after.acknowledged, before.seconds + after.seconds,
                   before.errors + after.errors, {})
    for label, outcome in (("bare INSERT+COMMIT, before", before), ("one log", one), (f"{writers} logs", many),
                           (f"{writers} logs, the floor (psycopg alone)", floor), ("bare INSERT+COMMIT, after", after)):
        report.check(not outcome.errors and outcome.acknowledged == writers * each,
                     f"{label}: {outcome.acknowledged} of {writers * each} writes acknowledged"
                     + (f"; first error: {outcome.errors[0]}" if outcome.errors else ""))
        report.line(f"{label}: {count(outcome.acknowledged)} writes in {outcome.seconds:.2f} s = "
                    f"{count(outcome.rate)} writes/s")
    report.line(f"bare INSERT+COMMIT, before and after: {count(bare.rate)} writes/s")
    report.line(f"ratio audited/bare: {many.rate / bare.rate:.3f} across logs, {one.rate / bare.rate:.3f} on one log")
    report.line(f"ratio audited/floor: {many.rate / floor.rate:.3f} across logs (the floor/bare: "
                f"{floor.rate / bare.rate:.3f})")
    report.check(not log_problems, f"the {writers} logs verify after the portal's and the floor's writes"
                 + (f": {'; '.join(log_problems[:3])}" if log_problems else ""))
    report.figure(f"audited writes/s on PostgreSQL, {writers} logs", f"{count(many.rate)} /s",
                  f"≥ {count(TARGET)} /s", many.rate >= TARGET)
    report.figure("audited writes/s on PostgreSQL, one log", f"{count(one.rate)} /s")
    report.figure(f"the floor: the same write in psycopg alone, {writers} logs", f"{count(floor.rate)} /s")
    report.figure(f"bare INSERT+COMMIT/s, {writers} processes", f"{count(bare.rate)} /s")
    report.figure("audited/bare ratio (across logs)", f"{many.rate / bare.rate:.3f}")
