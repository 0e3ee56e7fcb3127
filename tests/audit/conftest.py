"""Fixtures for the audit package: signer keys and exported log directories, built with audit/ alone
(no portal, no database)."""
import hashlib
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from audit import merkle, note
from audit.checkpoint import format_checkpoint
from audit.entry import ZERO_HASH, build_entry

LOG = "330102001"
ORIGIN = f"sanzi.example.cn/v/{LOG}"
START = datetime(2024, 3, 1, 8, 30, tzinfo=UTC)


def log_lines(count: int, log: str = LOG) -> list[bytes]:
    """Return the canonical lines of a valid log of `count` entries."""
    lines, prev = [], ZERO_HASH
    for seq in range(count):
        entry, line = build_entry(
            log=log, seq=seq, ts=START + timedelta(minutes=seq), actor="staff:1",
            action="contract.create" if seq % 3 else "contract.correct", entity="contract",
            entity_id=f"C-{seq}", version=1 + seq % 3, reason=None if seq % 3 else "面积录入有误",
            data={"lessee": "张*华", "area_mu": "12.50", "rent_fen": 500 * seq}, private=None, prev=prev)
        lines.append(line)
        prev = entry["hash"]
    return lines


def root_of(lines: list[bytes]) -> bytes:
    """Return the Merkle root over the entry hashes of `lines`."""
    return merkle.root_from_leaf_hashes(merkle.leaf_hash(hashlib.sha256(line).digest())
                                        for line in lines)


@dataclass
class LogDir:
    """An exported log directory and the keys that signed it."""

    path: Path
    lines: list[bytes]
    portal: str  # signer key
    committee: list[str]  # signer keys

    def write_lines(self, lines: list[bytes]) -> None:
        (self.path / "entries.jsonl").write_bytes(b"".join(line + b"\n" for line in lines))

    def write_checkpoint(self, *, size: int | None = None, root: bytes | None = None,
                         origin: str = ORIGIN, signers: list[str] | None = None) -> None:
        """Sign a checkpoint (by default of all lines, by the portal) into the directory."""
        text = format_checkpoint(origin, len(self.lines) if size is None else size,
                                 root_of(self.lines) if root is None else root)
        (self.path / "checkpoint").write_text(note.sign(text, signers or [self.portal]),
                                              encoding="utf-8")


@pytest.fixture(scope="session")
def signers() -> dict[str, str]:
    """Signer keys of the portal, two committee members and an outsider."""
    return {name: note.generate_signer(name) for name in ("sanzi.example.cn", "alice", "bob", "mallory")}


@pytest.fixture
def make_log_dir(tmp_path: Path, signers: dict[str, str]) -> Callable[..., LogDir]:
    """Return a factory writing a valid exported log of `count` entries, co-signed by alice."""
    def make(count: int = 10) -> LogDir:
        committee = [signers["alice"], signers["bob"]]
        log_dir = LogDir(tmp_path, log_lines(count), signers["sanzi.example.cn"], committee)
        log_dir.write_lines(log_dir.lines)
        log_dir.write_checkpoint(signers=[log_dir.portal, signers["alice"]])
        keys = [note.verifier_from_signer(key) for key in [log_dir.portal, *committee]]
        (tmp_path / "keys").write_text("".join(key + "\n" for key in keys), encoding="utf-8")
        return log_dir
    return make
