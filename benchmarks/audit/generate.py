"""Part 1: generate a village log with the real `audit.entry.build_entry`, and the directory
`flask --app portal audit export` writes (entries.jsonl, a co-signed checkpoint, keys)."""
from __future__ import annotations

import random
import time
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

from audit import merkle, note
from audit.checkpoint import format_checkpoint
from audit.entry import ZERO_HASH, build_entry, private_commitment
from benchmarks import Report, count
from benchmarks.audit.common import COMMITTEE_KEY_NAME, ORIGIN_HOST, PORTAL_KEY_NAME, VILLAGE, Keys, money


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
        self.last = {"asset": 0, "contract": 0, "receipt": 0}  # the last id of each entity
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
            if r < 0.02 or not self.last["contract"]:
                yield self._contract(None)
            elif r < 0.025:
                yield self._contract(rng.randint(1, self.last["contract"]))
            elif r < 0.03:
                yield self._asset(rng.randint(1, self.last["asset"]))
            elif r < 0.06 and self.last["receipt"]:
                yield self._receipt(rng.randint(1, self.last["receipt"]), withdraw=False)
            elif r < 0.065 and self.last["receipt"]:
                yield self._receipt(rng.randint(1, self.last["receipt"]), withdraw=True)
            else:
                yield self._receipt(None, withdraw=False)

    def _next_version(self, entity: str, record_id: int | None) -> tuple[int, int]:
        """(id, version) to write: a new record of `entity` when record_id is None."""
        if record_id is None:
            self.last[entity] += 1
            return self.last[entity], 1
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
        land = record_id % 8 != 0
        place = _PLACES[record_id % len(_PLACES)]
        x, y = rng.randrange(-5000, 5000), rng.randrange(-5000, 5000)
        w, h = rng.randint(40, 300), rng.randint(40, 300)
        data = {
            "number": f"DS-{'TD' if land else 'DM'}-{record_id:03d}",
            "name": f"{place}{record_id}号地" if land else f"村部临街店面{record_id}号",
            "kind": "land" if land else "shop",
            "area": money(rng.randint(50, 5000) if not land else rng.randint(80, 3000)),
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
        asset = record_id % self.last["asset"] + 1
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
                     "amount": money(yearly * (105 ** (k // 5)) // (100 ** (k // 5)))}
                    for k in range(years)]
        data = {
            "number": f"DS-HT-{start.year}-{record_id:04d}",
            "title": f"{_PLACES[record_id % len(_PLACES)]}{asset}号地租赁合同",
            "lessee": {"kind": "person" if person else "company",
                       "name": _masked(name) if person else name,
                       "id_number": id_number[:4] + "*" * 10 + id_number[-4:] if person else ""},
            "assets": [{"number": f"DS-TD-{asset:03d}", "area": money(area_fen),
                        "area_unit": "mu"}],
            "start_date": start.isoformat(),
            "end_date": (date(start.year + years, start.month, 1) - timedelta(days=1)).isoformat(),
            "rent": {"rate": money(rate), "unit": "mu_year", "escalation_percent": "5.00",
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
        contract = rng.randint(1, self.last["contract"])
        person = contract % 3 == 0
        payer = _person(rng) if person else rng.choice(_COMPANIES)
        received = (self.ts - timedelta(days=rng.randint(0, 20))).date()
        note_text = rng.choice([f"第{rng.randint(1, 10)}期租金", f"{received.year}年度土地租金",
                                f"店面租金（{received.month}月）", "鱼塘承包费", ""])
        data = {
            "number": f"SK-{received.year}-{record_id:07d}",
            "contract": f"DS-HT-{2015 + contract % 10}-{contract:04d}",
            "amount": money(rng.randint(10_000, 5_000_000)),
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



def generate_export(directory: Path, entries: int, keys: Keys, seed: int, report: Report) -> Generated:
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
