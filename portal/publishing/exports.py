"""A Listing as CSV (UTF-8 with BOM, so Excel opens Chinese correctly), XLSX and JSON."""
from __future__ import annotations

import csv
import io
import json
import re
from datetime import date
from decimal import Decimal

from openpyxl import Workbook
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter
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


Cell = Decimal | int | str | date | None
DATE_FORMAT = 'yyyy"年"m"月"d"日"'
NUMBER_FORMATS = {"money": "#,##0.00", "area": "#,##0.00##", "number": "0", "date": DATE_FORMAT}


def _append(sheet: Worksheet, values: list[Cell]) -> None:
    """A row whose text cells are strings even when they start with "=" (openpyxl would store a
    formula, which Excel runs: a comment "=HYPERLINK(…)" would become a live link)."""
    sheet.append(values)
    for cell in sheet[sheet.max_row]:
        if isinstance(cell.value, str):
            cell.data_type = "s"


def _typed(kind: str, value: object, shown: str) -> Cell:
    """A cell's value as a spreadsheet should hold it: amounts, areas and counts as numbers
    (a whole count as an integer), dates as dates, anything else as the text a person reads."""
    if value in (None, ""):
        return shown
    if kind in ("money", "area", "number"):
        number = Decimal(str(value))
        return int(number) if kind == "number" and number == number.to_integral_value() else number
    if kind == "date":
        try:
            return value if isinstance(value, date) else date.fromisoformat(str(value)[:10])
        except ValueError:  # not a date after all: kept as written
            return shown
    return shown


def to_xlsx(listing: Listing) -> bytes:
    """A sheet with a title, the log state it was made at, bold headings, typed numbers and dates
    (so a column sums and sorts in Excel or WPS), and for a list with money a bold 合计 row."""
    book = Workbook()
    sheet = book.active
    assert isinstance(sheet, Worksheet), "a new workbook starts with one worksheet"
    sheet.title = listing.title[:31]
    for line in _header_lines(listing):
        _append(sheet, [line])
    _append(sheet, [c.label for c in listing.columns])
    for cell in sheet[sheet.max_row]:
        cell.font = Font(bold=True)
    first = sheet.max_row + 1
    for row in listing.rows:
        _append(sheet, [_typed(c.kind, row.get(c.key), c.display(row.get(c.key))) for c in listing.columns])
    money = [i for i, c in enumerate(listing.columns) if c.kind == "money"]
    if money and listing.rows:
        totals: list[Cell] = [None] * len(listing.columns)
        for i in money:
            totals[i] = sum((Decimal(str(r.get(listing.columns[i].key) or 0)) for r in listing.rows), Decimal("0.00"))
        label_at = next((i for i in range(len(listing.columns)) if i not in money), None)
        if label_at is not None:
            totals[label_at] = f"合计（{len(listing.rows)} 条）"
        _append(sheet, totals)
        for cell in sheet[sheet.max_row]:
            cell.font = Font(bold=True)
    for index, column in enumerate(listing.columns, start=1):
        if fmt := NUMBER_FORMATS.get(column.kind):
            for (cell,) in sheet.iter_rows(min_row=first, max_row=sheet.max_row, min_col=index, max_col=index):
                cell.number_format = fmt
        if column.kind == "date":
            sheet.column_dimensions[get_column_letter(index)].width = 16
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


WRITERS = {"csv": to_csv, "json": to_json, "xlsx": to_xlsx}
