"""`audit verify`, the log's own tables: every entry, its private record and its Merkle nodes.

One streamed pass over `audit_entry` (joined with its level-0 node and its `private_record`)
checks each line against its hash and its columns, the chain, the personal-data commitments, and
recomputes the tree; the stored nodes above level 0 are then checked level by level, each
against its two children (already known to be right, or replaced by their recomputed hashes), so
every stored node the portal builds proofs from is checked, and a bad one is named once.
"""
from __future__ import annotations

import hashlib
import json
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from operator import itemgetter
from typing import TYPE_CHECKING, Any, NoReturn

from sqlalchemy import String, and_, func, or_, select, type_coerce
from sqlalchemy.orm import Session, aliased

from audit import merkle
from audit.entry import ZERO_HASH, entry_defect, format_ts

from portal.kernel.messages import say
from portal.auditlog.models import AuditEntry, AuditNode, PrivateRecord

if TYPE_CHECKING:
    from portal.auditlog.integrity import Report

STREAM_BATCH = 2000
MAX_CORRECTED = 10_000  # recomputed hashes kept for bad nodes; past it a parent may be named too
_COLUMNS = ("log", "seq", "actor", "action", "entity", "entity_id", "version", "reason", "prev")
_ENTRY_COLUMNS = itemgetter(*_COLUMNS)
_FIRST_COLUMN = 8  # where _COLUMNS start in a row of scan_entries' query
_FILE_VALUE = 'sha256":"'  # in a canonical line, only where a key ending in sha256 has a string


def _refuse_float(text: str) -> NoReturn:
    raise ValueError(f"floats are not allowed, found {text}")


# As the offline verifier reads lines: a float anywhere is a defect, not a value.
decode_line: Callable[[str], Any] = json.JSONDecoder(
    parse_float=_refuse_float, parse_constant=_refuse_float).decode


def record_name(entity: str, entity_id: str, number: Any = None) -> str:
    """How messages name a record: `receipt 12（编号 SK-2024-0159）`."""
    if number is None:
        return f"{entity} {entity_id}"
    return say("%(entity)s %(id)s（编号 %(number)s）", entity=entity, id=entity_id, number=number)


def entry_name(entry: dict[str, Any]) -> str:
    data = entry.get("data")
    number = data.get("number") if isinstance(data, dict) else None
    return say("%(record)s，seq=%(seq)s",
               record=record_name(str(entry.get("entity")), str(entry.get("entity_id")), number),
               seq=entry.get("seq"))


@dataclass
class LogScan:
    """What the pass over the entries recomputed: the tree, the tip, and what else to check."""

    size: int = 0
    tree: merkle.CompactRange = field(default_factory=merkle.CompactRange)
    last_hash: str = ZERO_HASH
    last_ts: Any = None  # as stored: see ts_text
    broken: bool = False  # an entry is missing, malformed or unlinked
    roots: dict[int, bytes] = field(default_factory=dict)  # the root at each size asked for
    files: dict[str, str] = field(default_factory=dict)  # file SHA-256 → the first entry naming it
    corrected: dict[tuple[int, int], bytes] = field(default_factory=dict)  # bad node → true hash
    stored_peaks: list[bytes] | None = None  # the stored nodes at peaks(size), all of them or None

    def head_tree(self) -> tuple[list[bytes], bytes]:
        """The peaks and root the head must hold: recomputed, or while the entries themselves are
        broken (and so differ from everything derived from them), those of the stored nodes, so
        that only an edit of the head itself is blamed on the head."""
        size, peaks = self.tree.size, self.tree.peak_hashes()
        if self.broken and self.stored_peaks is not None:
            size, peaks = self.size, self.stored_peaks
        nodes = dict(zip(merkle.peaks(size), peaks))
        return peaks, merkle.root_hash(size, lambda level, index: nodes[(level, index)])


def scan_entries(session: Session, report: Report, log: str, root_sizes: set[int]) -> LogScan:
    """Checks every entry of `log` in seq order; returns the recomputed tree and what it found."""
    entry, node, private = AuditEntry.__table__, AuditNode.__table__, PrivateRecord.__table__
    # ts unconverted: formatting a million datetimes was a tenth of the pass (SQLite keeps text)
    query = (select(entry.c.seq, entry.c.line, entry.c.hash, type_coerce(entry.c.ts, String()), node.c.hash,
                    private.c.entry_id, private.c.salt, private.c.personal, *(entry.c[name] for name in _COLUMNS))
             .outerjoin(node, and_(node.c.log == entry.c.log, node.c.level == 0, node.c.idx == entry.c.seq))
             .outerjoin(private, private.c.entry_id == entry.c.id)
             .where(entry.c.log == log).order_by(entry.c.seq).execution_options(yield_per=STREAM_BATCH))
    scan = LogScan()
    if 0 in root_sizes:
        scan.roots[0] = merkle.EMPTY_ROOT
    sha256, leaf_hash, append = hashlib.sha256, merkle.leaf_hash, scan.tree.append
    for row in session.execute(query):
        seq, line, stored_node = row[0], row[1], row[4]
        digest = sha256(line.encode("utf-8") if isinstance(line, str) else bytes(line)).digest()
        if seq != scan.size:  # rows come in seq order and seq is unique: entries are missing
            missing = f"{scan.size}" if seq == scan.size + 1 else f"{scan.size}–{seq - 1}"
            report.add(say("seq=%(missing)s: 日志中缺少此处的条目（被直接删除？）", missing=missing) if seq > scan.size
                       else say("seq=%(seq)s: 序号不对", seq=seq))
            scan.broken = True
        try:
            _check_entry(report, row, digest, scan)
        except Exception as err:  # a value no portal writes: name the entry, keep going
            report.add(say("seq=%(seq)s: 核对此条目时出错（%(name)s: %(err)s）", seq=seq, name=type(err).__name__, err=str(err)))
            scan.broken = True
        leaf = leaf_hash(digest)
        if stored_node is None:
            report.add(say("Merkle 节点（第 0 层，序号 %(seq)s）缺失，门户无法给出 seq=%(seq)s 的证明", seq=seq))
        elif stored_node != leaf:
            report.add(say("Merkle 节点（第 0 层，序号 %(seq)s）与 seq=%(seq)s 的条目不一致（被直接修改？门户会据此给出错误的证明）", seq=seq))
            _correct(scan, (0, seq), leaf)
        append(leaf)
        scan.size, scan.last_hash, scan.last_ts = seq + 1, digest.hex(), row[3]
        if scan.tree.size in root_sizes:
            scan.roots[scan.tree.size] = scan.tree.root()
    return scan


def ts_text(value: Any) -> str | None:
    """A stored timestamp as an entry's `ts`: SQLite keeps UTC as "YYYY-MM-DD HH:MM:SS.ffffff"."""
    if isinstance(value, datetime):
        return format_ts(value if value.tzinfo else value.replace(tzinfo=UTC))
    return f"{value.replace(' ', 'T', 1)}Z" if isinstance(value, str) else None


def _check_entry(report: Report, row: Any, digest: bytes, scan: LogScan) -> None:
    seq, line, stored_hash, ts = row[0], row[1], row[2], row[3]
    if stored_hash != digest.hex():
        report.add(say("seq=%(seq)s: 条目内容（line）与其 hash 列不一致（被直接修改？）", seq=seq))
        scan.broken = True
    entry = decode_line(line)
    defect = entry_defect(entry)
    if defect:
        report.add(say("seq=%(seq)s: 条目格式不对：%(defect)s", seq=seq, defect=defect))
        scan.broken = True
        return
    problems: list[str] = []
    if row[_FIRST_COLUMN:] != _ENTRY_COLUMNS(entry) or ts_text(ts) != entry["ts"]:
        columns = [name for name, stored in zip(_COLUMNS, row[_FIRST_COLUMN:]) if stored != entry[name]]
        columns += ["ts"] if ts_text(ts) != entry["ts"] else []
        problems.append(say("audit_entry 的 %(columns)s 列与条目内容不一致（被直接修改？）", columns='、'.join(columns)))
    if entry["seq"] == scan.size and entry["prev"] != scan.last_hash:
        problems.append(say("prev 与 seq=%(seq)s 的哈希不一致，日志链在此断裂", seq=seq - 1) if seq else say("第一条的 prev 必须是 64 个 0"))
        scan.broken = True
    problems += private_problems(entry["private"], row[5], row[6], row[7])
    if problems or _FILE_VALUE in line:  # files are named by SHA-256 under keys like scan_sha256
        where = entry_name(entry)
        for problem in problems:
            report.add(say("%(where)s: %(problem)s", where=where, problem=problem))
        data = entry["data"]
        for key, value in data.items() if isinstance(data, dict) else ():
            if key.endswith("sha256"):  # one file, or a list of them (a signing's photos)
                for sha256 in value if isinstance(value, list) else [value]:
                    if isinstance(sha256, str):
                        scan.files.setdefault(sha256, where)


def private_problems(committed: str | None, private_id: int | None, salt: Any, personal: Any) -> list[str]:
    """The private record behind an entry's `private` commitment: there (blank only when the
    personal data was erased, see PrivateRecord) and reproducing the commitment."""
    if committed is None:
        return [] if private_id is None else [say("日志没有个人信息承诺，private_record 中却有它的记录（被直接插入？）")]
    if private_id is None:
        return [say("private_record 中缺少此条的个人信息记录（被直接删除？）")]
    if personal is None:  # erased on purpose: the commitment stays, the data is gone
        return []
    if not isinstance(salt, bytes) or not isinstance(personal, str) or \
            hashlib.sha256(salt + personal.encode("utf-8")).hexdigest() != committed:
        return [say("private_record 的盐或个人信息与日志的承诺不一致（被直接修改？）")]
    return []


def _correct(scan: LogScan, key: tuple[int, int], true_hash: bytes) -> None:
    if len(scan.corrected) < MAX_CORRECTED:
        scan.corrected[key] = true_hash


def check_nodes(session: Session, report: Report, log: str, scan: LogScan) -> None:
    """Checks the stored nodes are exactly the complete subtrees of the log, with their hashes."""
    node = AuditNode.__table__
    counts = {level: (count, low, high) for level, count, low, high in session.execute(
        select(node.c.level, func.count(), func.min(node.c.idx), func.max(node.c.idx))
        .where(node.c.log == log).group_by(node.c.level))}
    # With the primary key (log, level, idx), count, min and max pin down the set of indexes.
    for level in sorted(set(counts) | set(range(scan.size.bit_length()))):
        expected = scan.size >> level if level >= 0 else 0
        if counts.get(level) != ((expected, 0, expected - 1) if expected else None):
            count = counts.get(level, (0,))[0]
            report.add(say("Merkle 节点：第 %(level)s 层应有 %(expected)s 个，数据库中有 %(count)s 个（序号不对，或被直接插入、删除？）",
                           level=level, expected=expected, count=count))
    parent, left_child, right_child = aliased(AuditNode), aliased(AuditNode), aliased(AuditNode)
    query = (select(parent.level, parent.index, parent.hash, left_child.hash, right_child.hash)
             .join(left_child, and_(left_child.log == parent.log, left_child.level == parent.level - 1,
                                    left_child.index == parent.index * 2))
             .join(right_child, and_(right_child.log == parent.log, right_child.level == parent.level - 1,
                                     right_child.index == parent.index * 2 + 1))
             .where(parent.log == log, parent.level > 0)
             .order_by(parent.level, parent.index).execution_options(yield_per=STREAM_BATCH))
    corrected = scan.corrected
    for level, index, stored, left_hash, right_hash in session.execute(query):
        below = level - 1
        left, right = bytes(left_hash), bytes(right_hash)
        true_hash = merkle.node_hash(corrected.get((below, 2 * index), left),
                                     corrected.get((below, 2 * index + 1), right))
        if bytes(stored) == true_hash:
            continue
        # Named only if it disagrees with its own stored children: a node that agrees with them
        # is wrong only because a node or an entry below is, and that one is named.
        if bytes(stored) != merkle.node_hash(left, right):
            report.add(say("Merkle 节点（第 %(level)s 层，序号 %(index)s）与日志重算的不一致（被直接修改？门户会据此给出错误的证明）",
                           level=level, index=index))
        _correct(scan, (level, index), true_hash)
    keys = merkle.peaks(scan.size)
    if keys:
        found = {(level, index): bytes(stored) for level, index, stored in session.execute(
            select(node.c.level, node.c.idx, node.c.hash).where(node.c.log == log, or_(*(
                and_(node.c.level == level, node.c.idx == index) for level, index in keys))))}
        scan.stored_peaks = [found[key] for key in keys] if len(found) == len(keys) else None
