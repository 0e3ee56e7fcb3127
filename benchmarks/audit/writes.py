"""Part 4: audited writes (`record_receipt`, one full transaction each) on a fresh SQLite database
against bare single-row INSERT + COMMIT transactions with the same SQLite settings."""
from __future__ import annotations

import random
import time
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

from audit import LogError, NoteError
from audit.verify import verify_dir
from benchmarks import Report, count
from benchmarks.audit.common import VILLAGE, bench_app, money
from benchmarks.audit.profile import profile_writes, trace_statements

WRITES_TARGET = 1000.0     # audited writes per second on SQLite


def _resident_id(stem17: str) -> str:
    weights = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
    return stem17 + "10X98765432"[sum(int(d) * w for d, w in zip(stem17, weights, strict=True)) % 11]


@dataclass(frozen=True)
class _Payer:
    contract: str
    name: str
    person: bool


def _setup_village(backend: Any, code: str) -> list[_Payer]:
    """The village, two parcels, a shop and three contracts, through the audited services."""
    from portal.contracts.services import ContractInput, create_contract
    from portal.kernel.transaction import SYSTEM, Actor
    from portal.parcels.services import AssetInput, create_asset
    from portal.villages.services import VillageInput, create_village

    staff = Actor("chen.wenbin", "staff", village=VILLAGE["code"])
    create_village(backend, SYSTEM, VillageInput(**VILLAGE))
    create_asset(backend, staff, code, AssetInput(number="DS-TD-001", name="后洋1号地", kind="land",
                                                  area="128.50", land_type="耕地", location="第一村民小组"))
    create_asset(backend, staff, code, AssetInput(number="DS-TD-002", name="溪边2号地", kind="land",
                                                  area="36.20", land_type="园地", location="第二村民小组"))
    create_asset(backend, staff, code, AssetInput(number="DS-DM-001", name="村部临街店面1号", kind="shop",
                                                  area="85.00", location="村部一楼"))
    contracts = [
        ("DS-HT-2024-0001", "后洋1号地租赁合同", "company", "云水县东山绿源农业发展有限公司", "", "DS-TD-001",
         "500", "mu_year"),
        ("DS-HT-2024-0002", "溪边2号地承包合同", "person", "陈建国", _resident_id("35022119700101123"),
         "DS-TD-002", "300", "mu_year"),
        ("DS-HT-2025-0003", "村部临街店面1号租赁合同", "person", "林美玲", _resident_id("35022119850615202"),
         "DS-DM-001", "25", "m2_month"),
    ]
    for number, title, kind, name, id_number, asset, rate, unit in contracts:
        create_contract(backend, staff, code, ContractInput(
            number=number, title=title, lessee_kind=kind, lessee_name=name, lessee_id_number=id_number,
            lessee_phone="13805921234" if kind == "person" else "0592-7188866",
            start_date="2024-01-01", end_date="2033-12-31", rent_rate=rate, rent_unit=unit,
            assets=[(asset, None)], escalation_percent="5", escalation_every_years="5",
            payment_interval_months="12"))
    return [_Payer(c[0], c[3], c[2] == "person") for c in contracts]


def _receipts(payers: list[_Payer], start: int, n: int, rng: random.Random) -> list[Any]:
    from portal.receipts.services import ReceiptInput

    inputs = []
    for i in range(start, start + n):
        payer = payers[i % len(payers)]
        day = date(2024, 1, 1) + timedelta(days=i % 700)
        inputs.append(ReceiptInput(
            number=f"SK-{day.year}-{i:07d}", amount=money(rng.randint(10_000, 5_000_000)),
            received_on=day.isoformat(), payer_name=payer.name, payer_is_person=payer.person,
            contract_number=payer.contract, note=f"第{i % 10 + 1}期租金"))
    return inputs


def bench_writes(directory: Path, writes: int, always_profile: bool, rng: random.Random,
                 report: Report) -> None:
    from portal.auditlog import store as audit_log
    from portal.kernel.transaction import Actor
    from portal.receipts.services import record_receipt

    code = VILLAGE["code"]
    report.section(f"4. Audited writes on SQLite: {count(writes)} × record_receipt vs bare "
                   "INSERT + COMMIT")
    directory.mkdir(parents=True)
    app = bench_app(directory / "portal.db", directory / "instance")
    backend = app.extensions["portal"]
    try:
        backend.db.create_schema()
        payers = _setup_village(backend, code)
        staff = Actor("lin.meiling", "staff", village=code)
        warm = min(50, max(1, writes // 10))
        for data in _receipts(payers, 0, warm, rng):
            record_receipt(backend, staff, code, data)
        inputs = _receipts(payers, warm, writes, rng)
        start = time.perf_counter()
        for data in inputs:
            record_receipt(backend, staff, code, data)
        seconds = time.perf_counter() - start
        rate = writes / seconds

        with backend.db.read() as session:
            size = audit_log.head(session, code).size  # type: ignore[union-attr]
        expected = 7 + warm + writes  # village, 3 assets, 3 contracts, the receipts
        report.check(size == expected, f"the writes log holds {size} entries, expected {expected}")
        try:
            with backend.db.read() as session:
                audit_log.export(session, code, directory / "export", [backend.signer.verifier_key])
            result = verify_dir(directory / "export")
            report.check(result.size == expected,
                         f"the writes log exports and verifies (verify_dir size={result.size})")
        except (LogError, NoteError, OSError) as error:
            report.check(False, f"the log written by record_receipt does not verify: {error}")

        base_rate = _baseline_writes(directory / "baseline.db", writes, warm)
        ratio = rate / base_rate
        report.line(f"audited: {count(writes)} record_receipt in {seconds:.2f} s = {count(rate)} writes/s "
                    f"({seconds / writes * 1000:.2f} ms each: validate, receipt row, entry, nodes, head, "
                    "commit; the checkpoint is signed when read)")
        report.line(f"baseline: {count(writes)} × one-row INSERT + COMMIT (SQLAlchemy Core, WAL, "
                    f"synchronous=NORMAL, BEGIN IMMEDIATE) = {count(base_rate)} writes/s "
                    f"({1000 / base_rate:.3f} ms each)")
        report.line(f"ratio audited/baseline: {ratio:.3f} (an audited write costs "
                    f"{base_rate / rate:.1f} bare transactions)")
        report.figure("audited writes/s on SQLite", f"{count(rate)} /s", f"≥ {count(WRITES_TARGET)} /s",
                      rate >= WRITES_TARGET)
        report.figure("bare INSERT+COMMIT/s (baseline)", f"{count(base_rate)} /s")
        report.figure("audited/baseline ratio", f"{ratio:.3f}")

        if rate < WRITES_TARGET or always_profile:
            why = "below target" if rate < WRITES_TARGET else "--profile"
            n = min(writes, 1000)
            trace_statements(backend, staff, code, _receipts(payers, warm + writes, n, rng), why, report)
            profile_writes(backend, staff, code, _receipts(payers, warm + writes + n, n, rng), report)
    finally:
        backend.db.dispose()


def _baseline_writes(path: Path, writes: int, warm: int) -> float:
    """Bare single-row INSERT + COMMIT transactions into a receipt-like table, on a Database
    (so the same SQLite settings) taking the write lock as the audited path does."""
    from sqlalchemy import (
        BigInteger,
        Boolean,
        Column,
        Date,
        DateTime,
        Integer,
        MetaData,
        String,
        Table,
        UniqueConstraint,
        insert,
    )

    from portal.kernel.database import Database

    metadata = MetaData()
    table = Table(
        "bench_receipt", metadata,
        Column("id", Integer, primary_key=True),
        Column("village_id", Integer, nullable=False, index=True),
        Column("number", String(40), nullable=False),
        Column("contract_id", Integer, index=True),
        Column("amount", BigInteger, nullable=False),
        Column("received_on", Date, nullable=False),
        Column("payer_name", String(100), nullable=False),
        Column("payer_is_person", Boolean, nullable=False),
        Column("scan_sha256", String(64)),
        Column("note", String(500), nullable=False),
        Column("status", String(16), nullable=False),
        Column("version", Integer, nullable=False),
        Column("updated_at", DateTime, nullable=False),
        UniqueConstraint("village_id", "number"),
    )
    database = Database(f"sqlite:///{path}")
    try:
        metadata.create_all(database.engine)
        engine = database.engine.execution_options(sqlite_begin="IMMEDIATE")
        statement = insert(table)
        now = datetime.now(UTC).replace(tzinfo=None)

        def one(i: int) -> None:
            with engine.begin() as conn:
                conn.execute(statement, {
                    "village_id": 1, "number": f"SK-2024-{i:07d}", "contract_id": 1 + i % 3,
                    "amount": 1_234_500 + i, "received_on": date(2024, 1, 1), "payer_name": "陈建国",
                    "payer_is_person": True, "scan_sha256": None, "note": "第1期租金",
                    "status": "active", "version": 1, "updated_at": now})

        for i in range(warm):
            one(i)
        start = time.perf_counter()
        for i in range(warm, warm + writes):
            one(i)
        return writes / (time.perf_counter() - start)
    finally:
        database.dispose()
