"""Payout slips (分红发放单): one per household, with its full line and private check code."""
from __future__ import annotations

from typing import Any

from flask import render_template

from portal.dividends.reads import Slip
from portal.kernel.money import amount_in_words
from portal.publishing import pdf
from portal.publishing.sheets import css_string
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
