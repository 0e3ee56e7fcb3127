"""The portal's Ed25519 checkpoint-signing key, generated into the instance folder on first use."""
from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path

from audit import note
from audit.checkpoint import format_checkpoint

KEY_FILE = "audit-signing.key"


@dataclass(frozen=True)
class LogSigner:
    """Signs checkpoints for every village log of this portal under one key name."""

    signer_key: str      # PRIVATE+KEY+<name>+<id>+<base64>
    verifier_key: str    # <name>+<id>+<base64>
    origin_prefix: str   # e.g. "sanzi.example.cn"; a log's origin is "<prefix>/v/<code>"
    # The key parsed once (not per checkpoint) and the latest note signed per log, which readers
    # ask for again and again: Ed25519 signatures are deterministic, so a kept note is exactly what
    # signing again would give.
    _signer: note.Signer = field(init=False, repr=False, compare=False)
    _latest: dict[str, str] = field(init=False, repr=False, compare=False, default_factory=dict)

    def __post_init__(self) -> None:
        object.__setattr__(self, "_signer", note.Signer(self.signer_key))

    def origin(self, log: str) -> str:
        return f"{self.origin_prefix}/v/{log}"

    def checkpoint(self, log: str, size: int, root: bytes) -> str:
        """The signed checkpoint note for `log` at `size` with Merkle `root`."""
        text = format_checkpoint(self.origin(log), size, root)
        cached = self._latest.get(log)
        if cached is not None and cached.startswith(text + "\n"):
            return cached
        signed = self._signer.sign(text)
        self._latest[log] = signed  # one dict assignment: safe without a lock under threads
        return signed

    def is_checkpoint_of(self, signed: str, log: str, size: int, root: bytes) -> bool:
        """Whether the note `signed` is a checkpoint of `log` at exactly `size` and `root`."""
        return signed.startswith(format_checkpoint(self.origin(log), size, root) + "\n")


def load_or_create_signer(instance_path: str | os.PathLike[str], key_name: str, origin_prefix: str) -> LogSigner:
    """Reads `instance/audit-signing.key`, creating it (mode 0600) the first time."""
    path = Path(instance_path) / KEY_FILE
    if path.exists():
        signer_key = path.read_text(encoding="ascii").strip()
    else:
        path.parent.mkdir(parents=True, exist_ok=True)
        signer_key = note.generate_signer(key_name)
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "w", encoding="ascii") as handle:
            handle.write(signer_key + "\n")
    return LogSigner(signer_key, note.verifier_from_signer(signer_key), origin_prefix)
