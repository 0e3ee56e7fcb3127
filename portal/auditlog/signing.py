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


def load_or_create_signer(instance_path: str | os.PathLike[str], key_name: str, origin_prefix: str,
                          key_file: str | os.PathLike[str] | None = None, *, create: bool = True) -> LogSigner:
    """Reads the signing key (`key_file`, by default `instance/audit-signing.key`), creating it
    (mode 0600) the first time unless `create` is False (production: a key made on the fly by a
    fresh container would sign checkpoints nobody's printed fingerprint matches)."""
    path = Path(key_file) if key_file else Path(instance_path) / KEY_FILE
    if path.exists() or not create:
        signer_key = path.read_text(encoding="ascii").strip()
    else:
        signer_key = write_new_key(path, key_name)
    return LogSigner(signer_key, note.verifier_from_signer(signer_key), origin_prefix)


def write_new_key(path: Path, key_name: str) -> str:
    """Generates a signing key into `path` (which must not exist), readable by its owner only."""
    path.parent.mkdir(parents=True, exist_ok=True)
    signer_key = note.generate_signer(key_name)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "w", encoding="ascii") as handle:
        handle.write(signer_key + "\n")
    return signer_key


def main(argv: list[str] | None = None) -> int:
    """`python -m portal.auditlog.signing new FILE [NAME]`: a new key for a production portal,
    made once, before the first start, by whoever keeps it (README, 密钥保管)."""
    import sys

    args = sys.argv[1:] if argv is None else argv
    if len(args) not in (2, 3) or args[0] != "new":
        print("usage: python -m portal.auditlog.signing new FILE [KEY_NAME]", file=sys.stderr)
        return 2
    path = Path(args[1])
    if path.exists():
        print(f"{path} exists: a signing key is never overwritten", file=sys.stderr)
        return 1
    signer_key = write_new_key(path, args[2] if len(args) == 3 else "sanzi-portal")
    print(note.verifier_from_signer(signer_key))  # the public verifier key, to print and publish
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
