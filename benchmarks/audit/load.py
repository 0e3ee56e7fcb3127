"""The generated log bulk-loaded into a portal SQLite database, for the inclusion-proof part:
the audit_entry rows, the audit_node rows `merkle.CompactRange.append` completes, the head."""
from __future__ import annotations

import hashlib
import json
import sqlite3
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from audit import merkle
from audit.entry import format_ts
from benchmarks.audit.common import VILLAGE
from benchmarks.audit.generate import Generated

LOAD_BATCH = 20_000        # rows per executemany while loading the database
LOAD_COMMIT_EVERY = 200_000

_ENTRY_COLUMNS = ("id", "log", "seq", "ts", "actor", "action", "entity", "entity_id", "version",
                  "reason", "prev", "hash", "line")
_NODE_COLUMNS = ("log", "level", "idx", "hash")
_HEAD_COLUMNS = ("log", "size", "last_hash", "root", "peaks", "checkpoint", "updated_at")


def _insert_sql(table: Any, expected: tuple[str, ...]) -> str:
    columns = tuple(column.name for column in table.columns)
    if columns != expected:
        raise RuntimeError(f"table {table.name} has columns {columns}, the benchmark's bulk load "
                           f"expects {expected}: update benchmarks/audit/load.py")
    return (f"INSERT INTO {table.name} ({', '.join(columns)}) "
            f"VALUES ({', '.join('?' * len(columns))})")


def _sqlite_ts(ts: str) -> str:
    """An entry's ts (2015-01-05T01:00:00.000000Z) as SQLAlchemy stores UTC datetimes in SQLite."""
    return f"{ts[:10]} {ts[11:26]}"


def load_database(path: Path, export: Path, generated: Generated) -> tuple[int, int]:
    """Bulk-load the export into a portal database at `path`: audit_entry rows, the audit_node
    rows CompactRange.append completes, the audit_head row. Returns (entries, nodes)."""
    import portal.registry  # noqa: F401  (every model, so create_schema makes the whole schema)
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
