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

from portal.kernel.messages import say
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
            where = say("%(files)s: 文件 %(sha256)s…", files=files[sha256], sha256=sha256[:16])
            try:
                _check_file(report, where, sha256, rows.get(sha256), files_dir)
            except Exception as err:  # a value no portal writes: name the file, keep going
                report.add(say("%(where)s: 核对时出错（%(name)s: %(err)s）",
                               where=where, name=type(err).__name__, err=str(err)))


def _check_file(report: Report, where: str, sha256: str, row: StoredFile | None,
                files_dir: Path | None) -> None:
    if row is None:
        report.add(say("%(where)s在 stored_file 中没有记录（被直接删除或改动？）", where=where))
    if files_dir is None or (row is not None and row.erased_at is not None):
        return  # an erased file (个人信息删除) is gone from the disk on purpose
    path = path_for(files_dir, sha256)
    if not path.is_file():
        report.add(say("%(where)s在磁盘上不存在（被删除？）", where=where))
        return
    digest, size, head = hashlib.sha256(), 0, b""
    with open(path, "rb") as handle:
        while chunk := handle.read(_CHUNK):
            head = head or chunk[:_SNIFF_BYTES]
            digest.update(chunk)
            size += len(chunk)
    if digest.hexdigest() != sha256:
        report.add(say("%(where)s磁盘上的内容与其 SHA-256 不符（被替换或改动？）", where=where))
    if row is not None and row.size != size:
        report.add(say("%(where)s在 stored_file 中记载的大小 %(size)s 与磁盘上的 %(actual)s 字节不一致（被直接修改？）",
                       where=where, size=row.size, actual=size))
    if row is not None and row.media_type != sniff_media_type(head):
        report.add(say("%(where)s在 stored_file 中记载的类型 %(media_type)s 与文件内容不符（被直接修改？）",
                       where=where, media_type=row.media_type))
