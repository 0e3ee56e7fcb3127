"""Files attached to a draft, kept by SHA-256 until the draft is published or dropped.

They go to the domain's service only at publication, which checks and stores them for the log;
here they are only size-checked, so an upload is not lost while the draft is being written.
"""
from __future__ import annotations

import hashlib
from pathlib import Path

from portal.auditlog.files import MAX_FILE_BYTES, sniff_media_type, write_once
from portal.kernel.errors import ValidationError
from portal.kernel.messages import say

DRAFT_FILES = "drafts"


def keep(files_dir: Path, field: str, content: bytes) -> str:
    """Stores an uploaded file for a draft; its SHA-256 names it."""
    if not content:
        raise ValidationError({field: say("上传的文件是空的")})
    if len(content) > MAX_FILE_BYTES:
        raise ValidationError({field: say("文件不能超过 %(most)s MB", most=MAX_FILE_BYTES // 1024 // 1024)})
    if sniff_media_type(content) is None:
        raise ValidationError({field: say("只能上传 PDF、JPG 或 PNG 文件")})
    return store(files_dir, content)


def store(files_dir: Path, content: bytes) -> str:
    """Keeps `content` by its SHA-256, unchecked: for a file its domain has read and checked
    whole (a ledger spreadsheet), which a draft publishes from."""
    sha256 = hashlib.sha256(content).hexdigest()
    write_once(_path(files_dir, sha256), content)
    return sha256


def read(files_dir: Path, sha256: str) -> bytes:
    if len(sha256) != 64 or not all(c in "0123456789abcdef" for c in sha256):
        raise ValidationError({"file": say("附件的编号无效")})
    path = _path(files_dir, sha256)
    if not path.exists():
        raise ValidationError({"file": say("草稿的附件已不在，请重新上传")})
    return path.read_bytes()


def _path(files_dir: Path, sha256: str) -> Path:
    return files_dir / DRAFT_FILES / sha256[:2] / sha256


def media_type(files_dir: Path, sha256: str) -> str | None:
    """The media type of a kept file, from its first bytes; None when it is gone."""
    try:
        with _path(files_dir, sha256).open("rb") as handle:
            return sniff_media_type(handle.read(16))
    except (OSError, ValueError):
        return None
