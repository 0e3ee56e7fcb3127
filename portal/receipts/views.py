"""Receipt pages, no login: 收益凭证 per year and per contract, and each receipt's scan."""
from __future__ import annotations

from flask import Blueprint, Response, render_template

from portal.app import backend
from portal.ledger import reads as ledger_reads
from portal.publishing.lists import choice_arg, respond, text_arg
from portal.publishing.scans import send_scan
from portal.receipts import labels as receipt_labels
from portal.receipts import reads as receipt_reads

bp = Blueprint("receipts", __name__)


@bp.get("/v/<code>/receipts", defaults={"fmt": None})
@bp.get("/v/<code>/receipts.<fmt>")
def receipts(code: str, fmt: str | None) -> Response | str:
    """收益凭证 per year and per contract."""
    years = receipt_reads.receipt_years(backend(), code)
    year = choice_arg("year", tuple(str(y) for y in years))
    contract = text_arg("contract", 40)
    listing = receipt_reads.receipts_listing(backend(), code, backend().today(), year=int(year) if year else None,
                                             contract=contract)
    return respond(listing, fmt, "public/receipts.html", years=years, year=year, contract=contract)


@bp.get("/v/<code>/receipts/<number>")
def receipt(code: str, number: str) -> str:
    """One receipt: amount, date, payer (masked), its contract, its corrections and withdrawal
    with their reasons, and the check of its latest version against the signed log."""
    detail = receipt_reads.receipt_detail(backend(), code, number)
    booked = ledger_reads.booking_of_receipt(backend(), code, number)
    return render_template("public/receipt.html", d=detail, statuses=receipt_labels.RECEIPT_STATUS, booked=booked)


@bp.get("/v/<code>/receipts/<number>/scan")
def receipt_scan(code: str, number: str) -> Response:
    """收据扫描件, served by its SHA-256 (so it can never change under the same address). A scan
    of a payment by a person shows their name: only the village's own staff (村干部、报账员)
    logged in may open it — not committee members, not other villages — and no cache keeps it.
    A company's scan is public and cached for a year. PDFs download, never open in the page."""
    return send_scan(receipt_reads.receipt_scan(backend(), code, number), number,
                     "这张收据的交款人是个人，扫描件含个人信息，只有本村的工作人员（村干部、报账员）登录后可以查看。")
