"""Import files made in code (no binaries in the repository): .xlsx through openpyxl, CSV in
UTF-8 with BOM or GBK as Excel in China saves them, and the good ledgers of each kind."""
from __future__ import annotations

import csv
import html
import io
import re
from datetime import date
from typing import Any

from openpyxl import Workbook

PERSON_ID = "110101199003071233"      # check digit right
PERSON_ID_2 = "35010219850615001X"
COMPANY_CODE = "91350100MA2Y0K1A0P"
REASON = "历史台账补录（2020–2022 年）"

PARCELS = [
    ["序号", "地块编号", "名称", "类别", "面积（亩）", "地类", "位置"],
    [1, "IM-001", "新垦1号地", "土地", "12.3456", "耕地", "第一村民小组"],
    [2, "IM-002", "新垦2号地", "", "8", "园地", ""],
    [3, "IM-S01", "村口店面", "店面", "45.5", "", "莲坂路 1 号"],
]
CONTRACTS = [
    ["合同编号", "承租方", "承租方类型", "证件号码", "联系电话", "地块编号", "面积（亩）", "起始日期", "终止日期",
     "租金单价", "年租金", "递增", "缴款周期", "签订日期", "备注"],
    ["IM-HT-001", "张三", "", PERSON_ID, "13800001234", "IM-001", "", "2020-01-01", "2029-12-31", "500", "6172.80",
     "每5年递增5%", "年付", "2019-12-20", ""],
    ["IM-HT-002", "莲坂茶业合作社", "单位", COMPANY_CODE, "", "IM-002", "6.5", "2021/3/1", "2026年2月28日", "", "3250",
     "", "半年付", "", "历史合同"],
    ["IM-HT-003", "李四", "个人", PERSON_ID_2, "", "IM-S01", "", "2022-01-01", "2024-12-31", "20", "", "", "季付", "", ""],
]
RECEIPTS = [
    ["收据号", "金额", "收款日期", "交款人", "交款人类型", "合同编号", "备注"],
    ["IM-SK-001", "6,172.80", "2020-01-05", "张三", "个人", "IM-HT-001", "2020 年租金"],
    ["IM-SK-002", "￥1625", "2021年3月2日", "莲坂茶业合作社", "单位", "IM-HT-002", ""],
    ["IM-SK-003", "1000", "20220110", "王五", "", "", "村集体其他收入"],
]
GOOD = {"parcels": PARCELS, "contracts": CONTRACTS, "receipts": RECEIPTS}
SHEETS = {"parcels": "地块资产", "contracts": "合同", "receipts": "收款"}


def xlsx(*sheets: tuple[str, list[list[Any]]]) -> bytes:
    """A workbook with these (name, rows) sheets, in order."""
    book = Workbook()
    first = book.active
    for index, (name, rows) in enumerate(sheets):
        sheet = first if index == 0 else book.create_sheet()
        sheet.title = name
        for row in rows:
            sheet.append(row)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def excel_typed(kind: str) -> list[list[Any]]:
    """The good rows with what Excel stores natively: real dates and numbers, not text."""
    rows = [list(r) for r in GOOD[kind]]
    if kind == "contracts":
        rows[3][7] = date(2022, 1, 1)
        rows[1][9] = 500
        rows[3][9] = 20.0
    if kind == "receipts":
        rows[1][1] = 6172.8
        rows[1][2] = date(2020, 1, 5)
    if kind == "parcels":
        rows[3][4] = 45.5
    return rows


def csv_bytes(rows: list[list[Any]], encoding: str) -> bytes:
    """CSV as Excel writes it: CRLF; "utf-8-sig" starts with a BOM, "gbk" is what WPS saves."""
    out = io.StringIO()
    csv.writer(out, lineterminator="\r\n").writerows(rows)
    return out.getvalue().encode(encoding)


def file_of(kind: str, form: str) -> tuple[bytes, str]:
    """The good file of `kind` in `form` ("xlsx", "csv-gbk" or "csv-bom") and a file name."""
    if form == "xlsx":
        return xlsx((SHEETS[kind], excel_typed(kind))), f"{kind}.xlsx"
    return csv_bytes(GOOD[kind], "gbk" if form == "csv-gbk" else "utf-8-sig"), f"{kind}.csv"


def upload(client, kind: str, data: bytes, name: str = "ledger.xlsx", **form: str):
    return client.post(f"/staff/import/{kind}", data={"file": (io.BytesIO(data), name), **form},
                       content_type="multipart/form-data")


def digest_of(response) -> str:
    found = re.search(r'name="file" value="([0-9a-f]{64})"', response.get_data(as_text=True))
    assert found, response.get_data(as_text=True)[:3000]
    return found.group(1)


def confirm(client, kind: str, digest: str, reason: str = REASON, **form: str):
    return client.post(f"/staff/import/{kind}/confirm", data={"file": digest, "reason": reason, **form})


def approve(app, submitted, username: str = "demo-committee"):
    """A committee member approves the import draft a confirmation submitted (the page it went to)."""
    location = submitted.headers["Location"]
    assert "/staff/drafts/" in location, location
    draft_id = int(location.rstrip("/").rsplit("/", 1)[-1])
    committee = app.test_client()
    assert committee.post("/login", data={"username": username, "password": "demo-2026"}).status_code == 302
    return committee.post(f"/committee/drafts/{draft_id}/approve")


def problems_of(response) -> list[tuple[str, str, str]]:
    """(row, column, reason) of every line of a report page's problem table."""
    page = response.get_data(as_text=True)
    body = re.search(r'<table class="problems">.*?<tbody>(.*?)</tbody>', page, flags=re.S)
    assert body, page[:3000]
    found = []
    for row in re.findall(r"<tr>(.*?)</tr>", body.group(1), flags=re.S):
        cells = [html.unescape(re.sub(r"<[^>]+>", "", cell)).strip() for cell in re.findall(r"<td[^>]*>(.*?)</td>", row, flags=re.S)]
        found.append(tuple(cells[-3:]))
    return found
