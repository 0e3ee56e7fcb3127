"""Meeting pages, no login: 会议纪要, one meeting with its versions, and its minutes' scan."""
from __future__ import annotations

from flask import Blueprint, Response, render_template

from portal.app import backend
from portal.kernel.history import line_diff
from portal.meetings import labels as meeting_labels
from portal.meetings import reads as meeting_reads
from portal.publishing.lists import respond
from portal.publishing.scans import send_scan

bp = Blueprint("meetings", __name__)
# A voucher of a payment to a person shows their name (minutes are always public).
PRIVATE = "这份凭证涉及个人，扫描件含个人信息，只有本村的工作人员（村干部、报账员）登录后可以查看。"


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
    return send_scan(meeting_reads.minutes_scan(backend(), code, number), number, PRIVATE)
