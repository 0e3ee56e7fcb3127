"""Notice pages, no login: 公告, one notice with its versions, and its printed sheet."""
from __future__ import annotations

from flask import Blueprint, Response, render_template

from portal.app import backend
from portal.kernel.history import line_diff
from portal.notices import labels as notice_labels
from portal.notices import reads as notice_reads
from portal.notices.printing import notice_response
from portal.publishing.lists import choice_arg, respond
from portal.publishing.sanitizer import body_text

bp = Blueprint("notices", __name__)


@bp.get("/v/<code>/notices", defaults={"fmt": None})
@bp.get("/v/<code>/notices.<fmt>")
def notices(code: str, fmt: str | None) -> Response | str:
    """公告, newest first; filter by category."""
    category = choice_arg("category", tuple(notice_labels.NOTICE_CATEGORY))
    listing = notice_reads.notices_listing(backend(), code, backend().today(), category=category)
    return respond(listing, fmt, "public/notices.html", category=category,
                   categories=notice_labels.NOTICE_CATEGORY)


@bp.get("/v/<code>/notices/<number>")
def notice(code: str, number: str) -> str:
    detail = notice_reads.notice_detail(backend(), code, number)
    return render_template("public/notice.html", d=detail, line_diff=_text_line_diff,
                           categories=notice_labels.NOTICE_CATEGORY, statuses=notice_labels.NOTICE_STATUS)


def _text_line_diff(before: object, after: object) -> list[tuple[str, str]]:
    """The changed lines of two bodies, an HTML body compared by its text (a line per paragraph)."""
    return line_diff(body_text(before), body_text(after))


@bp.get("/v/<code>/notices/<number>.pdf")
def notice_pdf(code: str, number: str) -> Response:
    """The notice as a printed sheet for the bulletin board, rendered once per version and day."""
    return notice_response(notice_reads.notice_detail(backend(), code, number), backend().today())
