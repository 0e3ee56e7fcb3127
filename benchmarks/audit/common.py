"""What the parts of the audit benchmark share: the village, the key names, the working paths,
the signing keys, money as a decimal string, and the portal app on a benchmark database."""
from __future__ import annotations

import shutil
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from audit import note

ORIGIN_HOST = "bench.local"
PORTAL_KEY_NAME = "bench.local"
COMMITTEE_KEY_NAME = "dongshan-jiandu"
VILLAGE = {"code": "dongshan", "name": "东山村（基准测试）", "township": "青溪镇", "county": "云水县"}


@dataclass(frozen=True)
class Paths:
    root: Path

    @property
    def export(self) -> Path:
        return self.root / "audit-export"

    @property
    def database(self) -> Path:
        return self.root / "audit-proofs.db"

    @property
    def instance(self) -> Path:
        return self.root / "audit-proofs-instance"

    @property
    def writes(self) -> Path:
        return self.root / "audit-writes"

    def clear(self) -> None:
        """Remove what an earlier run left in a kept --workdir (only the paths this benchmark uses)."""
        for path in (self.export, self.instance, self.writes):
            shutil.rmtree(path, ignore_errors=True)
        for suffix in ("", "-wal", "-shm", "-journal"):
            Path(f"{self.database}{suffix}").unlink(missing_ok=True)
        self.export.mkdir(parents=True)


@dataclass(frozen=True)
class Keys:
    portal: str     # signer key of the portal
    committee: str  # signer key of one supervisory committee member, who co-signs

    @classmethod
    def generate(cls) -> Keys:
        return cls(note.generate_signer(PORTAL_KEY_NAME), note.generate_signer(COMMITTEE_KEY_NAME))

    def verifiers(self) -> list[str]:
        return [note.verifier_from_signer(self.portal), note.verifier_from_signer(self.committee)]


def money(fen: int) -> str:
    return f"{fen // 100}.{fen % 100:02d}"


def bench_app(database: Path, instance: Path, **config: Any) -> Any:
    """The portal app on the SQLite database at `database`, as the proofs and writes parts use it.
    (Imported here, not at the top: generating and verifying a log need no Flask.)"""
    from portal import create_app

    return create_app({"TESTING": True, "DATABASE_URL": f"sqlite:///{database}",
                       "INSTANCE_PATH": str(instance), "SECRET_KEY": "bench",
                       "AUDIT_ORIGIN": ORIGIN_HOST, **config})
