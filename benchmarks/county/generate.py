"""County-scale data on PostgreSQL, written in bulk (COPY) into the portal's own tables.

Villages are created by the audited service (`create_village`: the first entry and the head of
each log). Everything after is built here, not through the services one call at a time: the
records as the models define them (their `public_state()` and `personal_data()`), each village's
entries with `audit.entry.build_entry` and its Merkle nodes with `audit.merkle.CompactRange`,
exactly what `portal.auditlog.store.append` would have written; then the rows go in by COPY and
the head is set to the new size, root and a signed checkpoint. So each village log is valid
(`audit verify` checks chain, nodes, head and every live row against its latest entry) and the
pages read the same tables as in production.

Per village (totals scaled by --scale, divided evenly): parcels, contracts (one parcel each,
5-year leases with their stored instalments), one dividend plan with its lines (the head of
household's name is personal: a private record with a salt), and receipts against the
contracts that fill the log up to its share of entries.
"""
from __future__ import annotations

import itertools
import multiprocessing
import os
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from typing import Any

from sqlalchemy import Table, text
from sqlalchemy.engine import Connection

FULL = {"villages": 200, "contracts": 50_000, "dividend_lines": 500_000, "entries": 2_000_000}
ACTOR = "staff:county-bench"


@dataclass(frozen=True)
class Sizes:
    villages: int
    contracts: int       # per village
    parcels: int         # per village
    dividend_lines: int  # per village
    receipts: int        # per village
    entries: int         # per village: 1 village + parcels + contracts + 1 plan + lines + receipts

    @classmethod
    def scaled(cls, scale: float) -> Sizes:
        villages = max(2, round(FULL["villages"] * scale))
        contracts = max(2, round(FULL["contracts"] * scale / villages))
        lines = max(2, round(FULL["dividend_lines"] * scale / villages))
        entries = max(10, round(FULL["entries"] * scale / villages))
        parcels = max(1, contracts // 5)
        receipts = max(0, entries - (1 + parcels + contracts + 1 + lines))
        return cls(villages, contracts, parcels, lines, receipts, 1 + parcels + contracts + 1 + lines + receipts)

    def totals(self) -> dict[str, int]:
        return {"villages": self.villages, "contracts": self.contracts * self.villages,
                "dividend lines": self.dividend_lines * self.villages,
                "receipts": self.receipts * self.villages, "log entries": self.entries * self.villages}


@dataclass
class Generated:
    sizes: Sizes
    codes: list[str]
    roots: dict[str, bytes] = field(default_factory=dict)
    contract_numbers: dict[str, list[str]] = field(default_factory=dict)
    rows: int = 0


def village_code(n: int) -> str:
    return f"c{n:03d}"


class _Copier:
    """Rows for one table, as the ORM would bind them (each column's bind processor), sent by COPY."""

    def __init__(self, connection: Connection, table: Table) -> None:
        self.connection, self.table = connection, table
        self.columns = [c for c in table.columns]
        dialect = connection.dialect
        self.processors = [c.type._cached_bind_processor(dialect) for c in self.columns]  # noqa: SLF001
        self.rows: list[tuple[Any, ...]] = []

    def add(self, values: dict[str, Any]) -> None:
        row = []
        for column, processor in zip(self.columns, self.processors):
            value = values.get(column.key)
            row.append(processor(value) if processor is not None and value is not None else value)
        self.rows.append(tuple(row))

    def flush(self) -> int:
        if not self.rows:
            return 0
        driver: Any = self.connection.connection.driver_connection
        names = ", ".join(f'"{c.name}"' for c in self.columns)
        with driver.cursor() as cursor, cursor.copy(f'COPY "{self.table.name}" ({names}) FROM STDIN') as copy:
            for row in self.rows:
                copy.write_row(row)
        n, self.rows = len(self.rows), []
        return n


def _row_of(record: Any) -> dict[str, Any]:
    """The column values of an ORM object (attribute → column key)."""
    from sqlalchemy import inspect

    mapper = inspect(type(record))
    return {prop.columns[0].key: getattr(record, prop.key) for prop in mapper.column_attrs}


def generate(backend: Any, sizes: Sizes, progress: Callable[[str], None]) -> Generated:
    """Creates the villages through the service, then bulk-writes each village's records and log,
    villages in parallel over the CPUs (each its own transaction, ids allotted in advance)."""
    from portal.kernel.transaction import SYSTEM
    from portal.villages.services import VillageInput, create_village

    codes = [village_code(n) for n in range(sizes.villages)]
    for code in codes:
        create_village(backend, SYSTEM, VillageInput(code=code, name=f"县测{code[1:]}村",
                                                     township=f"基准{int(code[1:]) // 20:02d}镇", county="基准县"))
    generated = Generated(sizes, codes)
    engine = backend.db.engine
    with engine.connect() as connection:
        starts = {name: _next_id(connection, name) for name in _PER_VILLAGE}
        village_ids = dict(connection.execute(text("SELECT code, id FROM village")).all())
    engine.dispose()
    _STATE["job"] = (backend, sizes, starts, village_ids)
    context = multiprocessing.get_context("fork")
    with context.Pool(max(1, min(os.cpu_count() or 1, sizes.villages))) as pool:
        for n, (code, rows, root, numbers) in enumerate(pool.imap_unordered(_village_job, range(sizes.villages))):
            generated.rows += rows
            generated.roots[code] = root
            generated.contract_numbers[code] = numbers
            if n % max(1, sizes.villages // 10) == 0 or n == sizes.villages - 1:
                progress(f"{n + 1}/{sizes.villages} villages written ({generated.rows:,} rows so far)")
    with engine.begin() as connection:
        from portal.villages.backup import _advance_sequences

        _advance_sequences(connection)
    with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
        for name in ("village", *_PER_VILLAGE, "contract_asset", "instalment", "private_record", "audit_node",
                     "audit_head"):
            # VACUUM too: the tables were filled by COPY, and autovacuum would otherwise set their
            # visibility maps while the pages are being measured
            connection.exec_driver_sql(f'VACUUM (ANALYZE) "{name}"')
    return generated


_STATE: dict[str, Any] = {}  # what the forked workers inherit


def _per_village(sizes: Sizes) -> dict[str, int]:
    """How many ids of each table one village takes."""
    return {"asset": sizes.parcels, "contract": sizes.contracts, "dividend_plan": 1,
            "dividend_line": sizes.dividend_lines, "receipt": sizes.receipts, "audit_entry": sizes.entries - 1}


_PER_VILLAGE = ("asset", "contract", "dividend_plan", "dividend_line", "receipt", "audit_entry")


def _village_job(n: int) -> tuple[str, int, bytes, list[str]]:
    backend, sizes, starts, village_ids = _STATE["job"]
    backend.db.engine.dispose(close=False)  # never the parent's connections
    per = _per_village(sizes)
    counters: dict[str, Iterator[int]] = {name: itertools.count(starts[name] + n * per[name]) for name in _PER_VILLAGE}
    code = village_code(n)
    generated = Generated(sizes, [code])
    with backend.db.engine.begin() as connection:
        rows = _village(connection, backend, code, village_ids[code], sizes, counters, generated, n)
    return code, rows, generated.roots[code], generated.contract_numbers[code]


def _next_id(connection: Connection, table: str) -> int:
    largest = connection.exec_driver_sql(f'SELECT max(id) FROM "{table}"').scalar()
    return int(largest or 0) + 1


def _village(connection: Connection, backend: Any, code: str, village_id: int, sizes: Sizes,
             counters: dict[str, Iterator[int]], generated: Generated, n: int) -> int:
    from audit import merkle
    from audit.canonical import canonical_bytes
    from audit.entry import build_entry, new_salt, private_commitment
    from portal.auditlog.store import peaks_blob, peaks_list
    from portal.contracts.derived import instalment_rows
    from portal.contracts.models import Contract, ContractAsset, ContractKind, ContractStatus, LesseeKind, RentUnit
    from portal.dividends.models import DividendLine, DividendPlan, Payout
    from portal.kernel.status import RecordStatus
    from portal.kernel.base import Base
    from portal.parcels.models import Asset, AssetKind
    from portal.receipts.models import Receipt

    tables = Base.metadata.tables
    copiers = {name: _Copier(connection, tables[name]) for name in
               ("asset", "contract", "contract_asset", "instalment", "dividend_plan", "dividend_line",
                "receipt", "audit_entry", "private_record", "audit_node")}
    head = connection.execute(text("SELECT size, last_hash, peaks FROM audit_head WHERE log = :log"),
                              {"log": code}).one()
    tree = merkle.CompactRange.from_peaks(head.size, peaks_list(bytes(head.peaks)))
    prev = head.last_hash
    start = datetime(2025, 1, 1, tzinfo=UTC) + timedelta(minutes=n)

    def log(action: str, record: Any, table: str) -> None:
        nonlocal prev
        seq = tree.size
        ts = start + timedelta(seconds=seq)
        record.version, record.updated_at = 1, ts
        copiers[table].add(_row_of(record))
        personal = record.personal_data()
        salt = new_salt() if personal is not None else None
        private = private_commitment(salt, personal) if personal is not None and salt else None
        entry, line = build_entry(log=code, seq=seq, ts=ts, actor=ACTOR, action=action,
                                  entity=record.audit_entity, entity_id=record.audit_id(), version=1,
                                  reason=None, data=record.public_state(), private=private, prev=prev)
        entry_id = next(counters["audit_entry"])
        copiers["audit_entry"].add(dict(id=entry_id, log=code, seq=seq, ts=ts, actor=ACTOR, action=action,
                                        entity=record.audit_entity, entity_id=record.audit_id(), version=1,
                                        reason=None, prev=prev, hash=entry["hash"], line=line.decode("utf-8")))
        if personal is not None:
            copiers["private_record"].add(dict(entry_id=entry_id, salt=salt,
                                               personal=canonical_bytes(personal).decode("utf-8")))
        for level, index, node in tree.append(merkle.leaf_hash(bytes.fromhex(entry["hash"]))):
            copiers["audit_node"].add(dict(log=code, level=level, idx=index, hash=node))
        prev = entry["hash"]

    assets = []
    for i in range(sizes.parcels):
        asset = Asset(id=next(counters["asset"]), village_id=village_id, number=f"DK-{i + 1:04d}",
                      name=f"{i + 1}号地块", kind=AssetKind.LAND, area=Decimal("10.00"), land_type="耕地",
                      location=f"第{i % 9 + 1}组", polygon=None,
                      status=RecordStatus.ACTIVE)
        log("asset.create", asset, "asset")
        assets.append(asset)
    numbers = []
    contracts = []
    for i in range(sizes.contracts):
        begin = date(2021 + i % 4, 1 + i % 12, 1)
        contract = Contract(id=next(counters["contract"]), village_id=village_id, number=f"HT-{i + 1:05d}",
                            title=f"{assets[i % len(assets)].name}租赁合同", lessee_kind=LesseeKind.COMPANY,
                            lessee_name=f"基准农业合作社{i % 37 + 1:02d}", lessee_id_number=f"91350000MA{i:08d}",
                            lessee_phone="", start_date=begin,
                            end_date=begin.replace(year=begin.year + 5) - timedelta(days=1),
                            rent_rate=Decimal(f"{400 + i % 5 * 25}.00"), rent_unit=RentUnit.PER_MU_YEAR,
                            escalation_percent=Decimal("0.00"), escalation_every_years=0, payment_interval_months=12,
                            signed_on=begin - timedelta(days=10), note="", kind=ContractKind.FIXED,
                            share_percent=Decimal(0), revenues=[], meeting_number=None)
        item = ContractAsset(contract_id=contract.id, asset_id=assets[i % len(assets)].id, area=Decimal("2.00"))
        item.asset = assets[i % len(assets)]
        contract.items = [item]
        contract.status = ContractStatus.ACTIVE
        log("contract.create", contract, "contract")
        copiers["contract_asset"].add(dict(contract_id=contract.id, asset_id=item.asset_id, area=item.area))
        for row in instalment_rows(contract.id, village_id, contract.schedule()):
            copiers["instalment"].add(row)
        numbers.append(contract.number)
        contracts.append(contract)
    generated.contract_numbers[code] = numbers
    lines = sizes.dividend_lines
    amount = Decimal("100.00")
    plan = DividendPlan(id=next(counters["dividend_plan"]), village_id=village_id, number="FH-2025-01", year=2025,
                        title="2025年度集体收益分红方案", total=amount * lines, meeting_id=None,
                        publicity_from=date(2025, 12, 1), publicity_until=date(2025, 12, 8), households=lines,
                        shares=Decimal(f"{lines}.00"))
    plan.status = RecordStatus.ACTIVE
    log("dividend_plan.create", plan, "dividend_plan")
    surnames = "王李张刘陈杨黄赵吴周"
    for i in range(lines):
        line = DividendLine(id=next(counters["dividend_line"]), village_id=village_id, plan_id=plan.id,
                            position=i + 1, household=f"{i + 1:05d}",
                            head_name=f"{surnames[i % 10]}{'建国秀兰志强'[i % 6]}{i % 7}",
                            shares=Decimal("1.00"), amount=amount, paid_on=None,
                            check_code=f"{n:03d}{i:07d}"[-16:])
        line.plan = plan
        line.payout = Payout.PENDING
        log("dividend_line.create", line, "dividend_line")
    for i in range(sizes.receipts):
        contract = contracts[i % len(contracts)]
        receipt = Receipt(id=next(counters["receipt"]), village_id=village_id, number=f"SK-{i + 1:06d}",
                          contract_id=contract.id, amount=Decimal("50.00"),
                          received_on=date(2025, 1 + i % 12, 1 + i % 28),
                          payer_name=contract.lessee_name, payer_is_person=False, scan_sha256=None, note="")
        receipt.contract = contract
        receipt.status = RecordStatus.ACTIVE
        log("receipt.create", receipt, "receipt")
    written = sum(copiers[name].flush() for name in copiers)
    root = tree.root()
    last_ts = start + timedelta(seconds=tree.size - 1)
    connection.execute(text("UPDATE audit_head SET size = :size, last_hash = :last, root = :root, peaks = :peaks, "
                            "checkpoint = :checkpoint, updated_at = :ts WHERE log = :log"),
                       {"size": tree.size, "last": prev, "root": root, "peaks": peaks_blob(tree.peak_hashes()),
                        "checkpoint": backend.signer.checkpoint(code, tree.size, root), "ts": last_ts, "log": code})
    generated.roots[code] = root
    return written
