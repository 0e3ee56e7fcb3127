"""Shards benchmark: audited writes/s with every village log in one PostgreSQL database, against
the same villages split over two databases standing in for two Citus shards (docs/scaling.md).

Each writer process owns one village and calls `record_receipt` (a whole audited transaction:
advisory lock, row, entry, Merkle nodes, head) for a fixed time. Both databases live on the same
server here, so the split shows what routing by village costs and what shared resources (CPU,
one WAL, fsync) cap; on separate machines each shard would bring its own.
"""
from __future__ import annotations

import argparse
import multiprocessing
import os
import time
from pathlib import Path
from typing import Any

from benchmarks import Report

NAME = "shards"
HELP = "PostgreSQL: audited writes/s with all village logs in one database vs split over two (two shards)"
DEFAULT_URL = "postgresql+psycopg://postgres@127.0.0.1:5432/sanzi_bench_shard"


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--shard-url", default=os.environ.get("BENCH_DATABASE_URL", DEFAULT_URL),
                        help="PostgreSQL URL; its database name + _a and _b are made and dropped")
    parser.add_argument("--shard-writers", type=int, default=8, help="writer processes, one village each (default 8)")
    parser.add_argument("--shard-seconds", type=float, default=10, help="seconds of writing per layout (default 10)")


def _database(base: str, suffix: str) -> str:
    from sqlalchemy import create_engine, make_url, text

    url = make_url(base)
    name = f"{url.database}_{suffix}"
    server = create_engine(url.set(database="postgres"), isolation_level="AUTOCOMMIT")
    with server.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    server.dispose()
    return url.set(database=name).render_as_string(hide_password=False)


def _drop(url: str) -> None:
    from sqlalchemy import create_engine, make_url, text

    parsed = make_url(url)
    server = create_engine(parsed.set(database="postgres"), isolation_level="AUTOCOMMIT")
    with server.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{parsed.database}" WITH (FORCE)'))
    server.dispose()


def _app(url: str, instance: Path) -> Any:
    from portal import create_app

    return create_app({"TESTING": True, "DATABASE_URL": url, "INSTANCE_PATH": str(instance), "SECRET_KEY": "bench"})


def _prepare(url: str, codes: list[str], instance: Path) -> None:
    """The schema and, per village, a parcel and a company's lease to pay rent against."""
    from portal.contracts.services import ContractInput, create_contract
    from portal.kernel.transaction import SYSTEM, Actor
    from portal.parcels.services import AssetInput, create_asset
    from portal.villages.services import VillageInput, create_village

    app = _app(url, instance)
    backend = app.extensions["portal"]
    backend.db.create_schema()
    for code in codes:
        staff = Actor("bench-staff", "staff", village=code)
        create_village(backend, SYSTEM, VillageInput(code=code, name=f"{code}村", township="青溪镇"))
        create_asset(backend, staff, code, AssetInput(number="TD-1", name="后洋1号地", kind="land", area="100"))
        create_contract(backend, staff, code, ContractInput(
            number="HT-1", title="后洋1号地租赁合同", lessee_kind="company", lessee_name="绿源农业发展有限公司",
            lessee_id_number="", lessee_phone="0592-7188866", start_date="2024-01-01", end_date="2033-12-31",
            rent_rate="500", rent_unit="mu_year", assets=[("TD-1", None)]))
    backend.db.dispose()


def _writer(url: str, code: str, instance: str, ready: Any, results: Any, seconds: float) -> None:
    """Writes audited receipts to village `code` for `seconds` once every writer is ready; puts
    the count on `results`."""
    from portal.kernel.transaction import Actor
    from portal.receipts.services import ReceiptInput, record_receipt

    app = _app(url, Path(instance))
    backend, staff = app.extensions["portal"], Actor("bench-staff", "staff", village=code)
    ready.wait()  # every process has built its app: they start writing together
    written, stop = 0, time.perf_counter() + seconds
    while time.perf_counter() < stop:
        record_receipt(backend, staff, code, ReceiptInput(
            number=f"SK-{os.getpid()}-{written}", amount="1250.00", received_on="2026-01-15",
            payer_name="绿源农业发展有限公司", contract_number="HT-1"))
        written += 1
    backend.db.dispose()
    results.put(written)


def _write_all(placement: list[tuple[str, str]], instance: Path, seconds: float) -> float:
    """Writes/s of one process per (database URL, village) in `placement`, all at once."""
    spawn = multiprocessing.get_context("spawn")
    ready, results = spawn.Barrier(len(placement)), spawn.Queue()
    processes = [spawn.Process(target=_writer, args=(url, code, str(instance), ready, results, seconds))
                 for url, code in placement]
    for process in processes:
        process.start()
    counts = [results.get(timeout=seconds + 300) for _ in processes]
    for process in processes:
        process.join()
    return sum(counts) / seconds


def run(args: argparse.Namespace, workdir: Path, report: Report) -> None:
    writers = args.shard_writers
    report.section(f"Shards: {writers} writer processes, one village each, {args.shard_seconds:g} s per layout")
    instance = workdir / "shards"
    instance.mkdir(parents=True, exist_ok=True)
    codes = [f"cun{i:02d}" for i in range(writers)]
    try:
        one = _database(args.shard_url, "one")
        shard_a, shard_b = _database(args.shard_url, "a"), _database(args.shard_url, "b")
    except Exception as err:  # no PostgreSQL here: a measurement that cannot be taken
        report.check(False, f"PostgreSQL at {args.shard_url} not usable: {err}")
        return
    try:
        half = writers // 2
        _prepare(one, codes, instance)
        _prepare(shard_a, codes[:half], instance)
        _prepare(shard_b, codes[half:], instance)
        single = _write_all([(one, code) for code in codes], instance, args.shard_seconds)
        split = _write_all([(shard_a, c) for c in codes[:half]] + [(shard_b, c) for c in codes[half:]],
                           instance, args.shard_seconds)
    finally:
        for url in (one, shard_a, shard_b):
            _drop(url)
    report.line(f"one database, {writers} village logs: {single:,.0f} audited writes/s")
    report.line(f"two databases (shards), {writers // 2} + {writers - writers // 2} logs: {split:,.0f} audited writes/s")
    report.figure("audited writes/s, one database", f"{single:,.0f} /s")
    report.figure("audited writes/s, two databases on the same server", f"{split:,.0f} /s")
    report.figure("two/one ratio", f"{split / single:.2f}")
