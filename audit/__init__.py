"""The village audit log, format v1 (DESIGN.md, "The audit log — format v1").

Canonical entries and their hash chain (`canonical`, `entry`), the RFC 9162 Merkle tree and its
proofs (`merkle`), C2SP signed notes and checkpoints (`note`, `checkpoint`), the committee's
witness cosignatures (`cosignature`, C2SP tlog-cosignature) and the offline
verifier `python -m audit.verify DIR` (`verify`). Standard library only; `cryptography` is needed
for Ed25519 signatures alone. The errors the modules raise are defined here.
"""
from __future__ import annotations


class ProofError(ValueError):
    """A Merkle proof does not verify; the message says what was expected and what was computed."""


class NoteError(ValueError):
    """A signed note, key or checkpoint is malformed, carries a bad signature by a known key, or
    has no signature by a known key."""


class LogError(ValueError):
    """The audit log is defective. `seq` names the first bad entry, or is None when no single
    entry is to blame (a checkpoint of another log, for instance)."""

    def __init__(self, message: str, seq: int | None = None) -> None:
        super().__init__(message)
        self.seq = seq

    def __reduce__(self) -> tuple[type[LogError], tuple[str, int | None]]:
        # With its seq: a verifier run in a worker process names the bad entry all the same.
        return type(self), (str(self), self.seq)
