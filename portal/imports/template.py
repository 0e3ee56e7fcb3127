"""The downloadable .xlsx template of each kind: the header row, one example row marked 示例
(skipped on import), drop-down lists for the choices, identifier columns formatted as text,
and a 填写说明 sheet explaining every column in Chinese."""
from __future__ import annotations

import io

from openpyxl import Workbook
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.datavalidation import DataValidation
from openpyxl.worksheet.worksheet import Worksheet

from portal.imports.columns import EXAMPLE, IGNORED, Kind, kinds_of
from portal.imports.tables import MAX_BYTES, MAX_ROWS

REQUIRED_FILL = PatternFill("solid", fgColor="FFF2CC")
EXAMPLE_FONT = Font(color="808080", italic=True)
GENERAL_NOTES = (
    "第一行是列名，请不要改动；黄色的列必须填写。列的顺序可以调整，不用的非必填列可以删除。",
    f"第二行是示例（“{IGNORED[0]}”一列写着“{EXAMPLE}”），导入时跳过，可以删除，也可以留着。",
    "日期写成 2026-11-23、2026/11/23 或 2026年11月23日；金额写成 1234.5、1,234.50 或 ¥1234.50。",
    "面积：土地以亩计，最多 4 位小数；房屋、店面、设施以平方米计。",
    "公式不会被计算：以“=”开头的单元格会被退回。请先“复制 → 选择性粘贴 → 数值”。",
    f"一个文件最多 {MAX_ROWS} 行、{MAX_BYTES // 1024 // 1024} MB；也可另存为 CSV（UTF-8 或 GBK 编码）上传。",
    "上传后系统先检查整个文件：有任何问题都会按行、列列出，一条也不导入；全部无误后填写导入原因，确认后一次导入。",
    "导入的每一条记录都写入审计日志，带上同一个导入原因；导错了只能逐条更正或撤回，请先核对。",
    "顺序：先导入地块/资产，再导入合同（合同引用地块编号），最后导入收款（收款引用合同编号）。",
)


def template_xlsx(kind_name: str) -> bytes:
    """The template workbook of `kind_name` (a columns.KINDS name, or ALL: a sheet per kind)."""
    book = Workbook()
    first = book.active
    assert isinstance(first, Worksheet), "a new workbook starts with one worksheet"
    kinds = kinds_of(kind_name)
    for index, kind in enumerate(kinds):
        sheet = first if index == 0 else book.create_sheet()
        _data_sheet(sheet, kind)
    _notes_sheet(book.create_sheet("填写说明"), kinds)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def _data_sheet(sheet: Worksheet, kind: Kind) -> None:
    sheet.title = kind.sheet
    sheet.append([IGNORED[0], *(c.header for c in kind.columns)])
    sheet.append([EXAMPLE, *(c.example for c in kind.columns)])
    sheet.freeze_panes = "A2"
    sheet.column_dimensions["A"].width = 8
    for offset, column in enumerate(kind.columns, 2):
        letter = get_column_letter(offset)
        header = sheet.cell(row=1, column=offset)
        header.font = Font(bold=True)
        header.alignment = Alignment(wrap_text=True, vertical="center")
        if column.required:
            header.fill = REQUIRED_FILL
        sheet.cell(row=2, column=offset).font = EXAMPLE_FONT
        sheet.column_dimensions[letter].width = max(12, min(30, len(column.header) * 2 + 4))
        if column.text:  # Excel keeps what is typed in a text column as typed: 18-digit IDs stay whole
            sheet.column_dimensions[letter].number_format = "@"
            sheet.cell(row=2, column=offset).number_format = "@"
        if column.choices:
            # a drop-down that still takes other words (the synonyms the importer also reads)
            listed = DataValidation(type="list", formula1='"' + ",".join(column.choices) + '"', allow_blank=True)
            sheet.add_data_validation(listed)
            listed.add(f"{letter}3:{letter}{MAX_ROWS + 2}")
    for cell in sheet[2]:
        cell.font = EXAMPLE_FONT


def _notes_sheet(sheet: Worksheet, kinds: tuple[Kind, ...]) -> None:
    sheet.append(["填写说明"])
    sheet["A1"].font = Font(bold=True, size=14)
    for line in GENERAL_NOTES:
        sheet.append([line])
    for kind in kinds:
        sheet.append([])
        sheet.append([f"“{kind.sheet}”表（{kind.label}）的列", "必填", "怎么填", "也认这些列名"])
        for cell in sheet[sheet.max_row]:
            cell.font = Font(bold=True)
        for column in kind.columns:
            sheet.append([column.header, "是" if column.required else "", column.note, "、".join(column.synonyms)])
    sheet.column_dimensions["A"].width = 24
    sheet.column_dimensions["B"].width = 6
    sheet.column_dimensions["C"].width = 70
    sheet.column_dimensions["D"].width = 40
    for row in sheet.iter_rows(min_row=2):
        for cell in row:
            cell.alignment = Alignment(wrap_text=True, vertical="top")
