"""Ledger pages, no login: 集体资金收支 by year, each entry, each fund's own ledger, vouchers."""
from __future__ import annotations

from flask import Blueprint, Response, render_template

from portal.app import backend
from portal.kernel.history import line_diff
from portal.ledger import labels
from portal.ledger import reads as ledger_reads
from portal.meetings.views import PRIVATE
from portal.publishing.lists import choice_arg, respond
from portal.publishing.scans import send_scan
from portal.reconciliation import reads as reconciliation_reads

bp = Blueprint("ledger", __name__)


@bp.get("/v/<code>/ledger", defaults={"fmt": None})
@bp.get("/v/<code>/ledger.<fmt>")
def ledger(code: str, fmt: str | None) -> Response | str:
    """收入、支出、专项基金和余额, per year: 每一分钱的去向."""
    years = ledger_reads.ledger(backend(), code, backend().today(), None).years
    year = choice_arg("year", tuple(str(y) for y in years))
    book = ledger_reads.ledger(backend(), code, backend().today(), int(year) if year else None)
    if fmt:
        return respond(book.listing, fmt, "public/ledger.html")
    check = reconciliation_reads.reconcile(backend(), code, int(year) if year else None)
    return respond(book.listing, fmt, "public/ledger.html", book=book, years=years, year=year, check=check,
                   categories=labels.CATEGORY, directions=labels.DIRECTION)


@bp.get("/v/<code>/ledger/funds/<number>", defaults={"fmt": None})
@bp.get("/v/<code>/ledger/funds/<number>.<fmt>")
def fund(code: str, number: str, fmt: str | None) -> Response | str:
    detail = ledger_reads.fund_detail(backend(), code, number, backend().today())
    return respond(detail.listing, fmt, "public/fund.html", d=detail, line_diff=line_diff,
                   directions=labels.DIRECTION, sources=labels.FUND_SOURCE)


@bp.get("/v/<code>/ledger/<number>")
def entry(code: str, number: str) -> str:
    detail = ledger_reads.entry_detail(backend(), code, number)
    return render_template("public/ledger_entry.html", d=detail, line_diff=line_diff,
                           value_labels={"direction": labels.DIRECTION, "category": labels.CATEGORY,
                                         "status": labels.LEDGER_STATUS})


@bp.get("/v/<code>/ledger/<number>/voucher")
def voucher(code: str, number: str) -> Response:
    """记账凭证扫描件, by its SHA-256; a person's voucher only for the village's own staff."""
    return send_scan(ledger_reads.voucher_scan(backend(), code, number), number, PRIVATE)
