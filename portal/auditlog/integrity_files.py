"""`audit verify`, the files a log names by SHA-256 (receipt scans): row and bytes on disk.

Each must have its `stored_file` row, and the file under its hash must hash to it; the row's
size and media type (served with the file) must be those of the bytes. A file erased at its
person's request (`erased_at`, portal/privacy) keeps its row; its bytes are gone.
"""
from __future__ import annotations

import hashlib
import re
from pathlib import Path
from typing import TYPE_CHECKING

from sqlalchemy import select
from sqlalchemy.orm import Session

from portal.auditlog.models import StoredFile
from portal.auditlog.files import path_for, sniff_media_type

if TYPE_CHECKING:
    from portal.auditlog.integrity import Report

BATCH = 500
_CHUNK = 1 << 20
_SNIFF_BYTES = 16
_SHA256 = re.compile(r"[0-9a-f]{64}")


def check_files(session: Session, report: Report, files: dict[str, str], files_dir: Path | None) -> None:
    """Checks every file in `files` (SHA-256 → the entry naming it); the disk too unless
    `files_dir` is None."""
    hashes = sorted(files)
    for start in range(0, len(hashes), BATCH):
        batch = hashes[start:start + BATCH]
        rows = {row.sha256: row for row in session.scalars(select(StoredFile).where(StoredFile.sha256.in_(batch)))}
        for sha256 in batch:
            where = f"{files[sha256]}: 文件 {sha256[:16]}…"
            try:
                _check_file(report, where, sha256, rows.get(sha256), files_dir)
            except Exception as err:  # a value no portal writes: name the file, keep going
                report.add(f"{where}: 核对时出错（{type(err).__name__}: {err}）")


def _check_file(report: Report, where: str, sha256: str, row: StoredFile | None,
                files_dir: Path | None) -> None:
    if row is None:
        report.add(f"{where}在 stored_file 中没有记录（被直接删除或改动？）")
    if files_dir is None or (row is not None and row.erased_at is not None):
        return  # an erased file (个人信息删除) is gone from the disk on purpose
    path = path_for(files_dir, sha256)
    if not path.is_file():
        report.add(f"{where}在磁盘上不存在（被删除？）")
        return
    digest, size, head = hashlib.sha256(), 0, b""
    with open(path, "rb") as handle:
        while chunk := handle.read(_CHUNK):
            head = head or chunk[:_SNIFF_BYTES]
            digest.update(chunk)
            size += len(chunk)
    if digest.hexdigest() != sha256:
        report.add(f"{where}磁盘上的内容与其 SHA-256 不符（被替换或改动？）")
    if row is not None and row.size != size:
        report.add(f"{where}在 stored_file 中记载的大小 {row.size} 与磁盘上的 {size} 字节不一致（被直接修改？）")
    if row is not None and row.media_type != sniff_media_type(head):
        report.add(f"{where}在 stored_file 中记载的类型 {row.media_type} 与文件内容不符（被直接修改？）")
