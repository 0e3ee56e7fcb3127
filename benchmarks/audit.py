"""Benchmark of the audit log (issue 3): verify throughput, inclusion-proof latency, audited writes.

Four parts, each measured against a baseline taken in the same run:

1. Generate a village log of N entries (default 1,000,000) with the real `audit.entry.build_entry`
   (receipts, contracts, assets, corrections and withdrawals with Chinese text, decimal strings and
   `private` commitments), chained by `prev`, with a signed and co-signed checkpoint and a keys
   file: the directory `flask --app portal audit export` writes.
2. `audit.verify.verify_dir` against a bare pass over the same file (`json.loads` + SHA-256 per
   line), best of 3 each, interleaved; then `python -m audit.verify DIR` once.
3. The same entries bulk-loaded into a portal SQLite database (entries, Merkle nodes from
   `merkle.CompactRange.append`, head); latency of `audit_log.inclusion` at the full size against
   one primary-key read, every proof checked with `merkle.verify_inclusion`; then the HTTP endpoint
   through the Flask test client.
4. Audited writes (`record_receipt`, one full transaction each) on a fresh SQLite database against
   bare single-row INSERT + COMMIT transactions with the same SQLite settings; below target (or
   with --profile), where the time goes: SQLite vs Python, the statements of one write, cProfile.
"""
from __future__ import annotations

import argparse
import cProfile
import hashlib
import io
import json
import pstats
import random
import re
import shutil
import sqlite3
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

from audit import LogError, NoteError, ProofError, merkle, note
from audit.checkpoint import format_checkpoint
from audit.entry import ZERO_HASH, build_entry, format_ts, private_commitment
from audit.verify import verify_dir
from benchmarks import Report, count, percentile, timed

NAME = "audit"
HELP = ("audit log: verify throughput, inclusion-proof latency and audited writes/s, as ratios "
        "to baselines measured in the same run")

ORIGIN_HOST = "bench.local"
PORTAL_KEY_NAME = "bench.local"
COMMITTEE_KEY_NAME = "dongshan-jiandu"
VILLAGE = {"code": "dongshan", "name": "东山村（基准测试）", "township": "青溪镇", "county": "云水县"}

VERIFY_TARGET = 0.5        # verify_dir entries/s ÷ bare json.loads + SHA-256 entries/s
PROOF_TARGET_MS = 5.0      # p95 of one inclusion proof at the full size
WRITES_TARGET = 1000.0     # audited writes per second on SQLite
BYTES_PER_ENTRY = 2600     # disk needed per entry: the export (~0.5 KB) and the database (~2 KB)
LOAD_BATCH = 20_000        # rows per executemany while loading the database
LOAD_COMMIT_EVERY = 200_000


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--entries", type=_positive, default=1_000_000,
                        help="entries in the generated log (default 1,000,000)")
    parser.add_argument("--writes", type=_positive, default=5_000,
                        help="audited writes to time on SQLite (default 5,000)")
    parser.add_argument("--proofs", type=_positive, default=2_000,
                        help="inclusion proofs to time at the full size (default 2,000)")
    parser.add_argument("--http-requests", type=_positive, default=500,
                        help="inclusion-proof HTTP requests to time (default 500)")
    parser.add_argument("--proof-budget", type=float, default=30.0, metavar="SECONDS",
                        help="stop timing inclusion proofs (and, separately, HTTP requests) after "
                             "this many seconds, so a slow implementation still ends (default 30)")
    parser.add_argument("--profile", action="store_true",
                        help="profile the audited writes even when they meet the target")
    parser.add_argument("--seed", type=int, default=20261123,
                        help="seed of the generated village history and of the proof indexes")


def _positive(text: str) -> int:
    value = int(text.replace(",", "").replace("_", ""))
    if value < 1:
        raise argparse.ArgumentTypeError(f"must be at least 1, got {text}")
    return value


def run(args: argparse.Namespace, workdir: Path, report: Report) -> None:
    needed = args.entries * BYTES_PER_ENTRY + 200 * 2**20
    free = shutil.disk_usage(workdir).free
    if free < needed:
        raise SystemExit(f"scripts/bench audit: {workdir} has {free / 2**30:.1f} GiB free, about "
                         f"{needed / 2**30:.1f} GiB are needed for {count(args.entries)} entries "
                         "(use --workdir or fewer --entries)")
    paths = _Paths(workdir)
    paths.clear()
    rng = random.Random(args.seed)
    keys = _Keys.generate()

    generated = generate_export(paths.export, args.entries, keys, args.seed, report)
    bench_verify(paths.export, generated, report)
    bench_proofs(paths, generated, keys, args.proofs, args.http_requests, args.proof_budget, rng,
                 report)
    bench_writes(paths.writes, args.writes, args.profile, rng, report)


@dataclass(frozen=True)
class _Paths:
    root: Path

    @property
    def export(self) -> Path:
        return self.root / "audit-export"

    @property
    def database(self) -> Path:
        return self.root / "audit-proofs.db"

    @property
    def instance(self) -> Path:
        return self.root / "audit-proofs-instance"

    @property
    def writes(self) -> Path:
        return self.root / "audit-writes"

    def clear(self) -> None:
        """Remove what an earlier run left in a kept --workdir (only the paths this module uses)."""
        for path in (self.export, self.instance, self.writes):
            shutil.rmtree(path, ignore_errors=True)
        for suffix in ("", "-wal", "-shm", "-journal"):
            Path(f"{self.database}{suffix}").unlink(missing_ok=True)
        self.export.mkdir(parents=True)


@dataclass(frozen=True)
class _Keys:
    portal: str     # signer key of the portal
    committee: str  # signer key of one supervisory committee member, who co-signs

    @classmethod
    def generate(cls) -> _Keys:
        return cls(note.generate_signer(PORTAL_KEY_NAME), note.generate_signer(COMMITTEE_KEY_NAME))

    def verifiers(self) -> list[str]:
        return [note.verifier_from_signer(self.portal), note.verifier_from_signer(self.committee)]


@dataclass(frozen=True)
class Generated:
    code: str
    size: int
    root: bytes
    last_hash: str
    peaks: list[bytes]
    last_ts: datetime
    checkpoint: str  # the signed note in DIR/checkpoint
    file_bytes: int


# -- 1. generating a village log ---------------------------------------------------------------

_SURNAMES = "陈林黄张李王吴刘蔡杨许郑谢洪郭邱曾廖赖周徐苏叶庄吕江何萧罗高"
_GIVEN = ["建国", "秀英", "志明", "丽华", "文彬", "春生", "美玲", "国平", "海燕", "金水", "添福",
          "淑珍", "进财", "宝珠", "清泉", "明", "芳", "伟", "强", "娟"]
_COMPANIES = ["云水县东山绿源农业发展有限公司", "青溪果香生态农场有限公司", "云水县丰收农机专业合作社",
              "闽南花卉种植有限公司", "青溪镇稻香家庭农场", "云水县山海茶业有限公司"]
_PLACES = ["后洋", "溪边", "大丘", "山脚", "龙眼林", "水尾", "埔头", "洋中", "石门", "下厝"]
_LAND_TYPES = ["耕地", "耕地", "耕地", "园地", "林地", "坑塘水面"]
_STAFF = ["staff:chen.wenbin", "staff:lin.meiling", "staff:huang.zhiming"]
_CORRECTIONS = ["收款日期按存根更正", "金额录入有误，按收据存根更正", "交款人名称录错，按合同更正",
                "关联合同编号错误，更正为正确合同", "备注补充说明"]
_WITHDRAWALS = ["同一笔款项重复录入，撤回此条", "误录入其他村的收据，撤回"]
_CONTRACT_CORRECTIONS = ["面积按实测结果更正", "租金递增条款漏录，按合同原件补充", "承租方名称按营业执照更正"]
_ASSET_CORRECTIONS = ["面积按2024年确权测绘结果更正", "地类按国土调查结果更正"]


def _money(fen: int) -> str:
    return f"{fen // 100}.{fen % 100:02d}"


def _person(rng: random.Random) -> str:
    return rng.choice(_SURNAMES) + rng.choice(_GIVEN)


def _masked(name: str) -> str:
    return name[0] + "*" if len(name) == 2 else name[0] + "*" * (len(name) - 2) + name[-1]


class _History:
    """A plausible history of one village, entry by entry, for build_entry's keyword arguments.

    Mostly receipts (some paid by persons, so with a `private` commitment), contracts with their
    payment schedules, assets, and corrections and withdrawals with reasons.
    """

    ASSETS = 240

    def __init__(self, code: str, seed: int) -> None:
        self.code = code
        self.rng = random.Random(seed)
        self.ts = datetime(2015, 1, 5, 1, 0, tzinfo=UTC)
        self.assets = self.contracts = self.receipts = 0
        self.versions: dict[tuple[str, int], int] = {}
        self.withdrawn: set[int] = set()

    def records(self, n: int) -> Iterator[dict[str, Any]]:
        rng = self.rng
        yield {"ts": self.ts, "actor": "system:portal", "action": "village.create",
               "entity": "village", "entity_id": self.code, "version": 1, "reason": None,
               "data": {"code": VILLAGE["code"], "name": VILLAGE["name"], "township": VILLAGE["township"],
                        "county": VILLAGE["county"], "is_demo": False},
               "private": None}
        for seq in range(1, n):
            self.ts += timedelta(seconds=rng.randint(1, 600), microseconds=rng.randrange(1_000_000))
            if seq <= self.ASSETS:
                yield self._asset(None)
                continue
            r = rng.random()
            if r < 0.02 or not self.contracts:
                yield self._contract(None)
            elif r < 0.025:
                yield self._contract(rng.randint(1, self.contracts))
            elif r < 0.03:
                yield self._asset(rng.randint(1, self.assets))
            elif r < 0.06 and self.receipts:
                yield self._receipt(rng.randint(1, self.receipts), withdraw=False)
            elif r < 0.065 and self.receipts:
                yield self._receipt(rng.randint(1, self.receipts), withdraw=True)
            else:
                yield self._receipt(None, withdraw=False)

    def _next_version(self, entity: str, record_id: int | None) -> tuple[int, int]:
        if record_id is None:
            return 0, 1
        version = self.versions.get((entity, record_id), 1) + 1
        self.versions[(entity, record_id)] = version
        return record_id, version

    def _record(self, action: str, entity: str, record_id: int, version: int, reason: str | None,
                data: dict[str, Any], private: str | None) -> dict[str, Any]:
        return {"ts": self.ts, "actor": self.rng.choice(_STAFF), "action": action, "entity": entity,
                "entity_id": str(record_id), "version": version, "reason": reason, "data": data,
                "private": private}

    def _asset(self, record_id: int | None) -> dict[str, Any]:
        rng = self.rng
        record_id, version = self._next_version("asset", record_id)
        if not record_id:
            self.assets += 1
            record_id = self.assets
        land = record_id % 8 != 0
        place = _PLACES[record_id % len(_PLACES)]
        x, y = rng.randrange(-5000, 5000), rng.randrange(-5000, 5000)
        w, h = rng.randint(40, 300), rng.randint(40, 300)
        data = {
            "number": f"DS-{'TD' if land else 'DM'}-{record_id:03d}",
            "name": f"{place}{record_id}号地" if land else f"村部临街店面{record_id}号",
            "kind": "land" if land else "shop",
            "area": _money(rng.randint(50, 5000) if not land else rng.randint(80, 3000)),
            "area_unit": "mu" if land else "m2",
            "land_type": rng.choice(_LAND_TYPES) if land else "",
            "location": f"{VILLAGE['name'][:3]}第{record_id % 9 + 1}村民小组{place}片",
            "polygon": [[x, y], [x + w, y], [x + w, y + h], [x, y + h]] if land else None,
            "status": "active",
        }
        action, reason = ("asset.create", None) if version == 1 else (
            "asset.correct", rng.choice(_ASSET_CORRECTIONS))
        return self._record(action, "asset", record_id, version, reason, data, None)

    def _contract(self, record_id: int | None) -> dict[str, Any]:
        rng = self.rng
        record_id, version = self._next_version("contract", record_id)
        if not record_id:
            self.contracts += 1
            record_id = self.contracts
        person = record_id % 3 == 0
        name = _person(rng) if person else rng.choice(_COMPANIES)
        id_number = f"3502{rng.randrange(10**13, 10**14)}"
        start = date(2015 + record_id % 10, 1 + record_id % 12, 1)
        years = rng.choice([3, 5, 10])
        rate = rng.choice([30000, 45000, 50000, 60000])
        area_fen = rng.randint(300, 20000)
        yearly = rate * area_fen // 100
        schedule = [{"seq": k + 1, "period_start": date(start.year + k, start.month, 1).isoformat(),
                     "period_end": (date(start.year + k + 1, start.month, 1) - timedelta(days=1)).isoformat(),
                     "due_date": date(start.year + k, start.month, 1).isoformat(),
                     "amount": _money(yearly * (105 ** (k // 5)) // (100 ** (k // 5)))}
                    for k in range(years)]
        data = {
            "number": f"DS-HT-{start.year}-{record_id:04d}",
            "title": f"{_PLACES[record_id % len(_PLACES)]}{record_id % self.assets + 1}号地租赁合同",
            "lessee": {"kind": "person" if person else "company",
                       "name": _masked(name) if person else name,
                       "id_number": id_number[:4] + "*" * 10 + id_number[-4:] if person else ""},
            "assets": [{"number": f"DS-TD-{record_id % self.assets + 1:03d}", "area": _money(area_fen),
                        "area_unit": "mu"}],
            "start_date": start.isoformat(),
            "end_date": (date(start.year + years, start.month, 1) - timedelta(days=1)).isoformat(),
            "rent": {"rate": _money(rate), "unit": "mu_year", "escalation_percent": "5.00",
                     "escalation_every_years": 5, "interval_months": 12},
            "schedule": schedule,
            "signed_on": (start - timedelta(days=rng.randint(3, 40))).isoformat(),
            "note": "经村民代表大会表决通过" if rng.random() < 0.5 else "",
            "status": "active",
        }
        private = private_commitment(rng.randbytes(32), {
            "name": name, "id_number": id_number, "phone": f"13{rng.randrange(10**9):09d}",
        }) if person else None
        action, reason = ("contract.create", None) if version == 1 else (
            "contract.correct", rng.choice(_CONTRACT_CORRECTIONS))
        return self._record(action, "contract", record_id, version, reason, data, private)

    def _receipt(self, record_id: int | None, *, withdraw: bool) -> dict[str, Any]:
        rng = self.rng
        if record_id is not None and record_id in self.withdrawn:
            record_id, withdraw = None, False  # a withdrawn receipt is not changed again
        record_id, version = self._next_version("receipt", record_id)
        if not record_id:
            self.receipts += 1
            record_id = self.receipts
        contract = rng.randint(1, self.contracts)
        person = contract % 3 == 0
        payer = _person(rng) if person else rng.choice(_COMPANIES)
        received = (self.ts - timedelta(days=rng.randint(0, 20))).date()
        note_text = rng.choice([f"第{rng.randint(1, 10)}期租金", f"{received.year}年度土地租金",
                                f"店面租金（{received.month}月）", "鱼塘承包费", ""])
        data = {
            "number": f"SK-{received.year}-{record_id:07d}",
            "contract": f"DS-HT-{2015 + contract % 10}-{contract:04d}",
            "amount": _money(rng.randint(10_000, 5_000_000)),
            "received_on": received.isoformat(),
            "payer": {"is_person": person, "name": _masked(payer) if person else payer},
            "scan_sha256": rng.randbytes(32).hex() if rng.random() < 0.3 else None,
            "note": note_text,
            "status": "withdrawn" if withdraw else "active",
        }
        private = private_commitment(rng.randbytes(32), {"payer_name": payer}) if person else None
        if version == 1:
            action, reason = "receipt.create", None
        elif withdraw:
            self.withdrawn.add(record_id)
            action, reason = "receipt.withdraw", rng.choice(_WITHDRAWALS)
        else:
            action, reason = "receipt.correct", rng.choice(_CORRECTIONS)
        return self._record(action, "receipt", record_id, version, reason, data, private)


def generate_export(directory: Path, entries: int, keys: _Keys, seed: int, report: Report) -> Generated:
    """Write DIR/entries.jsonl, DIR/checkpoint (signed by the portal, co-signed by the committee)
    and DIR/keys, as `flask --app portal audit export` does."""
    report.section(f"1. Generate a {count(entries)}-entry village log (audit.entry.build_entry)")
    code = VILLAGE["code"]
    start = time.perf_counter()
    tree = merkle.CompactRange()
    prev, ts = ZERO_HASH, None
    with open(directory / "entries.jsonl", "wb", buffering=1 << 20) as out:
        for seq, record in enumerate(_History(code, seed).records(entries)):
            entry, line = build_entry(log=code, seq=seq, prev=prev, **record)
            out.write(line + b"\n")
            prev, ts = entry["hash"], record["ts"]
            tree.append(merkle.leaf_hash(bytes.fromhex(prev)))
    root = tree.root()
    text = format_checkpoint(f"{ORIGIN_HOST}/v/{code}", tree.size, root)
    checkpoint = note.add_signature(note.sign(text, [keys.portal]), keys.committee)
    (directory / "checkpoint").write_text(checkpoint, encoding="utf-8")
    (directory / "keys").write_text("".join(k + "\n" for k in keys.verifiers()), encoding="ascii")
    seconds = time.perf_counter() - start
    size = (directory / "entries.jsonl").stat().st_size
    report.line(f"generated {count(entries)} entries in {seconds:.1f} s "
                f"({count(entries / seconds)} entries/s, build_entry + chain + Merkle peaks + write)")
    report.line(f"entries.jsonl: {size / 2**20:.1f} MiB ({size / entries:.0f} bytes/entry); "
                f"checkpoint signed by {PORTAL_KEY_NAME}, co-signed by {COMMITTEE_KEY_NAME}; "
                f"origin {ORIGIN_HOST}/v/{code}")
    report.figure("generate log: time", f"{seconds:.1f} s")
    report.figure("generate log: entries.jsonl size", f"{size / 2**20:.1f} MiB")
    assert ts is not None
    return Generated(code, tree.size, root, prev, tree.peak_hashes(), ts, checkpoint, size)


# -- 2. verify throughput ----------------------------------------------------------------------

def baseline_pass(path: Path) -> int:
    """The bare pass: read lines in binary, json.loads + SHA-256 per line, nothing else."""
    loads, sha256 = json.loads, hashlib.sha256
    n = 0
    with open(path, "rb") as lines:
        for line in lines:
            loads(line)
            sha256(line).digest()
            n += 1
    return n


def bench_verify(directory: Path, generated: Generated, report: Report) -> None:
    size = generated.size
    report.section(f"2. Verify throughput: audit.verify.verify_dir vs json.loads + SHA-256 "
                   f"({count(size)} entries)")
    baseline_times, verify_times = [], []
    for attempt in range(1, 4):
        seconds, lines = timed(baseline_pass, directory / "entries.jsonl")
        report.check(lines == size, f"baseline pass read {lines} lines, expected {size}")
        baseline_times.append(seconds)
        try:
            seconds, result = timed(verify_dir, directory)
        except (LogError, NoteError, OSError) as error:
            report.check(False, f"verify_dir failed on the generated log: {error}")
            return
        verify_times.append(seconds)
        report.line(f"run {attempt}: baseline {baseline_times[-1]:.2f} s, verify_dir {seconds:.2f} s")
    report.check(result.size == size and result.root == generated.root and result.log == generated.code,
                 f"verify_dir: log={result.log} size={result.size} root matches the generator's: "
                 f"{result.root == generated.root}")
    report.check(result.signatures == [(PORTAL_KEY_NAME, True), (COMMITTEE_KEY_NAME, True)],
                 f"verify_dir signatures {result.signatures}")
    base_rate, verify_rate = size / min(baseline_times), size / min(verify_times)
    ratio = verify_rate / base_rate
    report.line(f"baseline (json.loads + sha256 per line): {count(base_rate)} entries/s (best of 3)")
    report.line(f"verify_dir (chain + shape + Merkle root + signatures): {count(verify_rate)} "
                "entries/s (best of 3)")
    report.line(f"ratio verify/baseline: {ratio:.2f} (target ≥ {VERIFY_TARGET})")
    report.figure("verify_dir throughput", f"{count(verify_rate)} entries/s")
    report.figure("bare json.loads+sha256 throughput", f"{count(base_rate)} entries/s")
    report.figure("verify/baseline ratio", f"{ratio:.2f}", f"≥ {VERIFY_TARGET}", ratio >= VERIFY_TARGET)

    start = time.perf_counter()
    proc = subprocess.run([sys.executable, "-m", "audit.verify", str(directory)],
                          capture_output=True, text=True, check=False)
    seconds = time.perf_counter() - start
    report.line(f"$ python -m audit.verify DIR   (exit {proc.returncode}, {seconds:.1f} s)")
    for line in (proc.stdout + proc.stderr).splitlines():
        report.line(f"  {line}")
    expected = f"OK {generated.code} size={size} root="
    report.check(proc.returncode == 0 and proc.stdout.startswith(expected),
                 f"python -m audit.verify exit {proc.returncode}: "
                 f"{(proc.stdout.strip().splitlines() or [''])[0][:200]}")


# -- 3. inclusion proofs at full size ----------------------------------------------------------

_ENTRY_COLUMNS = ("id", "log", "seq", "ts", "actor", "action", "entity", "entity_id", "version",
                  "reason", "prev", "hash", "line")
_NODE_COLUMNS = ("log", "level", "idx", "hash")
_HEAD_COLUMNS = ("log", "size", "last_hash", "root", "peaks", "checkpoint", "updated_at")


def _insert_sql(table: Any, expected: tuple[str, ...]) -> str:
    columns = tuple(column.name for column in table.columns)
    if columns != expected:
        raise RuntimeError(f"table {table.name} has columns {columns}, the benchmark's bulk load "
                           f"expects {expected}: update benchmarks/audit.py")
    return (f"INSERT INTO {table.name} ({', '.join(columns)}) "
            f"VALUES ({', '.join('?' * len(columns))})")


def _sqlite_ts(ts: str) -> str:
    """An entry's ts (2015-01-05T01:00:00.000000Z) as SQLAlchemy stores UTC datetimes in SQLite."""
    return f"{ts[:10]} {ts[11:26]}"


def load_database(path: Path, export: Path, generated: Generated) -> tuple[int, int]:
    """Bulk-load the export into a portal database at `path`: audit_entry rows, the audit_node
    rows CompactRange.append completes, the audit_head row. Returns (entries, nodes)."""
    import portal.registry  # noqa: F401  (every model's table, for create_schema)
    from portal.auditlog.models import AuditEntry, AuditHead, AuditNode
    from portal.kernel.database import Database

    database = Database(f"sqlite:///{path}")
    database.create_schema()
    database.dispose()
    entry_sql = _insert_sql(AuditEntry.__table__, _ENTRY_COLUMNS)
    node_sql = _insert_sql(AuditNode.__table__, _NODE_COLUMNS)
    head_sql = _insert_sql(AuditHead.__table__, _HEAD_COLUMNS)

    code, loads, sha256, leaf_hash = generated.code, json.loads, hashlib.sha256, merkle.leaf_hash
    tree = merkle.CompactRange()
    entries: list[tuple[Any, ...]] = []
    nodes: list[tuple[Any, ...]] = []
    node_count = 0
    con = sqlite3.connect(path, isolation_level=None)
    try:
        con.execute("PRAGMA journal_mode=WAL")
        con.execute("PRAGMA synchronous=OFF")  # a bulk load to be thrown away: no fsync needed
        con.execute("PRAGMA cache_size=-262144")  # 256 MiB: the unique indexes on hashes are random
        con.execute("BEGIN")
        with open(export / "entries.jsonl", "rb") as lines:
            for seq, raw in enumerate(lines):
                line = raw.removesuffix(b"\n")
                e = loads(line)
                digest = sha256(line).digest()
                entries.append((seq + 1, code, seq, _sqlite_ts(e["ts"]), e["actor"], e["action"],
                                e["entity"], e["entity_id"], e["version"], e["reason"], e["prev"],
                                digest.hex(), line.decode("utf-8")))
                for level, index, node in tree.append(leaf_hash(digest)):
                    nodes.append((code, level, index, node))
                if len(entries) == LOAD_BATCH:
                    con.executemany(entry_sql, entries)
                    con.executemany(node_sql, nodes)
                    node_count += len(nodes)
                    entries.clear()
                    nodes.clear()
                    if (seq + 1) % LOAD_COMMIT_EVERY == 0:
                        con.execute("COMMIT")
                        con.execute("BEGIN")
        con.executemany(entry_sql, entries)
        con.executemany(node_sql, nodes)
        node_count += len(nodes)
        con.execute(head_sql, (code, tree.size, generated.last_hash, tree.root(),
                               b"".join(tree.peak_hashes()), generated.checkpoint,
                               _sqlite_ts(format_ts(generated.last_ts))))
        con.execute("COMMIT")
        con.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    finally:
        con.close()

    database = Database(f"sqlite:///{path}")
    with database.write(code) as session:  # the village row, through the ORM model
        from portal.villages.models import Village

        session.add(Village(**VILLAGE, is_demo=False, version=1,
                            created_at=datetime(2015, 1, 5, 1, 0, tzinfo=UTC)))
    database.dispose()
    return tree.size, node_count


def _time_each(call: Any, indexes: list[int], budget: float) -> tuple[list[float], list[Any]]:
    """Time call(index) for each index, in ms, stopping early once `budget` seconds are spent
    (so a slow implementation cannot make the run take hours). Returns (latencies, results)."""
    clock = time.perf_counter_ns
    deadline = clock() + budget * 1e9
    latencies, results = [], []
    for index in indexes:
        start = clock()
        results.append(call(index))
        end = clock()
        latencies.append((end - start) / 1e6)
        if end > deadline:
            break
    return latencies, results


def _budget_note(timed_count: int, planned: int, budget: float) -> str:
    if timed_count == planned:
        return ""
    return (f" — STOPPED after {count(timed_count)} of {count(planned)}: the {budget:g} s time "
            "budget (--proof-budget) ran out")


def bench_proofs(paths: _Paths, generated: Generated, keys: _Keys, proofs: int, http_requests: int,
                 budget: float, rng: random.Random, report: Report) -> None:
    from portal import create_app
    from portal.auditlog import store as audit_log
    from portal.auditlog.models import AuditEntry, AuditHead
    from portal.kernel.database import Database

    size, code = generated.size, generated.code
    report.section(f"3. Inclusion proofs at {count(size)} entries (portal SQLite database)")
    seconds, (entries, nodes) = timed(load_database, paths.database, paths.export, generated)
    db_bytes = paths.database.stat().st_size
    report.line(f"bulk-loaded {count(entries)} audit_entry + {count(nodes)} audit_node rows + head "
                f"in {seconds:.1f} s; database {db_bytes / 2**20:.0f} MiB")

    def service_proof(index: int) -> dict[str, Any]:
        with database.read() as session:  # a fresh session per proof, as log_reads does
            return audit_log.inclusion(session, code, index, size)

    def primary_key_read(_index: int) -> None:
        with database.read() as session:
            session.get(AuditHead, code)

    database = Database(f"sqlite:///{paths.database}")
    try:
        with database.read() as session:
            head = session.get(AuditHead, code)
            report.check(head is not None and head.size == size and head.root == generated.root,
                         "audit_head after the load holds the generator's size and root")
            first = session.get(AuditEntry, 1)
            report.check(first is not None and first.ts == datetime(2015, 1, 5, 1, 0, tzinfo=UTC),
                         "audit_entry.ts reads back through the ORM as the entry's ts")
        indexes = [rng.randrange(size) for _ in range(proofs)]
        for index in indexes[:3]:  # warm-up: compiled-statement cache, connection pool
            service_proof(index)
            primary_key_read(index)
        latencies, results = _time_each(service_proof, indexes, budget)
        base, _ = _time_each(primary_key_read, indexes[:len(latencies)], budget)
        with database.read() as session:
            report.check(audit_log.root_at(session, code, size) == generated.root,
                         "audit_log.root_at(size) from the stored nodes equals the generator's root")
        leaves = _leaf_hashes(database, code, {p["index"] for p in results})
        bad = _check_proofs(results, size, generated.root, leaves)
        report.check(not bad, f"{len(results) - len(bad)}/{len(results)} inclusion proofs verified "
                              "with audit.merkle.verify_inclusion against the head root"
                     + (f"; first failure: {bad[0]}" if bad else ""))
    finally:
        database.dispose()

    latencies.sort()
    base.sort()
    p50, p95, p99 = (percentile(latencies, q) for q in (50, 95, 99))
    b50, b95 = percentile(base, 50), percentile(base, 95)
    path_len = sum(len(p["path"]) for p in results) / len(results)
    report.line(f"audit_log.inclusion(session, log, index, {size}), fresh session each, "
                f"{count(len(latencies))} random indexes (≈{path_len:.0f} path hashes each)"
                + _budget_note(len(latencies), proofs, budget) + ":")
    report.line(f"  p50 {p50:.3f} ms   p95 {p95:.3f} ms   p99 {p99:.3f} ms   max {latencies[-1]:.3f} ms "
                f"(target p95 ≤ {PROOF_TARGET_MS:g} ms)")
    report.line(f"baseline session.get(AuditHead, log), fresh session each: p50 {b50:.3f} ms   "
                f"p95 {b95:.3f} ms")
    report.line(f"ratio inclusion/primary-key read: p50 {p50 / b50:.1f}×   p95 {p95 / b95:.1f}×")
    report.figure(f"inclusion proof p50 / p99 at {count(size)}", f"{p50:.2f} / {p99:.2f} ms")
    report.figure(f"inclusion proof p95 at {count(size)}", f"{p95:.2f} ms", f"≤ {PROOF_TARGET_MS:g} ms",
                  p95 <= PROOF_TARGET_MS)
    report.figure("inclusion p50 ÷ primary-key get p50", f"{p50 / b50:.1f}×")

    # The HTTP endpoint on the same database, through the Flask test client.
    paths.instance.mkdir(parents=True, exist_ok=True)
    key_file = paths.instance / "audit-signing.key"
    key_file.write_text(keys.portal + "\n", encoding="ascii")
    key_file.chmod(0o600)
    app = create_app({"TESTING": True, "DATABASE_URL": f"sqlite:///{paths.database}",
                      "INSTANCE_PATH": str(paths.instance), "SECRET_KEY": "bench",
                      "AUDIT_ORIGIN": ORIGIN_HOST, "AUDIT_KEY_NAME": PORTAL_KEY_NAME})
    try:
        client = app.test_client()
        url = f"/v/{code}/audit/proof/inclusion?index={{}}&size={size}"

        def http_proof(index: int) -> tuple[int, Any]:
            response = client.get(url.format(index))
            return response.status_code, response.get_json(silent=True)

        http_indexes = [rng.randrange(size) for _ in range(http_requests)]
        for index in http_indexes[:3]:
            http_proof(index)
        http, answers = _time_each(http_proof, http_indexes, budget)
        statuses = {status for status, _body in answers}
        bodies = [body for _status, body in answers]
        report.check(statuses == {200}, f"HTTP inclusion proofs answered {sorted(statuses)}")
        leaves = _leaf_hashes(app.extensions["portal"].db, code, {b["index"] for b in bodies if b})
        bad = _check_proofs([b for b in bodies if b], size, generated.root, leaves)
        report.check(not bad and all(bodies),
                     f"{len(bodies) - len(bad)}/{len(bodies)} HTTP inclusion proofs verified"
                     + (f"; first failure: {bad[0]}" if bad else ""))
        out_of_range = client.get(url.format(size))
        report.check(out_of_range.status_code == 400,
                     f"HTTP index=size answers 400 (got {out_of_range.status_code})")
    finally:
        app.extensions["portal"].db.dispose()
    http.sort()
    h50, h95, h99 = (percentile(http, q) for q in (50, 95, 99))
    report.line(f"HTTP GET /v/{code}/audit/proof/inclusion?index=&size={size} (Flask test client, "
                f"{count(len(http))} requests" + _budget_note(len(http), http_requests, budget) + "):")
    report.line(f"  p50 {h50:.3f} ms   p95 {h95:.3f} ms   p99 {h99:.3f} ms")
    report.figure(f"HTTP inclusion proof p95 at {count(size)}", f"{h95:.2f} ms", f"≤ {PROOF_TARGET_MS:g} ms",
                  h95 <= PROOF_TARGET_MS)


def _leaf_hashes(database: Any, code: str, indexes: set[int]) -> dict[int, bytes]:
    """The Merkle leaf hash of each entry seq in `indexes`, from audit_entry.hash."""
    from sqlalchemy import select

    from portal.auditlog.models import AuditEntry

    wanted, found = sorted(indexes), {}
    with database.read() as session:
        for i in range(0, len(wanted), 500):
            rows = session.execute(select(AuditEntry.seq, AuditEntry.hash).where(
                AuditEntry.log == code, AuditEntry.seq.in_(wanted[i:i + 500])))
            found.update({seq: merkle.leaf_hash(bytes.fromhex(h)) for seq, h in rows})
    return found


def _check_proofs(proofs: list[dict[str, Any]], size: int, root: bytes,
                  leaves: dict[int, bytes]) -> list[str]:
    """Check each proof: its root is `root`, its leaf is the entry's, and verify_inclusion accepts
    the path. Returns what failed."""
    bad = []
    for proof in proofs:
        index = proof["index"]
        try:
            leaf, path = bytes.fromhex(proof["leaf_hash"]), [bytes.fromhex(p) for p in proof["path"]]
            if proof["size"] != size or bytes.fromhex(proof["root"]) != root:
                raise ProofError(f"proof names size {proof['size']} root {proof['root']}")
            if leaf != leaves.get(index):
                raise ProofError("leaf_hash is not the leaf hash of the entry at that index")
            merkle.verify_inclusion(index, size, leaf, path, root)
        except (ProofError, ValueError, KeyError, TypeError) as error:
            bad.append(f"index {index}: {error}")
    return bad


# -- 4. audited writes per second --------------------------------------------------------------

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
    from portal.villages.services import create_village

    staff = Actor("chen.wenbin", "staff", village=VILLAGE["code"])
    create_village(backend, SYSTEM, **VILLAGE)
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
            number=f"SK-{day.year}-{i:07d}", amount=_money(rng.randint(10_000, 5_000_000)),
            received_on=day.isoformat(), payer_name=payer.name, payer_is_person=payer.person,
            contract_number=payer.contract, note=f"第{i % 10 + 1}期租金"))
    return inputs


def bench_writes(directory: Path, writes: int, always_profile: bool, rng: random.Random,
                 report: Report) -> None:
    from portal import create_app
    from portal.auditlog import store as audit_log
    from portal.kernel.transaction import Actor
    from portal.receipts.services import record_receipt

    code = VILLAGE["code"]
    report.section(f"4. Audited writes on SQLite: {count(writes)} × record_receipt vs bare "
                   "INSERT + COMMIT")
    directory.mkdir(parents=True)
    app = create_app({"TESTING": True, "DATABASE_URL": f"sqlite:///{directory / 'portal.db'}",
                      "INSTANCE_PATH": str(directory / "instance"), "SECRET_KEY": "bench",
                      "AUDIT_ORIGIN": ORIGIN_HOST})
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
            _trace_statements(backend, staff, code, _receipts(payers, warm + writes, n, rng), why, report)
            _profile_writes(backend, staff, code, _receipts(payers, warm + writes + n, n, rng), report)
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


def _category(filename: str, name: str) -> str:
    if "sqlalchemy" in filename:
        return "SQLAlchemy (Python)"
    if "sqlite3" in name:
        return "sqlite3 (C: execute, commit, fetch)"
    if "ed25519" in name.lower() or "cryptography" in filename:
        return "Ed25519 (key parsing + signing)"
    if "/portal/" in filename:
        return "portal code"
    if "/audit/" in filename:
        return "audit package (entry, canonical, merkle, note)"
    if "hashlib" in filename or "sha256" in name:
        return "hashlib"
    return "stdlib / builtins (json, re, datetime, decimal, …)"


_SQL_TARGET = re.compile(r"\s*(BEGIN\s+\w+|COMMIT|SELECT\s.*?\sFROM\s+(\w+)(?:\s+AS\s+\w+)?"
                         r"(?:\s+(?:LEFT\s+OUTER\s+|INNER\s+)?JOIN\s+(\w+))?|INSERT\s+INTO\s+(\w+)"
                         r"|UPDATE\s+(\w+)|DELETE\s+FROM\s+(\w+))", re.S | re.I)


def _statement_name(sql: str) -> str:
    match = _SQL_TARGET.match(sql)
    if not match:
        return sql.split(None, 1)[0] if sql.strip() else "?"
    if match.group(1).upper().startswith(("BEGIN", "COMMIT")):
        return match.group(1).upper()
    verb = match.group(1).split(None, 1)[0].upper()
    tables = [t for t in match.groups()[1:] if t]
    return f"{verb} {' JOIN '.join(tables)}"


def _trace_statements(backend: Any, staff: Any, code: str, inputs: list[Any], why: str,
                      report: Report) -> None:
    """Run record_receipt with a timer around each DB-API cursor.execute (cheap, unlike a
    profiler): time in SQLite vs in Python, and the statements one write issues."""
    from sqlalchemy import event

    from portal.receipts.services import record_receipt

    engine = backend.db.engine
    clock = time.perf_counter
    in_sqlite = 0.0
    statements: list[str] = []

    def before(_conn: Any, _cursor: Any, statement: str, *_args: Any) -> None:
        statements.append(statement)
        before.started = clock()  # type: ignore[attr-defined]

    def after(*_args: Any) -> None:
        nonlocal in_sqlite
        in_sqlite += clock() - before.started  # type: ignore[attr-defined]

    event.listen(engine, "before_cursor_execute", before)
    event.listen(engine, "after_cursor_execute", after)
    try:
        start = clock()
        for data in inputs:
            del statements[:]
            record_receipt(backend, staff, code, data)
        total = clock() - start
    finally:
        event.remove(engine, "before_cursor_execute", before)
        event.remove(engine, "after_cursor_execute", after)
    n = len(inputs)
    report.line("")
    report.line(f"-- where the time goes ({why}): {n} more record_receipt calls, cursor.execute timed --")
    report.line(f"  {total / n * 1000:.3f} ms per write: {in_sqlite / n * 1000:.3f} ms inside SQLite "
                f"(cursor.execute), {(total - in_sqlite) / n * 1000:.3f} ms in Python (SQLAlchemy, "
                "services, audit, signing) plus COMMIT")
    report.line(f"  statements of the last write ({len(statements)}, the COMMIT not counted): "
                + "; ".join(_statement_name(sql) for sql in statements))


def _profile_writes(backend: Any, staff: Any, code: str, inputs: list[Any], report: Report) -> None:
    """Profile record_receipt with cProfile and print where the time goes."""
    from portal.receipts.services import record_receipt

    n = len(inputs)
    profiler = cProfile.Profile()
    profiler.enable()
    for data in inputs:
        record_receipt(backend, staff, code, data)
    profiler.disable()
    stats = pstats.Stats(profiler)
    raw: dict[Any, Any] = stats.stats  # type: ignore[attr-defined]
    total = sum(tt for _cc, _nc, tt, _ct, _callers in raw.values())
    report.line("")
    report.line(f"-- cProfile over {n} more record_receipt calls; cProfile inflates "
                "Python-level overhead, so read shares, not absolute times --")
    by_category: dict[str, float] = {}
    for (filename, _line, name), (_cc, _nc, tt, _ct, _callers) in raw.items():
        key = _category(filename, name)
        by_category[key] = by_category.get(key, 0.0) + tt
    report.line(f"own time by layer (total {total / n * 1000:.2f} ms per write under the profiler):")
    for key, tt in sorted(by_category.items(), key=lambda item: -item[1]):
        report.line(f"  {tt / total:6.1%}  {tt / n * 1000:6.3f} ms/write  {key}")

    def find(suffix: str, name: str) -> tuple[int, float] | None:
        for (filename, _line, func), (_cc, nc, _tt, ct, _callers) in raw.items():
            if filename.endswith(suffix) and func == name:
                return nc, ct
        return None

    report.line("inclusive time of the steps of one write:")
    steps = [
        ("portal/receipts/services.py", "record_receipt", "record_receipt (whole call)"),
        ("portal/db.py", "write", "  Database.write: session, BEGIN IMMEDIATE, COMMIT, close"),
        ("portal/kernel/transaction.py", "village", "  Change.village: SELECT village"),
        ("portal/contracts/services.py", "find_contract", "  find_contract: SELECT contract"),
        ("portal/kernel/transaction.py", "record", "  Change.record: flush receipt + append"),
        ("portal/auditlog/store.py", "append", "    audit_log.append"),
        ("audit/entry.py", "build_entry", "      build_entry (canonical JSON + SHA-256)"),
        ("portal/auditlog/signing.py", "checkpoint", "      LogSigner.checkpoint (note.sign)"),
        ("audit/note.py", "_parse_signer", "        note._parse_signer (re-derives the key)"),
        ("sqlalchemy/orm/session.py", "get", "      Session.get (AuditHead; all callers)"),
        ("sqlalchemy/orm/session.py", "flush", "  Session.flush (all callers)"),
        ("sqlalchemy/orm/session.py", "commit", "  Session.commit (all callers)"),
    ]
    for suffix, name, label in steps:
        found = find(suffix, name)
        if found:
            calls, ct = found
            report.line(f"  {ct / n * 1000:6.3f} ms/write {ct / total:6.1%}  {calls / n:4.1f} calls/write"
                        f"  {label}")
    statements = find("~", "<method 'execute' of 'sqlite3.Cursor' objects>")
    if statements:
        report.line(f"SQL statements per write: {statements[0] / n:.1f} (sqlite3 Cursor.execute calls)")
    buffer = io.StringIO()
    stats.stream = buffer  # type: ignore[attr-defined]
    stats.sort_stats("tottime").print_stats(12)
    report.line("top functions by own time:")
    for line in buffer.getvalue().splitlines():
        skip = line.startswith(("   Ordered", "   List reduced")) or "function calls" in line
        if line.strip() and not skip:
            report.line(f"  {line.strip()[:150]}")
