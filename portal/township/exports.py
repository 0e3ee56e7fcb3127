"""The township's table as CSV and XLSX (numbers as numbers, a totals row), and the quarter's
ranking as CSV. Headings are Chinese whatever language the page is read in, as in every
download of the portal; text cells are made inert for spreadsheets (publishing/exports.py)."""
from __future__ import annotations

import csv
import io
from decimal import Decimal
from typing import Any

from openpyxl import Workbook
from openpyxl.styles import Font
from openpyxl.worksheet.worksheet import Worksheet

from portal.kernel.clock import SHANGHAI
from portal.publishing.exports import inert
from portal.township.figures import VillageFigures
from portal.township.ranking import RankRow
from portal.translations import N_

# (key, heading, kind): kind "money" (元), "area" (亩), "count", "text"
COLUMNS: tuple[tuple[str, str, str], ...] = (
    ("name", N_("村"), "text"),
    ("area", N_("在租面积（亩）"), "area"),
    ("due", N_("本年应收租金（元）"), "money"),
    ("received", N_("本年实收租金（元）"), "money"),
    ("arrears", N_("欠租（元）"), "money"),
    ("expiring", N_("半年内到期合同"), "count"),
    ("tenders", N_("进行中的招租"), "count"),
    ("unanswered", N_("待答复投诉"), "count"),
    ("overdue", N_("逾期未答复"), "count"),
    ("findings", N_("未整改问题"), "count"),
    ("verified", N_("最近一次核验"), "text"),
    ("cosigned", N_("最近联署检查点"), "text"),
)
NOT_RECORDED = "—"


def cells(row: VillageFigures) -> dict[str, Any]:
    """One village's values by column key: numbers as Decimal/int, None where not recorded."""
    verified = None
    if row.verification is not None:
        verified = f"{'通过' if row.verification.ok else '未通过'} {row.verification.at.astimezone(SHANGHAI):%Y-%m-%d %H:%M}"
    cosigned = None
    if row.cosigned is not None:
        cosigned = f"{row.cosigned.size} 条 {row.cosigned.at.astimezone(SHANGHAI):%Y-%m-%d %H:%M}"
    return {"code": row.code, "name": row.name, "area": row.area, "due": row.due, "received": row.received,
            "arrears": row.arrears, "expiring": row.expiring, "tenders": row.open_tenders,
            "unanswered": row.unanswered, "overdue": row.overdue, "findings": row.open_findings,
            "verified": verified, "cosigned": cosigned}


def _text(value: Any) -> str:
    return NOT_RECORDED if value is None else inert(str(value))


def figures_csv(rows: list[VillageFigures], totals: dict[str, Any], title: str) -> bytes:
    """UTF-8 with BOM; numbers plain (1234.50), one row per village, then 合计."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow([inert(title)])
    writer.writerow(["村编码"] + [label for _, label, _ in COLUMNS])
    for row in rows:
        values = cells(row)
        writer.writerow([row.code] + [_text(values[key]) for key, _, _ in COLUMNS])
    writer.writerow(["", "合计"] + [_text(totals.get(key)) if key in totals else "" for key, _, _ in COLUMNS[1:]])
    return ("\ufeff" + out.getvalue()).encode("utf-8")


def _append(sheet: Worksheet, values: list[Any]) -> None:
    sheet.append(values)
    for cell in sheet[sheet.max_row]:
        if isinstance(cell.value, str):
            cell.data_type = "s"  # never a formula, whatever the text starts with


FORMATS = {"money": "#,##0.00", "area": "#,##0.00", "count": "0"}


def figures_xlsx(rows: list[VillageFigures], totals: dict[str, Any], title: str) -> bytes:
    """A sheet: title, bold headings, one row per village with typed numbers, a bold 合计 row."""
    book = Workbook()
    sheet = book.active
    assert isinstance(sheet, Worksheet), "a new workbook starts with one worksheet"
    sheet.title = "各村一览"
    _append(sheet, [title])
    _append(sheet, ["村编码"] + [label for _, label, _ in COLUMNS])
    for cell in sheet[sheet.max_row]:
        cell.font = Font(bold=True)
    for row in rows:
        values = cells(row)
        _append(sheet, [row.code] + [values[key] if kind != "text" or values[key] is not None else NOT_RECORDED
                                     for key, _, kind in COLUMNS])
    _append(sheet, ["", "合计"] + [totals.get(key) for key, _, _ in COLUMNS[1:]])
    for cell in sheet[sheet.max_row]:
        cell.font = Font(bold=True)
    for index, (_, _, kind) in enumerate(COLUMNS, start=2):
        if kind in FORMATS:
            for (cell,) in sheet.iter_rows(min_row=3, min_col=index, max_col=index):
                if isinstance(cell.value, (int, Decimal)):
                    cell.number_format = FORMATS[kind]
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def _percent(value: Decimal | None) -> str:
    return "" if value is None else str(value)


def ranking_csv(rows: list[RankRow], title: str) -> bytes:
    """The ranking with every figure it rests on (rates in percent, money in 元)."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow([inert(title)])
    writer.writerow(["名次", "村编码", "村", "综合得分", "本季应收（元）", "按期收到（元）", "收缴率（%）", "欠租（元）",
                     "到期投诉", "按时答复", "按时答复率（%）", "问题总数", "已整改", "整改率（%）", "最近一次核验"])
    for r in rows:
        writer.writerow([r.rank, r.code, inert(r.name), _percent(r.score), r.due, r.collected, _percent(r.collection_rate),
                         r.arrears, r.complaints_due, r.on_time, _percent(r.on_time_rate),
                         "" if r.findings_total is None else r.findings_total,
                         "" if r.findings_closed is None else r.findings_closed, _percent(r.findings_rate),
                         NOT_RECORDED if r.verified is None else ("通过" if r.verified else "未通过")])
    return ("\ufeff" + out.getvalue()).encode("utf-8")
