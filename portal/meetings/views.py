"""Meeting pages, no login: 会议纪要, one meeting with its versions, and its minutes' scan."""
from __future__ import annotations

from flask import Blueprint, Response, abort, render_template, send_file
from flask_login import current_user

from portal.accounts.models import Role
from portal.app import backend
from portal.kernel.history import line_diff
from portal.meetings import labels as meeting_labels
from portal.meetings import reads as meeting_reads
from portal.publishing.lists import respond

bp = Blueprint("meetings", __name__)
YEAR = 365 * 24 * 3600
SUFFIXES = {"application/pdf": ".pdf", "image/png": ".png", "image/jpeg": ".jpg"}


@bp.get("/v/<code>/meetings", defaults={"fmt": None})
@bp.get("/v/<code>/meetings.<fmt>")
def meetings(code: str, fmt: str | None) -> Response | str:
    """会议纪要, newest first."""
    listing = meeting_reads.meetings_listing(backend(), code, backend().today())
    return respond(listing, fmt, "public/meetings.html", kinds=meeting_labels.MEETING_KIND)


@bp.get("/v/<code>/meetings/<number>")
def meeting(code: str, number: str) -> str:
    detail = meeting_reads.meeting_detail(backend(), code, number)
    return render_template("public/meeting.html", d=detail, line_diff=line_diff,
                           kinds=meeting_labels.MEETING_KIND, statuses=meeting_labels.MEETING_STATUS)


@bp.get("/v/<code>/meetings/<number>/minutes")
def minutes(code: str, number: str) -> Response:
    """会议记录扫描件, named by its SHA-256."""
    return send_scan(meeting_reads.minutes_scan(backend(), code, number), number)


def send_scan(scan: meeting_reads.StoredScan, name: str) -> Response:
    """A stored scan: public ones cached for a year; private ones (a person's name on a voucher)
    only for the village's own logged-in staff, never cached. PDFs download."""
    if not scan.public and not (current_user.is_authenticated and current_user.role is Role.STAFF
                                and current_user.village_id == scan.village_id):
        abort(403, "这份凭证涉及个人，扫描件含个人信息，只有本村的工作人员（村干部、报账员）登录后可以查看。")
    if not scan.path.exists():
        abort(404, "扫描件文件缺失，请联系村务工作人员")
    response = send_file(scan.path, mimetype=scan.media_type, etag=scan.sha256, conditional=scan.public,
                         max_age=YEAR if scan.public else None, last_modified=None,
                         as_attachment=scan.media_type == "application/pdf",
                         download_name=f"{name}-{scan.sha256[:12]}{SUFFIXES.get(scan.media_type, '')}")
    if not scan.public:
        response.headers["Cache-Control"] = "private, no-store"
    response.headers["X-Content-Type-Options"] = "nosniff"
    return response
