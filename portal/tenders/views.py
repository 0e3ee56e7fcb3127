"""Tender pages, no login: 招租 (list and downloads) and one tender with every step."""
from __future__ import annotations

from flask import Blueprint, Response, render_template

from portal.app import backend
from portal.publishing.lists import respond
from portal.tenders import labels
from portal.tenders import links as tender_links
from portal.tenders import reads as tender_reads
from portal.tenders.printing import tender_response

bp = Blueprint("tenders", __name__)


@bp.get("/v/<code>/tenders", defaults={"fmt": None})
@bp.get("/v/<code>/tenders.<fmt>")
def tenders(code: str, fmt: str | None) -> Response | str:
    """招租, newest first."""
    listing = tender_reads.tenders_listing(backend(), code, backend().today())
    return respond(listing, fmt, "public/tenders.html")


@bp.get("/v/<code>/tenders/<number>")
def tender(code: str, number: str) -> str:
    detail = tender_reads.tender_detail(backend(), code, number)
    return render_template("public/tender.html", d=detail, labels=labels,
                           contracts=tender_links.contracts_of_tender(backend(), code, number))


@bp.get("/v/<code>/tenders/<number>.pdf")
def tender_pdf(code: str, number: str) -> Response:
    """The tender as a printed sheet for the bulletin board, rendered once per version and day."""
    return tender_response(tender_reads.tender_detail(backend(), code, number), backend().today())

from portal.tenders import desk as _desk  # noqa: E402,F401  (the staff's live bidding pages, on this blueprint)
