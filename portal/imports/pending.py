"""Checked files waiting for their import to be confirmed, kept by SHA-256 in the instance folder.

The confirmation names the file by its digest, and the importer reads these very bytes again:
what is imported is exactly what was checked, never a second upload taken on trust. A file
is kept per village and kind, and for a day at most.
"""
from __future__ import annotations

import hashlib
import os
import re
import tempfile
import time
from pathlib import Path

KEEP_SECONDS = 24 * 3600
_DIGEST = re.compile(r"[0-9a-f]{64}")


def _path(folder: Path, village: str, kind: str, digest: str) -> Path | None:
    if not _DIGEST.fullmatch(digest) or not re.fullmatch(r"[a-z]+", kind):
        return None
    return folder / hashlib.sha256(village.encode()).hexdigest()[:16] / f"{kind}-{digest}"


def keep(folder: Path, village: str, kind: str, data: bytes) -> str:
    """Stores `data` (written whole or not at all) and returns its SHA-256, which names it."""
    digest = hashlib.sha256(data).hexdigest()
    path = _path(folder, village, kind, digest)
    assert path is not None, f"not a kind of import: {kind!r}"
    path.parent.mkdir(parents=True, exist_ok=True)
    _forget_old(folder)
    handle, temporary = tempfile.mkstemp(dir=path.parent, prefix=".upload-")
    with os.fdopen(handle, "wb") as out:
        out.write(data)
    os.replace(temporary, path)
    return digest


def load(folder: Path, village: str, kind: str, digest: str) -> bytes | None:
    """The file of this village and kind with this digest, if it is still kept and intact."""
    path = _path(folder, village, kind, digest)
    if path is None or not path.is_file():
        return None
    data = path.read_bytes()
    return data if hashlib.sha256(data).hexdigest() == digest else None


def discard(folder: Path, village: str, kind: str, digest: str) -> None:
    path = _path(folder, village, kind, digest)
    if path is not None:
        path.unlink(missing_ok=True)


def _forget_old(folder: Path) -> None:
    """Removes files kept longer than KEEP_SECONDS (checked, never confirmed)."""
    limit = time.time() - KEEP_SECONDS
    for path in folder.glob("*/*"):
        try:
            if path.stat().st_mtime < limit:
                path.unlink()
        except FileNotFoundError:  # another worker removed it first
            continue
