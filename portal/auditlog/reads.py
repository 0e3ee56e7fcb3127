"""Read-only access to a village's log for the HTTP API; each call opens its own session."""
from __future__ import annotations

import base64
import binascii
import functools
import hashlib
import io
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from audit.note import key_fingerprint

from portal.auditlog import store as audit_log
from portal.kernel.errors import NotFound, ValidationError
from portal.kernel.messages import say
from portal.kernel.transaction import Backend
from portal.villages.services import get_village


def log_size(backend: Backend, code: str) -> int:
    """The current size of the village's log; NotFound for an unknown village."""
    with backend.db.read() as session:
        if get_village(session, code) is None:
            raise NotFound(say("没有编码为“%(code)s”的村", code=code))
        current = audit_log.head(session, code)
        return current.size if current else 0


def checkpoint_text(backend: Backend, code: str) -> str:
    log_size(backend, code)
    with backend.db.read() as session:
        return audit_log.latest_checkpoint(session, code) or ""


def entry_lines(backend: Backend, code: str, start: int, end: int) -> Iterator[bytes]:
    """Lines start ≤ seq < end exactly as hashed, newline-terminated."""
    with backend.db.read() as session:
        for line in audit_log.iter_lines(session, code, start, end):
            yield line.encode("utf-8") + b"\n"


def inclusion_proof(backend: Backend, code: str, index: int, size: int) -> dict[str, Any]:
    current = log_size(backend, code)
    if not 1 <= size <= current:
        raise ValidationError({"size": say("size 必须在 1 到 %(current)s 之间（日志当前共 %(current)s 条）", current=current)})
    if index >= size:
        raise ValidationError({"index": say("index 必须小于 size（%(size)s）", size=size)})
    with backend.db.read() as session:
        return audit_log.inclusion(session, code, index, size)


def consistency_proof(backend: Backend, code: str, old: int, new: int) -> dict[str, Any]:
    current = log_size(backend, code)
    if new > current:
        raise ValidationError({"new": say("new 不能大于日志当前的条数 %(current)s", current=current)})
    if old > new:
        raise ValidationError({"old": say("old 不能大于 new（%(new)s）", new=new)})
    with backend.db.read() as session:
        return audit_log.consistency(session, code, old, new)


def proof_bundle(backend: Backend, code: str, seq: int) -> dict[str, Any]:
    """Everything needed to check one entry offline: its line, its inclusion proof against the
    current tree, the signed checkpoint of that tree and the portal's verifier key."""
    size = log_size(backend, code)
    if not 0 <= seq < size:
        raise ValidationError({"seq": say("seq 必须在 0 到 %(size)s 之间", size=size - 1)})
    with backend.db.read() as session:
        line = next(audit_log.iter_lines(session, code, seq, seq + 1))
        return {
            "format": "sanzi-proof-bundle/1",
            "log": code,
            "seq": seq,
            "entry_line": line,
            "entry_hash": hashlib.sha256(line.encode("utf-8")).hexdigest(),
            "inclusion": audit_log.inclusion(session, code, seq, size),
            "checkpoint": audit_log.latest_checkpoint(session, code),
            "verifier_keys": [backend.signer.verifier_key],
            "committee_keys": committee_keys(backend, code),
            "how_to_check": [
                "entry_hash = SHA-256(entry_line 的 UTF-8 字节)",
                "leaf_hash = SHA-256(0x00 ‖ entry_hash 的 32 字节)",
                "按 RFC 9162 §2.1.3.2 用 inclusion.path 从 leaf_hash 算到根，应等于 inclusion.root",
                "inclusion.root 的 base64 应等于 checkpoint 第三行；checkpoint 的签名用 verifier_keys 核验",
                "监委会联署（C2SP tlog-cosignature v1）用 committee_keys 核验",
            ],
        }


def verifier_keys(backend: Backend, code: str) -> list[str]:
    """The verifier keys of the village's checkpoints, the portal's first (as `audit export`
    writes the keys file); NotFound for an unknown village."""
    from portal.witnessing.reads import committee_vkeys

    log_size(backend, code)
    with backend.db.read() as session:
        return [backend.signer.verifier_key, *committee_vkeys(session, code)]


def committee_keys(backend: Backend, code: str) -> list[dict[str, Any]]:
    """The village's active committee keys with what a page says of them (role, number,
    fingerprint), for the in-browser check of the cosignatures."""
    from portal.witnessing.reads import keys_of

    with backend.db.read() as session:
        return [{"key": k.verifier_key, "number": k.number, "role": "监委会成员", "fingerprint": k.fingerprint}
                for k in keys_of(session, code, active_only=True)]


def portal_key_fingerprint(backend: Backend) -> str:
    """The fingerprint of the portal's key, as paper and pages print it."""
    return key_fingerprint(backend.signer.verifier_key)


@dataclass(frozen=True)
class PaperCheck:
    """The answer to "is today's log consistent with the size and root printed on this notice?"

    `consistent` is None when the typed values could not be read (see `problem`)."""

    size: int
    root_b64: str
    current_size: int
    current_root_b64: str
    consistent: bool | None
    problem: str = ""
    logged_root_b64: str = ""  # the log's own root at `size`, when it has one


def parse_root(text: str) -> bytes | None:
    """A root as printed (the checkpoint's base64, spaces and line breaks allowed), or None."""
    cleaned = "".join(text.split())
    try:
        root = base64.b64decode(cleaned, validate=True)
    except (binascii.Error, ValueError):
        return None
    return root if len(root) == 32 else None


def paper_check(backend: Backend, code: str, size: int, root: bytes) -> PaperCheck:
    """Compares a printed (size, root) with today's log by an RFC 9162 consistency proof, which is
    verified here too: the log's root at `size` must be the printed one, and today's tree must
    extend it."""
    from audit import ProofError
    from audit.merkle import verify_consistency

    current = log_size(backend, code)
    with backend.db.read() as session:
        head = audit_log.head(session, code)
        current_root = head.root if head else b""
        typed = base64.b64encode(root).decode("ascii")
        now = base64.b64encode(current_root).decode("ascii")
        if size > current:
            return PaperCheck(size, typed, current, now, False, "shorter")
        proof = audit_log.consistency(session, code, size, current)
    logged = bytes.fromhex(proof["old_root"])
    try:
        verify_consistency(size, current, root, current_root, [bytes.fromhex(p) for p in proof["path"]])
    except ProofError:
        return PaperCheck(size, typed, current, now, False, "rewritten",
                          base64.b64encode(logged).decode("ascii"))
    return PaperCheck(size, typed, current, now, True)


@functools.cache
def verifier_source_zip() -> bytes:
    """audit/*.py zipped under `audit/`, with fixed timestamps so the bytes (and their hash)
    are the same on every server running the same code."""
    import audit

    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for source in sorted(Path(audit.__file__).parent.glob("*.py")):
            info = zipfile.ZipInfo(f"audit/{source.name}", date_time=(2026, 1, 1, 0, 0, 0))
            info.compress_type = zipfile.ZIP_DEFLATED
            archive.writestr(info, source.read_bytes())
    return buffer.getvalue()
