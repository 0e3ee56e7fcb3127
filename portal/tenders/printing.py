"""A tender (招租) as a printed sheet for the bulletin board: the notice, bidders, bidding, award."""
from __future__ import annotations

from datetime import date

from flask import Response

from portal.publishing.printing import record_response
from portal.publishing.sheets import Checkpoint, latest_change, record_pdf
from portal.tenders import labels
from portal.tenders.reads import TenderDetail


def tender_pdf(detail: TenderDetail, as_of: date, page_url: str, checkpoint: Checkpoint) -> bytes:
    """The tender as an A4 sheet with the QR code of its page and the log checkpoint; needs an app context."""
    tender = detail.tender
    return record_pdf("print/tender.html", detail, f"招租 {tender.number}", page_url, checkpoint,
                      t=tender, as_of=as_of, labels=labels, changed=latest_change(detail.history))


def tender_response(detail: TenderDetail, as_of: date) -> Response:
    """/v/<code>/tenders/<number>.pdf, rendered once per tender version (and day)."""
    return record_response("tender", "tenders.tender", detail, detail.tender, [], as_of,
                           lambda url, cp: tender_pdf(detail, as_of, url, cp))
