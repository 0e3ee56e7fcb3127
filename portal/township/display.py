"""The township's table as its page shows it: each cell's text made in Python, once.

Rendering 200 villages × 12 cells through a Jinja macro and a translated `data-label` per cell
cost 4 times the dozen queries behind it; the labels are translated once per column here, and
each cell is a plain string the template only escapes.
"""
from __future__ import annotations

from decimal import Decimal
from typing import Any

from flask_babel import gettext
from markupsafe import Markup

from portal.kernel.money import format_money
from portal.publishing.formatting import area_number, thousands
from portal.township.exports import COLUMNS, NOT_RECORDED
from portal.township.figures import VillageFigures
from portal.translations import in_english


def _area(value: Decimal) -> str:
    return f"{area_number(value)} {'mu' if in_english() else '亩'}"


def _count(value: int | None) -> str:
    return NOT_RECORDED if value is None else thousands(value)


def cell_openers() -> list[Markup]:
    """The opening <td> of each figure column, with its class and translated data-label."""
    openers = []
    for _key, label, kind in COLUMNS[1:]:
        css = ' class="num"' if kind != "text" else ""
        openers.append(Markup('<td%s data-label="%s">') % (Markup(css), gettext("%(label)s：", label=gettext(label))))
    return openers


def row_cells(row: VillageFigures) -> list[str]:
    """The figures of one village, in COLUMNS order (after the name)."""
    passed, failed = gettext("核验通过"), gettext("核验未通过")
    verified = NOT_RECORDED if row.verification is None else (passed if row.verification.ok else failed)
    cosigned = NOT_RECORDED if row.cosigned is None else gettext("%(n)s 条", n=thousands(row.cosigned.size))
    return [_area(row.area), format_money(row.due), format_money(row.received), format_money(row.arrears),
            _count(row.expiring), _count(row.open_tenders), _count(row.unanswered), _count(row.overdue),
            _count(row.open_findings), verified, cosigned]


def total_cells(totals: dict[str, Any]) -> list[str]:
    """The totals row, in COLUMNS order (after the name); empty where nothing adds up."""
    return [_area(totals["area"]), format_money(totals["due"]), format_money(totals["received"]),
            format_money(totals["arrears"]), _count(totals["expiring"]), _count(totals["tenders"]),
            _count(totals["unanswered"]), _count(totals["overdue"]), _count(totals["findings"]), "", ""]
