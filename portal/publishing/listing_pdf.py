"""A public list as an A4 PDF: column widths fitted to the content, wide lists in landscape."""
from __future__ import annotations

from typing import Any

from flask import render_template
from markupsafe import Markup

from portal.publishing import pdf
from portal.publishing.listings import Column, Listing
from portal.publishing.sheets import (
    Checkpoint,
    css_string,
    money_with_words,
    now_checkpoint,
    sign_off,
    witness,
)

NUMERIC_KINDS = ("money", "area", "number")


WRAP_WIDTH_MAX = 7


SHORT_TEXT_EM = 6


PORTRAIT_EM = 50  # what fits across A4 portrait at the table's 10pt; wider lists print landscape


CELL_PADDING_EM = 0.8


CODE_MAX = 24  # ASCII values up to this long (contract and receipt numbers) are never broken


def _totals_lines(listing: Listing) -> list[str]:
    """The list's totals in words: 共 N 条 and, for money, the sum with its 大写."""
    totals = dict(listing.totals or {})
    lines = [f"共 {totals.pop('count')} 条"] if "count" in totals else []
    columns = {c.key: c for c in listing.columns}
    for key, value in totals.items():
        column = columns.get(key)
        if column is None or value in (None, ""):
            continue
        if column.kind == "money":
            lines.append(f"{column.label}合计 {money_with_words(value)}")
        else:
            lines.append(f"{column.label}合计 {column.display(value)}")
    return lines


def _cell(column: Column, value: Any) -> tuple[str | Markup, str]:
    """A table cell's text and CSS class: numbers right-aligned, dates, choices and codes unbroken."""
    text = column.display(value)
    if column.kind in NUMERIC_KINDS:
        return text, "num"
    if column.kind == "date" and "年" in text:  # may break after 年 only: 2026年 / 11月23日
        year, rest = text.split("年", 1)
        return Markup('<span class="nowrap">{}年</span><span class="nowrap">{}</span>').format(year, rest), ""
    if column.kind == "choice" or (text.isascii() and len(text) <= CODE_MAX):
        return text, "nowrap"
    return text, "code" if text.isascii() else ""


def _em_width(text: str) -> float:
    """Roughly how wide `text` is, in em: a Chinese character 1, a Latin letter or digit about half."""
    return sum(0.55 if ch.isascii() else 1.0 for ch in str(text))


def _fit_text_column(rows: list[list[tuple[Any, str]]], index: int) -> str | None:
    """Keeps a Chinese text column from being squeezed to one or two characters a line: short
    values (names, 第一村民小组) are set unbroken, longer ones get a width hint (at most
    WRAP_WIDTH_MAX em). Returns the hint, and marks the cells in place."""
    wrapping = [row for row in rows if row[index][1] == ""]
    longest = max((_em_width(row[index][0]) for row in wrapping), default=0)
    if longest <= SHORT_TEXT_EM:
        for row in wrapping:
            row[index] = (row[index][0], "nowrap")
        return None
    return f"{min(longest, WRAP_WIDTH_MAX):.1f}em"


def _wanted_em(rows: list[list[tuple[Any, str]]], index: int, hint: str | None) -> float:
    """The width a column would like, in em, padding included: its hint, or its longest value."""
    if hint:
        return float(hint.removesuffix("em")) + CELL_PADDING_EM
    texts = [Markup(text).striptags() if isinstance(text, Markup) else text for text, _ in (r[index] for r in rows)]
    return max((_em_width(text) for text in texts), default=0) + CELL_PADDING_EM


def listing_pdf(listing: Listing, page_url: str, *, demo: bool = False,
                checkpoint: Checkpoint | None = None) -> bytes:
    """The whole list (every row, not one page of it) as an A4 notice; needs an app context."""
    checkpoint = checkpoint or now_checkpoint(listing.log_size, listing.log_root_hex)
    rows = [[_cell(column, row.get(column.key)) for column in listing.columns] for row in listing.rows]
    widths = [_fit_text_column(rows, i) if column.kind == "text" else None
              for i, column in enumerate(listing.columns)]
    wanted = sum(_wanted_em(rows, i, widths[i]) for i in range(len(listing.columns)))
    html = render_template("print/listing.html", listing=listing, rows=rows, demo=demo,
                           widths=widths, running_head=css_string(f"{listing.village_name} · {listing.title}"),
                           totals=_totals_lines(listing), witness=witness(page_url, checkpoint),
                           signoff=sign_off(listing.village_code, listing.village_name, listing.as_of),
                           wide=wanted > PORTRAIT_EM)
    return pdf.render_pdf(html)
