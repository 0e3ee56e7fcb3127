"""Reading an import file, without a database: headers as ledgers write them (under a title,
with synonyms and units), the example row, row numbers as Excel shows them, encodings,
Excel's own values, ledger words, and the limits."""
from __future__ import annotations

from datetime import date, datetime

import pytest

from portal.contracts.services import ContractInput
from portal.imports.parse import parse_file
from portal.imports.tables import MAX_ROWS
from portal.parcels.services import AssetInput
from portal.receipts.services import ReceiptInput

from .importfiles import COMPANY_CODE, PERSON_ID, csv_bytes, xlsx


def only(parsed):
    assert parsed.all_problems == [], parsed.all_problems
    return parsed.rows


def test_headers_under_a_title_with_synonyms_and_units_and_the_example_row_skipped():
    rows = only(parse_file(xlsx(("台账", [
        ["莲坂村资产登记表", None, None],
        ["（2026 年 11 月）"],
        ["序号", "资产编号 ", "土名", "面积\n(亩)", "座落"],
        ["示例", "X-1", "示例地", "1", ""],
        [1, "P-1", "东洋", "3.5", "一组"],
        [],
        [2, "P-2", "西洋", 2.25, ""],
    ])), "parcels"))
    assert [(r.line, r.record) for r in rows] == [
        (5, AssetInput(number="P-1", name="东洋", kind="land", area="3.5", location="一组")),
        (7, AssetInput(number="P-2", name="西洋", kind="land", area="2.25"))]
    assert rows[0].headers["area"] == "面积\n(亩)"


@pytest.mark.parametrize("encoding", ["gbk", "utf-8-sig", "utf-8", "gb18030"])
def test_csv_in_the_encodings_excel_and_wps_write(encoding):
    data = csv_bytes([["收据号", "金额", "收款日期", "交款人"], ["SK-1", "￥1,234.50", "2026/1/5", "欧阳秀英"]], encoding)
    [row] = only(parse_file(data, "receipts"))
    assert row.record == ReceiptInput(number="SK-1", amount="￥1,234.50", received_on="2026/1/5",
                                      payer_name="欧阳秀英", payer_is_person=True)
    assert row.line == 2


def test_tab_separated_text_is_read_too():
    data = "收据号\t金额\t收款日期\t交款人\r\nSK-1\t100\t2026-01-05\t某公司\r\n".encode("utf-8")
    assert only(parse_file(data, "receipts"))[0].record.amount == "100"


def test_excel_values_become_what_a_form_sends():
    [row] = only(parse_file(xlsx(("合同", [
        ["合同编号", "承租方", "证件号码", "地块编号", "起始日期", "终止日期", "租金单价", "签订日期"],
        [2016001, "合作社", COMPANY_CODE, "P-1、P-2", datetime(2016, 1, 1), 46387, 500.5, date(2015, 12, 20)],
    ])), "contracts"))
    record = row.record
    assert isinstance(record, ContractInput)
    assert (record.number, record.start_date, record.end_date, record.rent_rate, record.signed_on) == (
        "2016001", "2016-01-01", "2026-12-31", "500.5", "2015-12-20")
    assert record.assets == [("P-1", None), ("P-2", None)] and record.lessee_kind == "company"
    assert record.title == "地块 P-1、P-2 租赁合同" and record.payment_interval_months == "12"


@pytest.mark.parametrize("text, percent, years", [
    ("每5年递增5%", "5", "5"), ("每三年递增10%", "10", "3"), ("5年5%", "5", "5"), ("每 2 年上浮 2.5％", "2.5", "2"),
    ("", "0", "0"), ("无", "0", "0"), ("不递增", "0", "0"),
])
def test_escalation_as_ledgers_write_it(text, percent, years):
    [row] = only(parse_file(csv_bytes([["合同编号", "承租方", "证件号码", "地块编号", "起始日期", "终止日期", "递增"],
                                       ["HT-1", "张三", PERSON_ID, "P-1", "2020-01-01", "2030-12-31", text]],
                                      "utf-8"), "contracts"))
    assert (row.record.escalation_percent, row.record.escalation_every_years) == (percent, years)
    assert row.record.lessee_kind == "person"


def test_escalation_in_two_columns_and_ledger_words_for_choices():
    [row] = only(parse_file(csv_bytes([
        ["合同编号", "承租人", "承租方性质", "证件号码", "地块编号", "出租面积", "起始日期", "终止日期", "递增比例", "递增间隔",
         "缴款方式", "租金单位"],
        ["HT-1", "某厂", "企业", "", "S-1、S-2", "10、20.5", "2020-01-01", "2030-12-31", "3", "2", "季付", "元/平方米/月"],
    ], "utf-8"), "contracts"))
    record = row.record
    assert (record.lessee_kind, record.escalation_percent, record.escalation_every_years,
            record.payment_interval_months, record.rent_unit) == ("company", "3", "2", "3", "m2_month")
    assert record.assets == [("S-1", "10"), ("S-2", "20.5")]


def test_words_and_cells_that_cannot_be_read_are_reported_where_they_are():
    parsed = parse_file(xlsx(("合同", [
        ["合同编号", "承租方", "承租方类型", "证件号码", "地块编号", "面积", "起始日期", "终止日期", "递增", "缴款周期"],
        ["HT-1", "张三", "亲戚", 110101199003071233, "P-1、P-2", "1", "2020-01-01", "2030-12-31", "看情况", "两年一付"],
        ["HT-2", "=A1", "", "", "P-1", "", "2020-01-01", "2030-12-31", "", ""],
    ])), "contracts")
    assert [(p.row, p.column) for p in parsed.all_problems] == [
        (2, "承租方类型"), (2, "证件号码"), (2, "面积"), (2, "递增"), (2, "缴款周期"), (3, "承租方"), (3, "承租方类型")]
    assert [p.row for p in parsed.all_problems] == [2, 2, 2, 2, 2, 3, 3]
    assert "个人 或 单位" in parsed.all_problems[0].reason and "存成了数字" in parsed.all_problems[1].reason


def test_unknown_duplicate_missing_and_unnamed_columns():
    parsed = parse_file(csv_bytes([["地块编号", "名称", "编号", "颜色"], ["P-1", "东洋", "P-1", "红"]], "utf-8"), "parcels")
    assert [(p.row, p.column, p.reason[:6]) for p in parsed.all_problems] == [
        (1, "编号", "“编号”与“"), (1, "颜色", "不认识“颜色"), (1, "面积（亩）", "缺少“面积（")]
    assert parsed.rows == ()
    unnamed = parse_file(csv_bytes([["地块编号", "名称", "面积", ""], ["P-1", "东洋", "1", "红"]], "utf-8"), "parcels")
    assert [(p.row, p.column) for p in unnamed.all_problems] == [(2, "第 D 列")]


def test_a_file_without_a_header_row_says_what_it_looked_for():
    [problem] = parse_file(csv_bytes([["a", "b"], ["1", "2"]], "utf-8"), "receipts").all_problems
    assert problem.row == 1 and "收据号、金额、收款日期、交款人" in problem.reason


def test_a_whole_ledger_reads_its_sheets_by_name_and_refuses_others():
    good = parse_file(xlsx(("收据", [["收据号", "金额", "收款日期", "交款人"], ["SK-1", "1", "2026-01-01", "某"]]),
                           ("地块", [["地块编号", "名称", "面积"], ["P-1", "东洋", "1"]]),
                           ("填写说明", [["说明文字"]])), "all")
    assert [(r.kind, r.sheet, r.line) for r in good.rows] == [("parcels", "地块", 2), ("receipts", "收据", 2)]
    bad = parse_file(xlsx(("合同", [["合同编号"]]), ("其他", [["随便"]])), "all")
    assert [(p.sheet, p.reason[:3]) for p in bad.all_problems] == [("其他", "整套台"), *[("合同", "缺少“")] * 4]


def test_more_rows_than_a_file_may_hold_are_refused_before_any_is_checked():
    rows = [["地块编号", "名称", "面积"]] + [[f"P-{i}", "地", "1"] for i in range(MAX_ROWS + 1)]
    parsed = parse_file(csv_bytes(rows, "utf-8"), "parcels")
    assert [p.reason for p in parsed.problems] == [f"一次最多导入 {MAX_ROWS} 行，这个文件超过了：请分成几个文件导入"]
    assert len(only(parse_file(csv_bytes(rows[:-1], "utf-8"), "parcels"))) == MAX_ROWS


@pytest.mark.parametrize("data, reason", [
    (b"", "文件是空的"), (b" \r\n", "文件是空的"), ("名称\n".encode("utf-16"), "空字符"),
    (b"\xff\xfe\xfd\x80\x81", "无法识别文件的文字编码"),
])
def test_what_is_not_a_ledger(data, reason):
    [problem] = parse_file(data, "parcels").all_problems
    assert (problem.row, reason in problem.reason) == (None, True)


def test_a_workbook_of_several_sheets_names_the_one_to_import():
    sheets = (("甲", [["地块编号", "名称", "面积"], ["P-1", "东洋", "1"]]), ("乙", [["地块编号", "名称", "面积"]]))
    [problem] = parse_file(xlsx(*sheets), "parcels").all_problems
    assert "命名为“地块资产”" in problem.reason
    named = parse_file(xlsx(*sheets, ("地块资产", [["地块编号", "名称", "面积"], ["P-2", "西洋", "2"]])), "parcels")
    assert [r.record.number for r in only(named)] == ["P-2"]
