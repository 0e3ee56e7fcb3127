"""A Listing as CSV (UTF-8 with BOM, so Excel opens Chinese correctly), XLSX and JSON."""
from __future__ import annotations

import csv
import io
import json
import re
from decimal import Decimal

from openpyxl import Workbook
from openpyxl.styles import Font
from openpyxl.worksheet.worksheet import Worksheet

from portal.publishing.listings import Listing

MEDIA_TYPES = {
    "csv": "text/csv; charset=utf-8",
    "json": "application/json; charset=utf-8",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "pdf": "application/pdf",
}


# A text cell starting with one of these is a formula (or DDE) to Excel, WPS and LibreOffice
# (OWASP "CSV injection"); a plain number such as -12.50 is not, and stays a number.
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
PLAIN_NUMBER = re.compile(r"[+-]?\d+(?:\.\d+)?")


def inert(text: str) -> str:
    """`text` for a CSV cell: with a leading ' when a spreadsheet would read it as a formula."""
    if text.startswith(FORMULA_START) and not PLAIN_NUMBER.fullmatch(text):
        return "'" + text
    return text


def _header_lines(listing: Listing) -> list[str]:
    return [f"{listing.village_name} {listing.title}",
            f"截至 {listing.as_of.isoformat()}，审计日志 {listing.log_size} 条，根哈希 {listing.log_root_hex}"]


def to_csv(listing: Listing) -> bytes:
    """One header row of Chinese labels, then one row per record with the values as displayed."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow([c.label for c in listing.columns])
    for row in listing.rows:
        writer.writerow([row.get(c.key, "") if c.kind in ("money", "area", "number")
                         else inert(c.display(row.get(c.key))) for c in listing.columns])
    return ("\ufeff" + out.getvalue()).encode("utf-8")


def to_json(listing: Listing) -> bytes:
    return json.dumps(listing.as_json(), ensure_ascii=False, indent=1).encode("utf-8")


def _append(sheet: Worksheet, values: list[Decimal | str]) -> None:
    """A row whose text cells are strings even when they start with "=" (openpyxl would store a
    formula, which Excel runs: a comment "=HYPERLINK(…)" would become a live link)."""
    sheet.append(values)
    for cell in sheet[sheet.max_row]:
        if isinstance(cell.value, str):
            cell.data_type = "s"


def to_xlsx(listing: Listing) -> bytes:
    """A sheet with a title, the log state it was made at, bold headings and typed numbers."""
    book = Workbook()
    sheet = book.active
    assert isinstance(sheet, Worksheet), "a new workbook starts with one worksheet"
    sheet.title = listing.title[:31]
    for line in _header_lines(listing):
        _append(sheet, [line])
    _append(sheet, [c.label for c in listing.columns])
    for cell in sheet[sheet.max_row]:
        cell.font = Font(bold=True)
    for row in listing.rows:
        values: list[Decimal | str] = []
        for column in listing.columns:
            value = row.get(column.key)
            if column.kind in ("money", "area", "number") and value not in (None, ""):
                values.append(Decimal(str(value)))
            else:
                values.append(column.display(value))
        _append(sheet, values)
    for column in listing.columns:
        if column.kind == "money":
            index = listing.columns.index(column) + 1
            for cells in sheet.iter_rows(min_row=4, min_col=index, max_col=index):
                cells[0].number_format = "#,##0.00"
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


WRITERS = {"csv": to_csv, "json": to_json, "xlsx": to_xlsx}
