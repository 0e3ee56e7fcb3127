"""Audit entries and their hash chain (DESIGN.md, "The audit log — format v1").

An entry is a JSON object with every key of ENTRY_KEYS. Its line is the canonical bytes of the
entry without `hash`; `hash` is the hex SHA-256 of that line, and `prev` is the `hash` of the
entry before (ZERO_HASH for seq 0). Personal data stays out of the log: `private` commits to it
as SHA-256(salt ‖ canonical bytes), with a random salt kept privately.
"""
import hashlib
import re
import secrets
from collections.abc import Mapping
from datetime import UTC, datetime
from typing import Any

from audit.canonical import canonical_bytes

ENTRY_KEYS = ("v", "log", "seq", "ts", "actor", "action", "entity", "entity_id", "version",
              "reason", "data", "private", "prev", "hash")
LINE_KEYS = frozenset(ENTRY_KEYS) - {"hash"}
ZERO_HASH = "0" * 64

_TS = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}\.[0-9]{6}Z")


def format_ts(dt: datetime) -> str:
    """Return `dt` in UTC as RFC 3339 with six fraction digits and Z (2024-05-01T08:30:00.000000Z).

    Raises ValueError for a naive datetime, whose instant is unknown.
    """
    if dt.utcoffset() is None:
        raise ValueError(f"naive datetime {dt!r}: give a timezone-aware one")
    return dt.astimezone(UTC).replace(tzinfo=None).isoformat(timespec="microseconds") + "Z"


def parse_ts(ts: str) -> datetime:
    """Return the aware UTC datetime of a `ts` written by format_ts.

    Raises ValueError for any other form or an impossible date, TypeError if `ts` is not a str.
    """
    if not _TS.fullmatch(ts):
        raise ValueError(f"ts {ts!r} is not UTC RFC 3339 with six fraction digits and Z")
    return datetime.fromisoformat(ts)


def entry_defect(entry: Any) -> str | None:
    """Say what is wrong with the shape of an entry given without its hash, or return None.

    Checks the keys, v, and the types of seq, log, prev and ts; not the links between entries.
    """
    if not isinstance(entry, dict):
        return "an entry must be a JSON object"
    if entry.keys() != LINE_KEYS:
        missing, unexpected = sorted(LINE_KEYS - entry.keys()), sorted(entry.keys() - LINE_KEYS)
        return f"wrong keys: missing {missing}, unexpected {unexpected}"
    v, seq, log, prev = entry["v"], entry["seq"], entry["log"], entry["prev"]
    if type(v) is not int or v != 1:
        return f"v must be 1, not {v!r}"
    if type(seq) is not int or seq < 0:
        return f"seq must be a non-negative integer, not {seq!r}"
    if type(log) is not str or not log:
        return f"log must be a non-empty string, not {log!r}"
    if type(prev) is not str or len(prev) != 64:
        return f"prev must be 64 hex digits, not {prev!r}"
    try:
        parse_ts(entry["ts"])
    except (TypeError, ValueError):
        return f"ts must be UTC RFC 3339 with six fraction digits and Z, not {entry['ts']!r}"
    return None


def entry_line(entry: Mapping[str, Any]) -> bytes:
    """Return the canonical line of an entry given without its `hash`.

    Raises ValueError if a key is missing or unexpected, v is not 1 or seq, log, prev or ts is
    malformed; TypeError for a float anywhere.
    """
    defect = entry_defect(dict(entry))
    if defect:
        raise ValueError(defect)
    return canonical_bytes(entry)


def entry_hash(line: bytes) -> str:
    """Return the entry's `hash`: the hex SHA-256 of its line."""
    return hashlib.sha256(line).hexdigest()


def build_entry(*, log: str, seq: int, ts: datetime, actor: str | None, action: str, entity: str,
                entity_id: str, version: int | None, reason: str | None, data: Any,
                private: str | None, prev: str) -> tuple[dict[str, Any], bytes]:
    """Return the full entry, `hash` included, and its canonical line (the bytes to store/export).

    Raises ValueError for a naive `ts` or a malformed field, TypeError for a float in `data`.
    """
    entry = {"v": 1, "log": log, "seq": seq, "ts": format_ts(ts), "actor": actor, "action": action,
             "entity": entity, "entity_id": entity_id, "version": version, "reason": reason,
             "data": data, "private": private, "prev": prev}
    line = entry_line(entry)
    return {**entry, "hash": entry_hash(line)}, line


def private_commitment(salt: bytes, personal: Any) -> str:
    """Return the `private` commitment: hex SHA-256(salt ‖ canonical bytes of the personal data).

    Raises TypeError for a float in `personal`.
    """
    return hashlib.sha256(salt + canonical_bytes(personal)).hexdigest()


def new_salt() -> bytes:
    """Return 32 random bytes to salt one record's personal-data commitment."""
    return secrets.token_bytes(32)
