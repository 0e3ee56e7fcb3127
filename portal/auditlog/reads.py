"""Read-only access to a village's log for the HTTP API; each call opens its own session."""
from __future__ import annotations

import hashlib
from collections.abc import Iterator
from typing import Any

from portal.auditlog import store as audit_log
from portal.kernel.errors import NotFound, ValidationError
from portal.kernel.transaction import Backend
from portal.villages.services import get_village


def log_size(backend: Backend, code: str) -> int:
    """The current size of the village's log; NotFound for an unknown village."""
    with backend.db.read() as session:
        if get_village(session, code) is None:
            raise NotFound(f"没有编码为“{code}”的村")
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
        raise ValidationError({"size": f"size 必须在 1 到 {current} 之间（日志当前共 {current} 条）"})
    if index >= size:
        raise ValidationError({"index": f"index 必须小于 size（{size}）"})
    with backend.db.read() as session:
        return audit_log.inclusion(session, code, index, size)


def consistency_proof(backend: Backend, code: str, old: int, new: int) -> dict[str, Any]:
    current = log_size(backend, code)
    if new > current:
        raise ValidationError({"new": f"new 不能大于日志当前的条数 {current}"})
    if old > new:
        raise ValidationError({"old": f"old 不能大于 new（{new}）"})
    with backend.db.read() as session:
        return audit_log.consistency(session, code, old, new)


def proof_bundle(backend: Backend, code: str, seq: int) -> dict[str, Any]:
    """Everything needed to check one entry offline: its line, its inclusion proof against the
    current tree, the signed checkpoint of that tree and the portal's verifier key."""
    size = log_size(backend, code)
    if not 0 <= seq < size:
        raise ValidationError({"seq": f"seq 必须在 0 到 {size - 1} 之间"})
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
            "how_to_check": [
                "entry_hash = SHA-256(entry_line 的 UTF-8 字节)",
                "leaf_hash = SHA-256(0x00 ‖ entry_hash 的 32 字节)",
                "按 RFC 9162 §2.1.3.2 用 inclusion.path 从 leaf_hash 算到根，应等于 inclusion.root",
                "inclusion.root 的 base64 应等于 checkpoint 第三行；checkpoint 的签名用 verifier_keys 核验",
            ],
        }
