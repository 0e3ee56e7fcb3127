"""An import file → rows of the services' inputs (AssetInput, ContractInput, ReceiptInput), or
the problems that stop it, each by sheet, row and column.

Reading fills the inputs as a form would and leaves the rules to the services (check.py runs
every row through them); here only what a form does not have: finding the header row under a
title, headers and their synonyms, the example row, Excel's own values (dates, numbers, ID
numbers Excel turned into numbers), ledger words (个人/单位, 年付, 每5年递增5%) and formulas,
which are never evaluated: a cell beginning with "=" is refused.
"""
from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from datetime import date, datetime, time
from decimal import Decimal
from typing import Any

from openpyxl.utils import get_column_letter
from openpyxl.utils.datetime import from_excel

from portal.contracts.services import ContractInput
from portal.imports.columns import (
    ASSET_KINDS,
    COMPANY,
    EXAMPLE,
    INTERVALS,
    LESSEE_KINDS,
    PERSON,
    RENT_UNITS,
    Column,
    Kind,
    is_ignored,
    kinds_of,
    match,
    normalised,
)
from portal.imports.rows import Parsed, Problem, Record, Row
from portal.imports.tables import HEADER_SEARCH, MAX_ROWS, FileRefused, Table, read_tables
from portal.kernel.identity import is_credit_code, is_resident_id
from portal.kernel.messages import say
from portal.parcels.services import AssetInput
from portal.receipts.services import ReceiptInput

NOTES_SHEETS = ("填写说明", "说明")
SHEET_NAMES = {"parcels": ("地块资产", "地块/资产", "地块", "资产", "资产资源"),
               "contracts": ("合同", "合同台账"), "receipts": ("收款", "收据", "收款凭证", "收益凭证")}
EXCEL_DAYS = (20_000, 80_000)  # a bare number in a date column within these is an Excel date (1954–2119)
_CN_DIGITS = dict(zip("一二两三四五六七八九十", (1, 2, 2, 3, 4, 5, 6, 7, 8, 9, 10)))


def parse_file(data: bytes, kind_name: str) -> Parsed:
    """The rows and problems of `data`, an .xlsx or .csv file of kind `kind_name` (a
    columns.KINDS name, or ALL: a workbook with a sheet per kind)."""
    try:
        tables = read_tables(data)
    except FileRefused as refused:
        return Parsed(problems=(Problem("", None, "", str(refused)),))
    chosen, problems = _sheets(tables, kind_name)
    rows: list[Row] = []
    for kind, table, sheet in chosen:
        found, trouble = _parse_table(kind, table, sheet)
        rows.extend(found)
        problems.extend(trouble)
    if len(rows) > MAX_ROWS:
        problems.append(Problem("", None, "", say("一次最多导入 %(most)s 行，这个文件超过了：请分成几个文件导入", most=MAX_ROWS)))
    counts = {kind.name: sum(1 for r in rows if r.kind == kind.name) for kind, _, _ in chosen}
    return Parsed(tuple(rows), tuple(problems), counts)


def _sheets(tables: list[Table], kind_name: str) -> tuple[list[tuple[Kind, Table, str]], list[Problem]]:
    """The table each kind is read from, and the sheet name problems are reported with."""
    data = [t for t in tables if t.rows and normalised(t.name) not in NOTES_SHEETS]
    kinds = kinds_of(kind_name)
    if len(kinds) == 1:
        named = [t for t in data if _sheet_kind(t.name) == kinds[0].name]
        if not named and len(data) > 1:
            return [], [Problem("", None, "", say("工作簿里有 %(count)s 张表，不知道导入哪一张：请只留一张，或把要导入的表命名为“%(sheet)s”",
                                                  count=len(data), sheet=kinds[0].sheet))]
        table = (named or data or [Table("", [])])[0]
        if not table.rows:
            return [], [Problem("", None, "", say("文件里没有任何内容"))]
        return [(kinds[0], table, "")], []
    chosen, problems = [], []
    for table in data:
        if _sheet_kind(table.name) is None:
            problems.append(Problem(table.name, None, "", say("整套台账只读名为“地块资产”“合同”“收款”的工作表："
                                    "请改工作表的名字，或删除这张表")))
    for kind in kinds:
        for table in data:
            if _sheet_kind(table.name) == kind.name:
                chosen.append((kind, table, table.name))
    if not chosen and not problems:
        problems.append(Problem("", None, "", say("工作簿中没有“地块资产”“合同”“收款”工作表")))
    return chosen, problems


def _sheet_kind(name: str) -> str | None:
    key = normalised(name)
    return next((kind for kind, names in SHEET_NAMES.items() if key in map(normalised, names)), None)


def _parse_table(kind: Kind, table: Table, sheet: str) -> tuple[list[Row], list[Problem]]:
    start = _header_index(kind, table)
    if start is None:
        line = table.rows[0][0]
        expected = "、".join(c.header for c in kind.columns if c.required)
        return [], [Problem(sheet, line, "", say("找不到列名行：前 %(lines)s 行中没有 %(expected)s 这样的列名，请使用模板的第一行",
                                                 lines=HEADER_SEARCH, expected=expected))]
    header_line, header_cells = table.rows[start]
    columns, ignored, problems = _columns(kind, header_cells, header_line, sheet)
    if problems:
        return [], problems  # rows read under wrong columns would only repeat the problem
    headers = {column.field: str(header_cells[i]).strip() for i, column in columns.items()}
    rows: list[Row] = []
    unnamed: set[int] = set()
    for line, cells in table.rows[start + 1:]:
        if _is_example(cells, ignored):
            continue
        for index, value in enumerate(cells):
            if index not in columns and index not in ignored and _text(value) and index not in unnamed:
                unnamed.add(index)
                problems.append(Problem(sheet, line, say("第 %(index)s 列", index=get_column_letter(index + 1)),
                                        say("这一列有内容却没有列名：请补上列名（见模板），或删除这一列")))
        values = {column.field: cells[i] for i, column in columns.items() if i < len(cells)}
        rows.append(_row(kind, line, sheet, values, headers))
    return rows, problems


def _header_index(kind: Kind, table: Table) -> int | None:
    """The first of the top rows naming two of the kind's columns (or only such columns)."""
    for index, (_, cells) in enumerate(table.rows[:HEADER_SEARCH]):
        texts = [_text(c) for c in cells if _text(c)]
        named = sum(1 for text in texts if match(kind, text) is not None)
        if named >= 2 or (named and named == len(texts)):
            return index
    return None


def _columns(kind: Kind, cells: tuple[Any, ...], line: int, sheet: str
             ) -> tuple[dict[int, Column], set[int], list[Problem]]:
    columns: dict[int, Column] = {}
    ignored: set[int] = set()
    problems: list[Problem] = []
    seen: dict[str, str] = {}
    for index, cell in enumerate(cells):
        header = _text(cell)
        if not header:
            continue
        column = match(kind, header)
        if is_ignored(header):
            ignored.add(index)
        elif column is None:
            problems.append(Problem(sheet, line, header, say("不认识“%(header)s”这一列：请改成模板中的列名（见模板的“填写说明”），或删除这一列",
                                                             header=header)))
        elif column.field in seen:
            problems.append(Problem(sheet, line, header, say("“%(header)s”与“%(seen)s”是同一项：请只留一列",
                                                             header=header, seen=seen[column.field])))
        else:
            columns[index] = column
            seen[column.field] = header
    for column in kind.columns:
        if column.required and column.field not in seen:
            problems.append(Problem(sheet, line, column.header, say("缺少“%(header)s”列", header=column.header)))
    return columns, ignored, problems


def _is_example(cells: tuple[Any, ...], ignored: set[int]) -> bool:
    """The template's example row: 示例 in its 序号 column (or first cell)."""
    marked = [_text(cells[i]) for i in ignored if i < len(cells)] or [_text(cells[0])]
    return any(text.startswith(EXAMPLE) for text in marked)


def _text(value: Any) -> str:
    return value.strip() if isinstance(value, str) else "" if value is None else str(value)


class _Cells:
    """The cells of one row by field, read into text as a form would send it; what cannot be
    read is a problem under its column (and the field is left empty)."""

    def __init__(self, kind: Kind, line: int, sheet: str, values: Mapping[str, Any],
                 headers: Mapping[str, str]) -> None:
        self.kind, self.line, self.sheet, self.values, self.headers = kind, line, sheet, values, headers
        self.problems: list[Problem] = []
        self.failed: set[str] = set()

    def fail(self, field: str, reason: str) -> None:
        self.failed.add(field)
        self.problems.append(Problem(self.sheet, self.line, self.kind.report_column(field, self.headers), reason))

    def text(self, field: str) -> str:
        value = self.values.get(field)
        if value is None or isinstance(value, str) and not value.strip():
            return ""
        if isinstance(value, str):
            if value.strip().startswith("="):
                self.fail(field, say("单元格是公式（%(value)s）：导入不计算公式，请改成算好的数值或文字（复制后“选择性粘贴 → 数值”）",
                                     value=value.strip()[:40]))
                return ""
            return value.strip()
        if isinstance(value, bool):
            return "是" if value else "否"
        if isinstance(value, datetime):
            return value.date().isoformat()
        if isinstance(value, (date, time)):
            return value.isoformat()
        if isinstance(value, int):
            return str(value)
        if isinstance(value, float):
            column = self.kind.column(field)
            if column is not None and column.text and abs(value) >= 1e15:
                self.fail(field, say("%(header)s被 Excel 存成了数字（%(value)s），后几位已经丢失：请把这一列设为“文本”格式，重新输入后再导入",
                                     header=column.header, value=f"{value:.5E}"))
                return ""
            return str(int(value)) if value.is_integer() else format(Decimal(repr(value)), "f")
        self.fail(field, say("单元格的内容无法读取（公式或其他特殊内容）：请改成数值或文字"))
        return ""

    def day(self, field: str) -> str:
        value = self.values.get(field)
        if isinstance(value, (int, float)) and not isinstance(value, bool) and EXCEL_DAYS[0] <= value <= EXCEL_DAYS[1]:
            moment = from_excel(value)
            if isinstance(moment, datetime):
                return moment.date().isoformat()
        return self.text(field)

    def choose(self, field: str, words: Mapping[str, str], allowed: str, default: str = "") -> str:
        """The code the cell's word stands for; `default` for an empty cell."""
        text = self.text(field)
        if not text:
            return default
        code = next((c for w, c in words.items() if normalised(w) == normalised(text)), None)
        if code is None:
            self.fail(field, say("“%(text)s”不在可填的范围内：请填 %(allowed)s", text=text, allowed=allowed))
            return ""
        return code


def _row(kind: Kind, line: int, sheet: str, values: Mapping[str, Any], headers: Mapping[str, str]) -> Row:
    cells = _Cells(kind, line, sheet, values, headers)
    annual = cells.text("annual_rent") if kind.name == "contracts" else ""
    record = BUILDERS[kind.name](cells)
    return Row(kind.name, line, record, headers, sheet, annual, tuple(by_column(cells.problems, headers)))


def by_column(problems: list[Problem], headers: Mapping[str, str]) -> list[Problem]:
    """A row's problems from left to right, as its columns stand in the file."""
    position = {header: index for index, header in enumerate(headers.values())}
    return sorted(problems, key=lambda p: position.get(p.column, len(position)))


def _asset(cells: _Cells) -> AssetInput:
    return AssetInput(
        number=cells.text("number"), name=cells.text("name"),
        kind=cells.choose("kind", ASSET_KINDS, "土地、房屋、店面 或 设施", default="land"),
        area=cells.text("area"), land_type=cells.text("land_type"), location=cells.text("location"))


def _contract(cells: _Cells) -> ContractInput:
    numbers = [n for n in re.split(r"[、，,;；/\s]+", cells.text("assets")) if n]
    areas = [a for a in re.split(r"[、，;；/\s]+", cells.text("areas")) if a]
    if areas and len(areas) != len(numbers):
        cells.fail("areas", say("写了 %(count)s 个地块编号、%(count2)s 个面积：请按地块编号的顺序逐一写面积，或都空着",
                                count=len(numbers), count2=len(areas)))
    leased: list[tuple[str, str | Decimal | None]] = [
        (number, areas[i] if len(areas) == len(numbers) else None) for i, number in enumerate(numbers)]
    id_number = cells.text("lessee_id_number").upper()
    percent, every = _escalation(cells)
    return ContractInput(
        number=cells.text("number"),
        title=cells.text("title") or (f"地块 {'、'.join(numbers)} 租赁合同"[:200] if numbers else ""),
        lessee_kind=_lessee_kind(cells, id_number), lessee_name=cells.text("lessee_name"),
        lessee_id_number=id_number, lessee_phone=cells.text("lessee_phone"),
        start_date=cells.day("start_date"), end_date=cells.day("end_date"),
        rent_rate=cells.text("rent_rate"),
        rent_unit=cells.choose("rent_unit", RENT_UNITS, "元/亩/年 或 元/㎡/月"),  # empty: by the assets' kind
        assets=leased, escalation_percent=percent, escalation_every_years=every,
        payment_interval_months=cells.choose("payment_interval_months", INTERVALS, "年付、半年付、季付 或 月付",
                                             default="12"),
        signed_on=cells.day("signed_on") or None, note=cells.text("note"))


def _lessee_kind(cells: _Cells, id_number: str) -> str:
    chosen = cells.choose("lessee_kind", LESSEE_KINDS, "个人 或 单位")
    if chosen or cells.text("lessee_kind"):
        return chosen
    if is_resident_id(id_number):
        return PERSON
    if is_credit_code(id_number):
        return COMPANY
    if "lessee_id_number" in cells.failed:
        return PERSON  # a stand-in: the row is refused for its ID number, said once
    cells.fail("lessee_kind", say("请填写承租方类型（个人 或 单位）：从证件号码也看不出来"))
    return ""


def _escalation(cells: _Cells) -> tuple[str, str]:
    """(percent, every so many years): from the two columns when the file has them, else from
    one 递增 cell such as 每5年递增5%, 每三年递增10% or 无."""
    if "escalation_percent" in cells.headers or "escalation_every_years" in cells.headers:
        return cells.text("escalation_percent") or "0", cells.text("escalation_every_years") or "0"
    text = cells.text("escalation")
    key = re.sub("[一二两三四五六七八九十]", lambda m: str(_CN_DIGITS[m.group()]), normalised(text))
    if key in ("", "无", "不递增", "没有", "否", "0", "0%"):
        return "0", "0"
    found = re.fullmatch(r"每?(\d+)年(?:递增|上浮|增加|提高|上涨|增长)?(\d+(?:\.\d+)?)%", key)
    if found is None:
        cells.fail("escalation", say("看不懂“%(text)s”：请写成“每5年递增5%%”这样；不递增请空着", text=text))
        return "0", "0"
    return found.group(2), found.group(1)


def _receipt(cells: _Cells) -> ReceiptInput:
    payer = cells.choose("payer_is_person", LESSEE_KINDS, "个人 或 单位", default=PERSON)
    return ReceiptInput(
        number=cells.text("number"), amount=cells.text("amount"), received_on=cells.day("received_on"),
        payer_name=cells.text("payer_name"), payer_is_person=payer != COMPANY,
        contract_number=cells.text("contract_number"), note=cells.text("note"))


BUILDERS: dict[str, Callable[[_Cells], Record]] = {"parcels": _asset, "contracts": _contract, "receipts": _receipt}
