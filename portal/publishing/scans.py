"""Stored files (scans, photos) served by the SHA-256 the log names, so a file can never change
under the same address: public ones cached for a year, private ones (a person's name or ID number
on them) only for the village's own logged-in staff and never cached; PDFs download."""
from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from flask import Response, abort, send_file
from flask_login import current_user

from portal.accounts.models import Role
from portal.auditlog.files import path_for
from portal.auditlog.models import StoredFile
from portal.kernel.errors import NotFound
from portal.kernel.messages import say
from portal.kernel.transaction import Backend

YEAR = 365 * 24 * 3600
SUFFIXES = {"application/pdf": ".pdf", "image/png": ".png", "image/jpeg": ".jpg"}


@dataclass(frozen=True)
class StoredScan:
    """A stored file shown by a page: where it is, its type and hash, and who may see it."""

    path: Path
    media_type: str
    sha256: str
    public: bool
    village_id: int
    erased: bool = False


def stored_scan(backend: Backend, village_id: int, sha256: str | None, public: bool, what: str) -> StoredScan:
    """The stored file `sha256` of a record (`what` names it in the 404 when it has none)."""
    if sha256 is None:
        raise NotFound(say("%(what)s没有扫描件", what=what))
    with backend.db.read() as session:
        stored = session.get(StoredFile, sha256)
        media_type = stored.media_type if stored else "application/octet-stream"
        erased = stored is not None and stored.erased_at is not None
    return StoredScan(path_for(backend.files_dir, sha256), media_type, sha256, public, village_id, erased)


def send_scan(scan: StoredScan, name: str, refused: str) -> Response:
    """The file as a response; 403 with `refused` (why, in Chinese) when it is private and the
    reader is not the village's own staff, 404 when the file is gone from disk."""
    if not scan.public and not (current_user.is_authenticated and current_user.role is Role.STAFF
                                and current_user.village_id == scan.village_id):
        abort(403, refused)
    if scan.erased:
        abort(410, say("这份扫描件已按本人申请删除个人信息时一并删除"))
    if not scan.path.exists():
        abort(404, say("扫描件文件缺失，请联系村务工作人员"))
    response = send_file(scan.path, mimetype=scan.media_type, etag=scan.sha256, conditional=scan.public,
                         max_age=YEAR if scan.public else None, last_modified=None,
                         as_attachment=scan.media_type == "application/pdf",
                         download_name=f"{name}-{scan.sha256[:12]}{SUFFIXES.get(scan.media_type, '')}")
    if not scan.public:
        response.headers["Cache-Control"] = "private, no-store"
    response.headers["X-Content-Type-Options"] = "nosniff"
    return response
