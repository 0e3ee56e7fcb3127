"""Payout slips (分红发放单): one per household, with its full line and private check code."""
from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

from flask import Response, render_template, request

from portal.dividends.labels import PAYOUT
from portal.dividends.reads import PlanDetail, Slip
from portal.kernel.money import amount_in_words
from portal.publishing import pdf
from portal.publishing.pdf_cache import pdf_cache
from portal.publishing.listings import Listing
from portal.publishing.printing import is_demo_village, pdf_response
from portal.publishing.sheets import css_string, money_with_words, now_checkpoint, sign_off, witness
from portal.publishing.text_table import Column, TextTable, text_table
from portal.publishing.urls import public_url
from portal.villages.models import Village


def slips_pdf(village: Village, plan: dict[str, Any], slips: list[Slip]) -> bytes:
    """A4 sheets of slips, cut apart and handed to each household; needs an app context."""
    from decimal import Decimal

    html = render_template("print/dividend_slips.html", village=village, plan=plan, slips=slips,
                           words={s.household: amount_in_words(Decimal(s.amount)) for s in slips},
                           check_url=public_url(f"/v/{village.code}/dividends/check"),
                           list_url=public_url(f"/v/{village.code}/dividends/{plan['year']}"),
                           running_head=css_string(f"{village.name} · {plan['year']}年度分红发放单"))
    return pdf.render_pdf(html)


# Raise when the printed list's layout changes, so cached PDFs of the old layout are not served.
LIST_LAYOUT = 4

LINE_COLUMNS = (Column("序号", 10, right=True), Column("户号", 18), Column("户主", 18), Column("股数", 12, right=True),
                Column("分红金额（元）", 20, right=True), Column("发放", 22))


def list_lines(listing: Listing) -> TextTable:
    """The list's lines as ruled text: 序号, 户号, 户主 (masked), 股数, 金额 (with thousands
    separators, as everywhere else), 发放 and its date."""
    rows = [(str(r["position"]), str(r["household"]), str(r["head"]), str(r["shares"]), f"{Decimal(r['amount']):,.2f}",
             PAYOUT.get(r["payout"], str(r["payout"])) + (f" {r['paid_on']}" if r.get("paid_on") else "")) for r in listing.rows]
    return text_table(LINE_COLUMNS, rows)


def list_pdf(detail: PlanDetail, page_url: str, demo: bool) -> bytes:
    """The year's list for the bulletin board: plan, method, every household (heads masked), the
    sum in 大写, and the QR and log checkpoint. The lines are ruled text, not table cells
    (portal/publishing/text_table.py): a 500-line list took 3.8 s of CPU as a table of cells
    and takes under 1 s so."""
    listing = detail.listing
    html = render_template(
        "print/dividend_list.html", listing=listing, plan=detail.plan, meeting=detail.meeting, lines=list_lines(listing),
        demo=demo, total_words=money_with_words(detail.plan["total"]),
        sum_words=money_with_words(listing.totals["amount"] if listing.totals else "0"),
        running_head=css_string(f"{listing.village_name} · {listing.title}"),
        signoff=sign_off(listing.village_code, listing.village_name, date.fromisoformat(detail.plan["publicity_from"]),
                         date.fromisoformat(detail.plan["publicity_until"])),
        witness=witness(page_url, now_checkpoint(listing.log_size, listing.log_root_hex)))
    return pdf.render_pdf(html)


def list_response(detail: PlanDetail) -> Response:
    """/v/<code>/dividends/<year>.pdf, rendered once per log state and day (the PDF cache)."""
    listing = detail.listing
    page_url = public_url(request.path.removesuffix(".pdf"))
    key = ("dividends", LIST_LAYOUT, listing.village_code, listing.name, page_url, listing.as_of.isoformat(),
           listing.log_size, listing.log_root_hex)
    body = pdf_cache().get_or_render(key, lambda: list_pdf(detail, page_url, is_demo_village(listing.village_code)))
    return pdf_response(body, f"{listing.village_code}-{listing.name}-{listing.as_of.isoformat()}.pdf")
