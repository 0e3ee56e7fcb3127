""".xlsx and .csv files as plain tables of cell values, within limits.

The type is told by the content, never by the file's name: a ZIP is an .xlsx workbook (read by
openpyxl; formulas come back as their text, never evaluated); anything else must be CSV text in
UTF-8 (with or without BOM) or GBK/GB18030, as Excel and WPS in China save it.
"""
from __future__ import annotations

import csv
import io
import zipfile
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from typing import Any

from openpyxl import load_workbook

from portal.kernel.messages import say

MAX_BYTES = 5 * 1024 * 1024
# Data rows in one file. Every row is written twice (the check, then the import), each time
# through the services: measured on SQLite ~3 ms a contract with 20 instalments, ~1 ms a
# parcel, ~0.6 ms a receipt (PostgreSQL up to twice that), so 2,000 contracts keep the check and
# the import each well within a 30 s worker timeout; a bigger ledger is imported in parts.
MAX_ROWS = 2_000
MAX_COLUMNS = 60
MAX_UNZIPPED = 60 * 1024 * 1024     # a 5 MB .xlsx that unzips to more is not a ledger (a zip bomb)
MAX_SCANNED = 100_000               # rows looked at, empty or not: bounds the time a sheet costs
HEADER_SEARCH = 10                  # the header row is among the first non-empty rows (titles above it)
ZIP, OLE2 = b"PK\x03\x04", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"


class FileRefused(Exception):
    """The file as a whole cannot be read; the message says why, in Chinese."""


@dataclass(frozen=True)
class Table:
    """One sheet (a CSV file is one): its non-empty rows as (row number, cell values)."""

    name: str
    rows: list[tuple[int, tuple[Any, ...]]]


def read_tables(data: bytes) -> list[Table]:
    """Every sheet of an .xlsx file, or the one table of a CSV file; FileRefused if it is too
    big, empty, of another type or unreadable."""
    if len(data) > MAX_BYTES:
        raise FileRefused(say("文件超过了 %(most)s MB：请分成几个文件导入", most=MAX_BYTES // 1024 // 1024))
    if not data.strip():
        raise FileRefused(say("文件是空的"))
    if data.startswith(OLE2):
        raise FileRefused(say("这是旧版 Excel（.xls）文件：请在 Excel 或 WPS 中“另存为” .xlsx 或 CSV 后再导入"))
    if data.startswith(ZIP):
        return _workbook(data)
    return [_csv(_text(data))]


def _csv(text: str) -> Table:
    first = text.split("\n", 1)[0]
    delimiter = "\t" if first.count("\t") > first.count(",") else ","  # Excel's "文本文件（制表符分隔）"
    try:
        return Table("", list(_non_empty(csv.reader(io.StringIO(text, newline=""), delimiter=delimiter))))
    except csv.Error as error:
        raise FileRefused(say("CSV 格式有误（%(error)s）：请在 Excel 或 WPS 中另存为 CSV 后再导入", error=error)) from None


def _text(data: bytes) -> str:
    if b"\x00" in data:
        raise FileRefused(say("文件中有空字符（NUL），不是 CSV 文本：请在 Excel 或 WPS 中另存为 .xlsx 或 CSV"))
    if data.startswith(b"\xef\xbb\xbf"):
        encodings = ["utf-8-sig"]
    else:
        encodings = ["utf-8", "gb18030"]  # GB18030 reads every GBK file
    for encoding in encodings:
        try:
            return data.decode(encoding)
        except UnicodeDecodeError:
            continue
    raise FileRefused(say("无法识别文件的文字编码：请另存为 .xlsx，或 UTF-8、GBK 编码的 CSV"))


def _workbook(data: bytes) -> list[Table]:
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            unzipped = sum(info.file_size for info in archive.infolist())
        if unzipped > MAX_UNZIPPED:
            raise FileRefused(say("这个 Excel 文件解压后超过 %(most)s MB，不像台账：请检查后再导入", most=MAX_UNZIPPED // 1024 // 1024))
        book = load_workbook(io.BytesIO(data), read_only=True, data_only=False)
    except FileRefused:
        raise
    except Exception:  # openpyxl raises whatever the broken part of the file causes
        raise FileRefused(say("无法读取这个 Excel 文件（可能已损坏、加密，或不是 .xlsx）：请在 Excel 或 WPS 中另存后再导入")) from None
    try:
        tables = []
        for sheet in book.worksheets:  # worksheets only: chartsheets are elsewhere
            rows = sheet.iter_rows(max_col=MAX_COLUMNS, values_only=True)
            tables.append(Table(sheet.title, list(_non_empty(rows))))
        return tables
    except FileRefused:
        raise
    except Exception:
        raise FileRefused(say("读取这个 Excel 文件时出错（文件可能已损坏）：请在 Excel 或 WPS 中另存后再导入")) from None
    finally:
        book.close()


def _non_empty(rows: Iterable[Iterable[Any]]) -> Iterator[tuple[int, tuple[Any, ...]]]:
    """(row number, cells without trailing blanks) of each row with something in it; stops once
    there are more than a file may hold, so parsing can say so without reading the rest."""
    kept = 0
    for line, cells in enumerate(rows, 1):
        if line > MAX_SCANNED:
            raise FileRefused(say("表格超过 %(most)s 行（含空行）：请删除多余的行，或分成几个文件导入", most=MAX_SCANNED))
        values = list(cells)[:MAX_COLUMNS]
        while values and _blank(values[-1]):
            values.pop()
        if not values:
            continue
        yield line, tuple(values)
        kept += 1
        if kept > MAX_ROWS + HEADER_SEARCH:
            return


def _blank(value: Any) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())
