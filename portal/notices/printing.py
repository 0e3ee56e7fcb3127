"""A notice (公告) as a printed sheet for the bulletin board."""
from __future__ import annotations

from datetime import date

from flask import Response

from portal.notices import labels as notice_labels
from portal.notices import reads as notice_reads
from portal.publishing.printing import record_response
from portal.publishing.sheets import Checkpoint, latest_change, record_pdf


def notice_pdf(detail: notice_reads.NoticeDetail, as_of: date, page_url: str, checkpoint: Checkpoint) -> bytes:
    """A notice (公告) as an A4 notice: title, category, date, the full text with its line breaks,
    its version and the reason of its latest correction; needs an app context."""
    notice = detail.notice
    return record_pdf(
        "print/notice.html", detail, f"公告 {notice.number}", page_url, checkpoint,
        n=notice, as_of=as_of, category=notice_labels.NOTICE_CATEGORY[notice.category.value],
        changed=latest_change(detail.history))


def notice_response(detail: notice_reads.NoticeDetail, as_of: date) -> Response:
    """/v/<code>/notices/<number>.pdf, rendered once per notice version (and day)."""
    return record_response("notice", "notices.notice", detail, detail.notice, [], as_of,
                            lambda url, cp: notice_pdf(detail, as_of, url, cp))
