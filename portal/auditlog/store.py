"""The audit log in the database: append inside the caller's transaction, read, prove, export.

Each append stores the entry's canonical line, the Merkle subtree hashes it completes and the
new head (size, root, peaks), so proofs cost O(log n) reads. The signed checkpoint of the head
is made when it is first read (`head`), not by every append: see `_current_checkpoint`.
"""
from __future__ import annotations

import base64
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

from sqlalchemy import bindparam, insert, select, text, update
from sqlalchemy.engine import Engine, Row
from sqlalchemy.orm import Session, sessionmaker

from audit import merkle
from audit.canonical import canonical_bytes
from audit.entry import ZERO_HASH, build_entry, new_salt, private_commitment
from portal.kernel.messages import say
from portal.auditlog.models import (
    AuditCheckpoint,
    AuditEntry,
    AuditHead,
    AuditNode,
    PrivateRecord,
)
from portal.auditlog.signing import LogSigner
from portal.kernel.database import READ_AFTER_LOCK, keep_for_commit
from portal.kernel.errors import ValidationError
from portal.kernel.types import UTCDateTime

HASH_SIZE = 32
SIGNER_INFO = "audit_log.signer"  # Session.info key of the LogSigner that signs checkpoints on read


@dataclass(frozen=True)
class Head:
    log: str
    size: int
    root: bytes
    checkpoint: str


def peaks_blob(hashes: list[bytes]) -> bytes:
    return b"".join(hashes)


def peaks_list(blob: bytes) -> list[bytes]:
    return [blob[i : i + HASH_SIZE] for i in range(0, len(blob), HASH_SIZE)]


# append() and head() use Core statements on the session's connection instead of the ORM: one
# append is five small statements, and the ORM's unit of work, identity map and autoflush made up
# most of an audited write's time (see `scripts/bench audit`). The statements are built once here,
# so SQLAlchemy reuses their cache keys and compiled SQL. The ORM never loads AuditHead, so no
# object in a session's identity map can go stale behind these statements.
_ENTRY, _NODE, _HEAD, _PRIVATE = (AuditEntry.__table__, AuditNode.__table__, AuditHead.__table__,
                                  PrivateRecord.__table__)
_INSERT_ENTRY = insert(_ENTRY)
_INSERT_PRIVATE = insert(_PRIVATE)
_INSERT_NODES = insert(_NODE)
_READ_TIP = select(_HEAD.c.size, _HEAD.c.last_hash, _HEAD.c.peaks).where(_HEAD.c.log == bindparam("log"))
_READ_SIZE = select(_HEAD.c.size).where(_HEAD.c.log == bindparam("log"))
_READ_HEAD = select(_HEAD.c.size, _HEAD.c.root, _HEAD.c.checkpoint).where(_HEAD.c.log == bindparam("log"))
_INSERT_HEAD = insert(_HEAD)
_UPDATE_HEAD = update(_HEAD).where(_HEAD.c.log == bindparam("log_key"))
# The tip an append needs, read by `Database.write` in the round trip of the lock (TIP_AFTER_LOCK).
TIP_AFTER_LOCK = "SELECT size, last_hash, peaks FROM audit_head WHERE log = %s"
# On PostgreSQL an append to an existing log is this one statement (one round trip instead of
# four): the new head, the entry, its private record if any and the Merkle nodes it completes.
# Data-modifying WITH clauses always run to completion, in the one statement's transaction.
# The head changes only if it is still the tip the entry extends (size and last hash); if not,
# the entry's log is NULL and its NOT NULL constraint refuses the whole statement. Under the log's
# lock the tip read after it always matches: the check catches a writer that did not take the
# lock, or built on a tip from elsewhere, before it forks the log.
# Nothing is read from it, so it is sent in the round trip of the COMMIT (`keep_for_commit`);
# written for the driver (%(name)s) since it bypasses SQLAlchemy's binding (the time as the
# entry's column binds it: `_UTC`).
_UTC = UTCDateTime()
APPEND_PG = """
WITH head AS (
    UPDATE audit_head SET size = %(size)s, last_hash = %(hash)s, root = %(root)s, peaks = %(peaks)s,
                          updated_at = %(ts)s
    WHERE log = %(log)s AND size = %(seq)s AND last_hash = %(prev)s
    RETURNING log),
entry AS (
    INSERT INTO audit_entry (log, seq, ts, actor, action, entity, entity_id, version, reason, prev, hash, line)
    VALUES ((SELECT log FROM head), %(seq)s, %(ts)s, %(actor)s, %(action)s, %(entity)s, %(entity_id)s,
            %(version)s, %(reason)s, %(prev)s, %(hash)s, %(line)s)
    RETURNING id),
private AS (
    INSERT INTO private_record (entry_id, salt, personal)
    SELECT entry.id, CAST(%(salt)s AS bytea), %(personal)s FROM entry WHERE CAST(%(salt)s AS bytea) IS NOT NULL)
INSERT INTO audit_node (log, level, idx, hash)
SELECT %(log)s, node.level, node.idx, node.hash
FROM unnest(CAST(%(levels)s AS integer[]), CAST(%(indexes)s AS bigint[]), CAST(%(hashes)s AS bytea[]))
     AS node(level, idx, hash)
"""


def append_parameters(row: dict[str, Any], size: int, root: bytes, peaks: bytes,
                      new_nodes: list[merkle.Node], *, ts: Any, salt: bytes | None,
                      personal: str | None) -> dict[str, Any]:
    """The parameters of `APPEND_PG`: the entry's `row`, the new head (`size`, `root`, `peaks`),
    the Merkle nodes the entry completes, `ts` as its column binds it, the private record if any."""
    return dict(row, ts=ts, salt=salt, personal=personal, size=size, root=root, peaks=peaks,
                levels=[level for level, _, _ in new_nodes], indexes=[index for _, index, _ in new_nodes],
                hashes=[node for _, _, node in new_nodes])


def append(
    session: Session,
    signer: LogSigner,
    *,
    log: str,
    ts: datetime,
    actor: str,
    action: str,
    entity: str,
    entity_id: str,
    version: int | None,
    reason: str | None,
    data: dict[str, Any] | None,
    personal: dict[str, Any] | None,
) -> dict[str, Any]:
    """Appends one entry to `log` in the session's transaction (which must hold the log's
    write lock) and returns the entry with its `hash`.

    The tip (size, last hash, peaks) comes from the read made with the lock when there is one
    (`Database.write(read_after_lock=TIP_AFTER_LOCK)`), else from a SELECT; after the append the
    new tip replaces it, so the next append in the same transaction reads nothing either.
    """
    connection = session.connection()
    known = session.info.get(READ_AFTER_LOCK)
    if known is not None and known[0] == log:
        tip = known[1]
    else:
        tip = connection.execute(_READ_TIP, {"log": log}).first()
    size, prev = (tip[0], tip[1]) if tip else (0, ZERO_HASH)
    salt = new_salt() if personal is not None else None
    private = private_commitment(salt, personal) if personal is not None and salt else None
    entry, line = build_entry(
        log=log, seq=size, ts=ts, actor=actor, action=action, entity=entity,
        entity_id=entity_id, version=version, reason=reason, data=data, private=private, prev=prev,
    )
    personal_line = canonical_bytes(personal).decode("utf-8") if personal is not None and salt else None
    tree = merkle.CompactRange.from_peaks(size, peaks_list(bytes(tip[2])) if tip else [])
    new_nodes = tree.append(merkle.leaf_hash(bytes.fromhex(entry["hash"])))
    root = tree.root()
    peaks = peaks_blob(tree.peak_hashes())
    row = dict(log=log, seq=size, ts=ts, actor=actor, action=action, entity=entity, entity_id=entity_id,
               version=version, reason=reason, prev=prev, hash=entry["hash"], line=line.decode("utf-8"))
    if tip is not None and connection.dialect.name == "postgresql":
        # the stored checkpoint is left as it is: `head` signs the current one when it is read
        keep_for_commit(connection, APPEND_PG, append_parameters(
            row, tree.size, root, peaks, new_nodes, ts=_UTC.process_bind_param(ts, connection.dialect),
            salt=salt, personal=personal_line))
    else:
        inserted = connection.execute(_INSERT_ENTRY, row)
        if personal_line is not None:
            entry_key = inserted.inserted_primary_key
            assert entry_key is not None, "a single-row INSERT returns its primary key"
            connection.execute(_INSERT_PRIVATE, dict(entry_id=entry_key[0], salt=salt, personal=personal_line))
        connection.execute(_INSERT_NODES, [
            dict(log=log, level=level, idx=index, hash=node) for level, index, node in new_nodes])
        new_head = dict(size=tree.size, last_hash=entry["hash"], root=root, peaks=peaks, updated_at=ts)
        if tip is None:  # a new log: its head starts with a signed checkpoint (the column is NOT NULL)
            connection.execute(_INSERT_HEAD, dict(log=log, checkpoint=signer.checkpoint(log, tree.size, root),
                                                  **new_head))
        else:  # the stored checkpoint is left as it is: `head` signs the current one when it is read
            connection.execute(_UPDATE_HEAD, dict(log_key=log, **new_head))
    session.info[READ_AFTER_LOCK] = (log, (tree.size, entry["hash"], peaks))
    return entry


def use_signer(sessions: sessionmaker[Session], signer: LogSigner) -> None:
    """Makes every session of `sessions` able to sign the current checkpoint on read (`head`)."""
    sessions.configure(info={SIGNER_INFO: signer})


def head(session: Session, log: str) -> Head | None:
    """The log's size and root and the signed checkpoint of exactly that size and root."""
    row = session.connection().execute(_READ_HEAD, {"log": log}).first()
    return Head(log, row.size, row.root, _current_checkpoint(session, log, row)) if row else None


def _current_checkpoint(session: Session, log: str, row: Row[int, bytes, str]) -> str:
    """The stored checkpoint if it covers the head, else the head's checkpoint signed now.

    Why appends do not sign: signing (format, Ed25519, base64) was a fixed share of every audited
    write, although most checkpoints were overwritten before anyone read them. Appends store size
    and root in the same transaction as the entry; the first read of a new size signs it (the
    signer keeps the latest note per log in memory), so every reader still gets a checkpoint
    covering the committed head. Ed25519 signatures are deterministic: every process signing the
    same size and root produces the same note.
    """
    stored: str = row.checkpoint
    size: int = row.size
    root: bytes = row.root
    signer: LogSigner | None = session.info.get(SIGNER_INFO)
    if signer is None:
        if _note_covers(stored, size, root):
            return stored
        raise RuntimeError(f"the stored checkpoint of log {log!r} is older than its head, and this "
                           "session has no signer to sign the current one (audit_log.use_signer)")
    if signer.is_checkpoint_of(stored, log, size, root):
        return stored
    return signer.checkpoint(log, size, root)


def _note_covers(signed: str, size: int, root: bytes) -> bool:
    """Whether the checkpoint note `signed` is of tree `size` with `root` (its origin unchecked)."""
    lines = signed.split("\n", 3)
    return len(lines) > 3 and lines[1] == str(size) and lines[2] == base64.b64encode(root).decode("ascii")


def iter_lines(session: Session, log: str, start: int = 0, end: int | None = None) -> Iterator[str]:
    """The canonical lines of entries start ≤ seq < end, in order, streamed in batches."""
    query = select(AuditEntry.line).where(AuditEntry.log == log, AuditEntry.seq >= start)
    if end is not None:
        query = query.where(AuditEntry.seq < end)
    yield from session.scalars(query.order_by(AuditEntry.seq).execution_options(yield_per=2000))


def _node_lookup(session: Session, log: str, keys: set[tuple[int, int]]) -> dict[tuple[int, int], bytes]:
    """Fetches the stored subtree hashes for `keys` in one query.

    Written as an OR of full primary keys: a row-value IN list makes SQLite scan every node of
    the log (measured: ~300 ms at 1M entries), while each equality is one index probe.
    """
    if not keys:
        return {}
    ordered = sorted(keys)
    where = " OR ".join(f"(log = :log AND level = :l{n} AND idx = :i{n})" for n in range(len(ordered)))
    params: dict[str, object] = {"log": log}
    for n, (level, index) in enumerate(ordered):
        params[f"l{n}"], params[f"i{n}"] = level, index
    rows = session.execute(text(f"SELECT level, idx, hash FROM audit_node WHERE {where}"), params)
    return {(level, index): bytes(node) for level, index, node in rows}


def _size_checked(session: Session, log: str, size: int, what: str) -> int:
    current_size = session.connection().execute(_READ_SIZE, {"log": log}).scalar() or 0
    return _within(current_size, size, what)


def _within(current_size: int, size: int, what: str) -> int:
    if size < 0 or size > current_size:
        raise ValidationError({what: say("%(what)s 必须在 0 到 %(current_size)s 之间（日志当前共 %(current_size)s 条）",
                                         what=what, current_size=current_size)})
    return current_size


# On PostgreSQL the nodes are joined from arrays of keys: one statement text whatever the keys
# (prepared once per connection, planned once), where the OR form is a new text, parsed and
# planned per proof. SQLite has no arrays, and probes the OR form's equalities by index.
_SIZE_AND_NODES_PG = text("""
SELECT node.level, node.idx, node.hash
FROM unnest(CAST(:levels AS integer[]), CAST(:indexes AS bigint[])) AS wanted(level, idx)
JOIN audit_node AS node ON node.log = :log AND node.level = wanted.level AND node.idx = wanted.idx
UNION ALL SELECT -1 AS level, size AS idx, NULL AS hash FROM audit_head WHERE log = :log""")


def _size_and_nodes(session: Session, log: str,
                    keys: set[tuple[int, int]]) -> tuple[int, dict[tuple[int, int], bytes]]:
    """The log's size and the stored subtree hashes for `keys`, in one round trip (as
    `_node_lookup`, with the head's size as one more row of level -1)."""
    ordered = sorted(keys)
    connection = session.connection()
    if connection.dialect.name == "postgresql":
        rows = connection.execute(_SIZE_AND_NODES_PG, {
            "log": log, "levels": [level for level, _ in ordered], "indexes": [index for _, index in ordered]})
    else:
        where = " OR ".join(f"(log = :log AND level = :l{n} AND idx = :i{n})" for n in range(len(ordered)))
        params: dict[str, object] = {"log": log}
        for n, (level, index) in enumerate(ordered):
            params[f"l{n}"], params[f"i{n}"] = level, index
        nodes = f"SELECT level, idx, hash FROM audit_node WHERE {where} UNION ALL " if ordered else ""
        rows = connection.execute(text(
            f"{nodes}SELECT -1 AS level, size AS idx, NULL AS hash FROM audit_head WHERE log = :log"), params)
    size, found = 0, {}
    for level, index, node in rows:
        if level == -1:
            size = int(index)
        else:
            found[(level, index)] = bytes(node)
    return size, found


def root_at(session: Session, log: str, size: int) -> bytes:
    """The Merkle root of the first `size` entries."""
    _size_checked(session, log, size, "size")
    nodes = _node_lookup(session, log, set(merkle.peaks(size)))
    return merkle.root_hash(size, lambda level, index: nodes[(level, index)])


def inclusion(session: Session, log: str, index: int, size: int) -> dict[str, Any]:
    """RFC 9162 inclusion proof of entry `index` in the tree of `size` entries.

    One query (the hot path of every phone check): the nodes a proof needs are read with the
    log's size, which is checked after; a size beyond any log asks for no nodes."""
    plausible = 0 <= index < size < 2**62
    keys = merkle.inclusion_nodes(index, size) | set(merkle.peaks(size)) | {(0, index)} if plausible else set()
    current_size, nodes = _size_and_nodes(session, log, keys)
    _within(current_size, size, "size")
    if not 0 <= index < size:
        raise ValidationError({"index": say("index 必须满足 0 ≤ index < size（size=%(size)s）", size=size)})
    lookup = lambda level, idx: nodes[(level, idx)]  # noqa: E731
    return {
        "index": index,
        "size": size,
        "leaf_hash": nodes[(0, index)].hex(),
        "path": [p.hex() for p in merkle.inclusion_proof(index, size, lookup)],
        "root": merkle.root_hash(size, lookup).hex(),
    }


def consistency(session: Session, log: str, old: int, new: int) -> dict[str, Any]:
    """RFC 9162 consistency proof between the trees of `old` and `new` entries."""
    _size_checked(session, log, new, "new")
    if not 0 <= old <= new:
        raise ValidationError({"old": say("old 必须满足 0 ≤ old ≤ new（new=%(new)s）", new=new)})
    keys = merkle.consistency_nodes(old, new) | set(merkle.peaks(old)) | set(merkle.peaks(new))
    nodes = _node_lookup(session, log, keys)
    lookup = lambda level, idx: nodes[(level, idx)]  # noqa: E731
    return {
        "old": old,
        "new": new,
        "path": [p.hex() for p in merkle.consistency_proof(old, new, lookup)],
        "old_root": merkle.root_hash(old, lookup).hex(),
        "new_root": merkle.root_hash(new, lookup).hex(),
    }


def latest_checkpoint(session: Session, log: str) -> str | None:
    """The current signed checkpoint, with co-signatures when a kept one covers the same size."""
    current = head(session, log)
    if current is None:
        return None
    kept = session.scalar(select(AuditCheckpoint.note).where(
        AuditCheckpoint.log == log, AuditCheckpoint.size == current.size))
    return kept or current.checkpoint


def keep_checkpoint(session: Session, log: str, now: datetime) -> AuditCheckpoint:
    """Keeps the current checkpoint (for printing, publishing or co-signing); idempotent per size."""
    current = head(session, log)
    if current is None:
        raise ValidationError({"village": say("该村的日志还没有任何记录")})
    existing = session.scalar(select(AuditCheckpoint).where(
        AuditCheckpoint.log == log, AuditCheckpoint.size == current.size))
    if existing:
        return existing
    kept = AuditCheckpoint(log=log, size=current.size, root=current.root,
                           note=current.checkpoint, created_at=now)
    session.add(kept)
    session.flush()
    return kept


def export(session: Session, log: str, directory: Path, verifier_keys: list[str]) -> int:
    """Writes entries.jsonl, checkpoint and keys for `python -m audit.verify`; returns the size."""
    directory.mkdir(parents=True, exist_ok=True)
    current = head(session, log)
    if current is None:
        raise ValidationError({"village": say("没有名为 %(log)s 的日志", log=log)})
    count = 0
    with open(directory / "entries.jsonl", "wb") as out:
        for line in iter_lines(session, log, 0, current.size):
            out.write(line.encode("utf-8") + b"\n")
            count += 1
    (directory / "checkpoint").write_text(latest_checkpoint(session, log) or "", encoding="utf-8")
    (directory / "keys").write_text("".join(k + "\n" for k in verifier_keys), encoding="ascii")
    return count


def head_state(engine: Engine, log: str) -> tuple[int, bytes] | None:
    """(size, root) of a log in one plain indexed read: the hot path of every conditional GET."""
    with engine.connect() as connection:
        row = connection.execute(text("SELECT size, root FROM audit_head WHERE log = :log"), {"log": log}).first()
    return (int(row[0]), bytes(row[1])) if row else None
