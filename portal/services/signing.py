"""The portal's Ed25519 checkpoint-signing key, generated into the instance folder on first use."""
from __future__ import annotations

import os
from dataclasses import dataclass
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

    def origin(self, log: str) -> str:
        return f"{self.origin_prefix}/v/{log}"

    def checkpoint(self, log: str, size: int, root: bytes) -> str:
        """The signed checkpoint note for `log` at `size` with Merkle `root`."""
        return note.sign(format_checkpoint(self.origin(log), size, root), [self.signer_key])


def load_or_create_signer(instance_path: str | os.PathLike, key_name: str, origin_prefix: str) -> LogSigner:
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
