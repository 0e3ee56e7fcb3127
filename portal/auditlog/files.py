"""Uploaded files (receipt scans, photos) stored by their SHA-256; the hash goes into the log.

What is accepted: PDF, JPEG and PNG, told by their first bytes (never by the file's name), at
most MAX_FILE_BYTES; images are re-encoded (portal/auditlog/images.py), so the file kept,
served and hashed is the re-encoded one."""
from __future__ import annotations

import hashlib
import os
from datetime import datetime
from pathlib import Path

from sqlalchemy.orm import Session

from portal.auditlog.images import FORMATS as IMAGE_TYPES
from portal.auditlog.images import reencoded
from portal.auditlog.models import StoredFile
from portal.kernel.errors import ValidationError
from portal.kernel.messages import say

MAX_FILE_BYTES = 10 * 1024 * 1024
MEDIA_TYPES = {b"%PDF-": "application/pdf", b"\x89PNG\r\n\x1a\n": "image/png", b"\xff\xd8\xff": "image/jpeg"}


def sniff_media_type(content: bytes) -> str | None:
    """The media type from the file's first bytes (never from its name)."""
    return next((kind for magic, kind in MEDIA_TYPES.items() if content.startswith(magic)), None)


def path_for(files_dir: Path, sha256: str) -> Path:
    return files_dir / sha256[:2] / sha256


def write_once(target: Path, content: bytes) -> None:
    """Writes a content-addressed file unless it is there: through a temporary name and a rename,
    so a reader never sees half a file and two writers of the same content cannot clash."""
    if not target.exists():
        target.parent.mkdir(parents=True, exist_ok=True)
        temporary = target.with_suffix(f".{os.getpid()}.part")
        temporary.write_bytes(content)
        os.replace(temporary, target)


def store_file(session: Session, files_dir: Path, content: bytes, original_name: str, now: datetime,
               field: str = "scan") -> StoredFile:
    """Checks the upload, writes it once under its hash (a retry or duplicate is a no-op) and
    records it; ValidationError on `field` (nothing written) for an empty, too large, corrupt or
    unknown file.

    Written before the transaction commits: if it then rolls back, the file is an unreferenced
    blob that no page shows, which is harmless; the reverse order could lose a committed scan.
    """
    if not content:
        raise ValidationError({field: say("上传的文件是空的")})
    if len(content) > MAX_FILE_BYTES:
        raise ValidationError({field: say("文件不能超过 %(most)s MB（这个有 %(size)s MB）：请调低扫描的分辨率后再上传",
                                          most=MAX_FILE_BYTES // 1024 // 1024, size=f"{len(content) / 1024 / 1024:.1f}")})
    media_type = sniff_media_type(content)
    if media_type is None:
        raise ValidationError({field: say("只能上传 PDF、JPG 或 PNG 文件（按文件内容判断，改文件名没有用）")})
    if media_type in IMAGE_TYPES:
        content = reencoded(content, media_type, field)
    sha256 = hashlib.sha256(content).hexdigest()
    write_once(path_for(files_dir, sha256), content)
    stored = session.get(StoredFile, sha256)
    if stored is None:
        stored = StoredFile(sha256=sha256, size=len(content), media_type=media_type,
                            original_name=(original_name or "scan")[:200], created_at=now)
        session.add(stored)
    return stored
