"""Titles and labels built in Python follow the reader's language on web pages (through say()
and the catalog), while Chinese pages keep their exact words and downloads and printed PDFs stay
Chinese whatever the reader chose (publishing/formatting.py: they are data and board notices)."""
from __future__ import annotations

import ast
import html
import re
from pathlib import Path

import pytest
from flask_babel import force_locale

from portal.imports.rows import Problem
from portal.imports.services import BatchRefused
from portal.translations import translate

from .importfiles import problems_of, upload, xlsx
from .test_english import CJK, catalog, english, reader, tag_texts  # noqa: F401  (fixture)

YEAR = "/v/lianban/dividends/2025"
COMMENTS = "/v/lianban/plans/FA-2023-001/comments"
FUND = "/v/lianban/ledger/funds/JJ-001"


@pytest.fixture
def chinese(app):
    """A second reader, who kept the default (the `reader` fixture is the `client` switched to English)."""
    return app.test_client()


def text_of(page: str) -> str:
    return html.unescape(" ".join(re.sub(r"<[^>]+>", " ", page).split()))


def svg_titles(page: str) -> list[str]:
    return [html.unescape(t) for t in re.findall(r"<title id=\"[\w-]+\">([^<]*)</title>", page)]


def test_dividend_list_title_in_english(reader, chinese, demo):
    page = english(reader, YEAR)
    title = tag_texts(page, "title")[0]
    assert title.startswith("Dividend list 2025 · ") and "年度分红名单" not in title
    chinese = chinese.get(YEAR).get_data(as_text=True)
    assert tag_texts(chinese, "title")[0].startswith("2025年度分红名单 · 莲坂村")


def test_plan_comments_title_in_english(reader, chinese, demo):
    title = tag_texts(english(reader, COMMENTS), "title")[0]
    assert title.startswith("Comments and replies (FA-2023-001) · ") and "意见及答复" not in title
    assert tag_texts(chinese.get(COMMENTS).get_data(as_text=True), "title")[0].startswith("意见及答复（FA-2023-001） · ")


def test_fund_rule_and_shares_in_english(reader, chinese, demo):
    ledger = text_of(english(reader, "/v/lianban/ledger"))
    fund = text_of(english(reader, FUND))
    assert re.search(r"[\d.]+ yuan per [\d.]+ yuan \(", fund) and re.search(r"[\d.]+ yuan per [\d.]+ yuan \(", ledger)
    # the rule's and shares' words in English (the fund's purpose, "每平方米每月 0.8 元", is data)
    assert "元物业费收入提取" not in fund + ledger and not re.search(r"\d\.\d\d 元", fund)
    assert re.search(r"From: \S.* [\d.]+ yuan", fund) and re.search(r"Set aside: \S.* [\d.]+ yuan", ledger)
    chinese = text_of(chinese.get(FUND).get_data(as_text=True))
    assert re.search(r"每 [\d.]+ 元\S+提取 [\d.]+ 元", chinese) and re.search(r"来自：\S+ [\d.]+ 元", chinese)


def test_parcel_outline_and_village_qr_titles_in_english(reader, chinese, demo):
    assert "Boundary of LB-001 (north is up)" in svg_titles(english(reader, "/v/lianban/parcels/LB-001"))
    assert "LB-001 的边界（上为北）" in svg_titles(chinese.get("/v/lianban/parcels/LB-001").get_data(as_text=True))
    page = english(reader, "/v/lianban/")
    assert "Open Village Assets" in page and " 三资公开<" not in page
    assert "莲坂村（演示数据） 三资公开</title>" in chinese.get("/v/lianban/").get_data(as_text=True)


def test_audit_api_errors_in_the_readers_language(reader, chinese, demo):
    english_error = reader.get("/v/lianban/audit/entries.jsonl?start=x")
    assert english_error.status_code == 400
    assert english_error.get_json() == {
        "error": "Bad request", "detail": "The parameter start must be a whole number of 0 or more; got “x”"}
    chinese_error = chinese.get("/v/lianban/audit/entries.jsonl?start=x").get_json()
    assert chinese_error == {"error": "请求有误", "detail": "参数 start 必须是非负整数，收到“x”"}


@pytest.mark.parametrize("suffix", [".csv", ".json", ".xlsx"])
def test_downloads_stay_chinese_for_an_english_reader(reader, chinese, demo, suffix):
    english_body, chinese_body = reader.get(YEAR + suffix).data, chinese.get(YEAR + suffix).data
    if suffix == ".json":
        assert reader.get(YEAR + suffix).get_json()["title"] == "2025年度分红名单"
    if suffix != ".xlsx":  # a workbook's zip carries the time it was written
        assert english_body == chinese_body


def test_import_problems_name_their_place_in_the_readers_language(client, auth, demo):
    assert auth.login().status_code == 302
    client.get("/staff/import?lang=en")
    receipts = [["收据号", "金额", "收款日期", "交款人", "合同编号"],
                ["IM-SK-9", "500", "2020-01-05", "合作社", ""], ["IM-SK-9", "500", "2021-01-05", "合作社", ""]]
    response = upload(client, "all", xlsx(("收款", receipts)))
    assert response.status_code == 400
    assert ("3", "收据号", "“IM-SK-9” is a duplicate of sheet “Receipts”, row 2") in problems_of(response)
    client.get("/staff/import?lang=zh")
    assert ("3", "收据号", "“IM-SK-9”与“收款”表第 2 行重复") in problems_of(upload(client, "all", xlsx(("收款", receipts))))


def test_a_refused_batch_names_sheet_row_and_column_in_either_language(app):
    refused = BatchRefused([Problem("合同", 3, "面积", "面积必须是数字"), Problem("", 4, "", "请填写承租方"),
                            Problem("", None, "", "文件中没有要导入的行")])
    message = refused.errors["file"]
    assert message == ("文件中有 3 处问题，没有导入任何记录：“合同”表第 3 行“面积”列：面积必须是数字；"
                       "第 4 行：请填写承租方；文件中没有要导入的行")
    with app.test_request_context("/"), force_locale("en"):
        shown = translate(message)
    assert "sheet “Contract”, row 3, column “Area”: 面积必须是数字" in shown and "; row 4: " in shown
    assert "The file has no rows to import" in shown and not re.search("表|第|列：", shown)


def test_comments_votes_and_dividend_lines_are_named_in_the_readers_language(app):
    """How the feed, search and "what is new" name a plan's comment or vote and a dividend line."""
    from portal.registry import REGISTRY

    vote = REGISTRY.get("consent_vote")
    line = REGISTRY.get("dividend_line")
    assert vote is not None and line is not None
    vote_name, _ = vote.describe("lianban", {"plan": "FA-2026-001", "number": 1}, "x")
    line_name, _ = line.describe("lianban", {"year": 2025, "household": "H001"}, "x")
    assert (vote_name, line_name) == ("方案 FA-2026-001 表决 1", "分红名单 2025 H001")
    with app.test_request_context("/"), force_locale("en"):
        assert (translate(vote_name), translate(line_name)) == ("Plan FA-2026-001 Vote 1", "Dividend list 2025 H001")


def test_a_missing_scan_is_named_in_the_readers_language(reader, chinese, demo):
    english_page = text_of(reader.get("/v/lianban/receipts/NOPE-1/scan").get_data(as_text=True))
    assert "Receipt “NOPE-1” has no scan" in english_page and "收据" not in english_page
    assert "收据“NOPE-1”没有扫描件" in text_of(chinese.get("/v/lianban/receipts/NOPE-1/scan").get_data(as_text=True))


def test_every_said_pattern_is_in_the_catalog():
    """pybabel reads a keyword's name (say, text, area, …) anywhere inside a say() call as a new
    call, and drops the message when the name stands alone (`count=len(text)`): the message then
    stays Chinese on English pages although the catalog looks complete."""
    known = {message.id for message in catalog() if message.id}
    missing = []
    for path in sorted((Path(__file__).resolve().parent.parent / "portal").rglob("*.py")):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if (isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id == "say" and node.args
                    and isinstance(node.args[0], ast.Constant) and isinstance(node.args[0].value, str)
                    and node.args[0].value not in known):
                missing.append(f"{path.name}:{node.lineno}: {node.args[0].value}")
    assert missing == []


def test_outlines_schedules_and_long_texts_are_described_in_the_readers_language(app):
    from portal.contracts.editing import readable as contract_readable
    from portal.kernel.history import FieldChange
    from portal.kernel.validate import Checker
    from portal.parcels.mapping import describe_outline

    outline = describe_outline([[0, 0], [80, 0], [80, 1200], [0, 1200]])
    assert outline == "4 个角点，东西约 80 米、南北约 1.2 公里（起点 0,0）"
    check = Checker()
    check.text("title", "长" * 9, "标题", max_len=4)
    too_long = check.errors["title"]
    assert too_long == "标题不能超过 4 个字（现有 9 个）"
    schedule = contract_readable(FieldChange("schedule", "缴费计划", None, [{"amount": "100.00"}, {"amount": "50.50"}]))
    assert schedule.after.startswith("共 2 期，合计 ") and schedule.after.endswith("（明细见缴费计划）")
    with app.test_request_context("/"), force_locale("en"):
        assert translate(outline) == "4 corners, about 80 m east to west and 1.2 km north to south (starting at 0,0)"
        assert translate(too_long) == "Title may be at most 4 characters (it has 9)"
        assert re.fullmatch(r"2 instalments, \S+ in all \(see the payment schedule\)", translate(schedule.after))


def test_an_import_preview_gives_a_contracts_term_in_the_readers_language(app):
    from portal.imports.parse import parse_file
    from portal.imports.preview import previews

    from .importfiles import file_of

    shown = previews(parse_file(file_of("contracts", "xlsx")[0], "contracts").rows)
    term = shown[0].rows[0][1][-1]
    assert re.fullmatch(r"\d{4}-\d\d-\d\d 至 \d{4}-\d\d-\d\d", term)
    with app.test_request_context("/"), force_locale("en"):
        assert translate(term) == term.replace(" 至 ", " to ")


def test_a_drafts_parcel_rows_in_one_line_follow_the_readers_language(app):
    from portal.contracts.editing import ROWS

    fields = {"number": "HT-9", "parcel_1": "P1", "area_1": "", "parcel_2": "P2", "area_2": "12.5"}
    with app.test_request_context("/?lang=en"):
        assert ROWS.folded(fields) == {"number": "HT-9", "assets": "P1 (whole), P2 (12.5)"}
    with app.test_request_context("/"):
        assert ROWS.folded(fields) == {"number": "HT-9", "assets": "P1（整块）、P2（12.5）"}


def test_record_names_on_the_committee_desk_follow_the_readers_language(client, auth, demo):
    """A record named by its type and number (合同 HT-001) on the audit log, a finding and a
    complaint, and a parcel's unit among the contract form's choices: English for an English reader."""
    auth.login("demo-committee")
    for url, named in (("/committee/log?lang=en", ">Complaint/comment TS-2026-0001</a>"),
                       ("/committee/findings/ZG-2026-002?lang=en", ">Receipt SK-2016-0017</a>"),
                       ("/committee/complaints/TS-2026-0001?lang=en", ">Contract LB-LZ-2024-001</a>"),
                       ("/v/lianban/complaints/TS-2026-0001?lang=en", ">Contract LB-LZ-2024-001</a>")):
        assert named in client.get(url).get_data(as_text=True), url
    assert ">合同 LB-LZ-2024-001</a>" in client.get("/committee/complaints/TS-2026-0001?lang=zh").get_data(as_text=True)
    assert '<a href="/v/lianban/">莲坂村（演示数据）</a>' in client.get("/committee/log?lang=en").get_data(as_text=True)  # by name
    client.post("/logout")
    auth.login("demo-staff")
    form = client.get("/staff/new/contract?lang=en").get_data(as_text=True)
    assert '<option value="LB-001">东洋埔1号地 · 11.70 mu</option>' in form and " 亩</option>" not in form


def test_brackets_after_a_word_follow_the_readers_language(client, auth, demo):
    """（3） after a Chinese word, " (3)" after an English one: counts, roles, a village's code."""
    auth.login("demo-committee")
    english = client.get("/committee/log?lang=en").get_data(as_text=True)
    assert "演示报账员 (Village staff)" in english and "（Village staff）" not in english
    chinese = client.get("/committee/log?lang=zh").get_data(as_text=True)
    assert "演示报账员（村干部）" in chinese
    client.post("/logout")
    auth.login("demo-staff")
    home = client.get("/staff/?lang=en").get_data(as_text=True)
    assert re.search(r">Drafts \(\d+\)</h2>", home)
    assert re.search(r">草稿（\d+）</h2>", client.get("/staff/?lang=zh").get_data(as_text=True))


def test_a_drafts_verb_is_a_drafts_word_in_english(client, auth, demo):
    """新建 on a draft is "New" (the log's 新建 is "Created"); a record type's name is singular there."""
    auth.login("demo-staff")
    english = client.get("/staff/new/asset?lang=en").get_data(as_text=True)
    assert "<h1>New Land parcel or asset</h1>" in english and "Created" not in english
    assert "<h1>新建 地块/资产</h1>" in client.get("/staff/new/asset?lang=zh").get_data(as_text=True)
    assert client.post("/staff/new/asset?lang=en", data={"number": "LB-990", "name": "试验地", "kind": "land",
                                                          "area": "2", "area_unit": "mu"}).status_code == 302
    home = client.get("/staff/?lang=en").get_data(as_text=True)
    assert "New · 试验地" in home or "New · LB-990" in home, home
    client.post("/logout")
    auth.login("demo-committee")
    log = client.get("/committee/log?kind=asset&lang=en").get_data(as_text=True)
    assert "Created" in log  # the log's own word stays past tense
    assert ">Land parcel or asset LB-" in log and "Land parcels and assets LB-" not in log  # one record
    assert ">地块/资产 LB-" in client.get("/committee/log?kind=asset&lang=zh").get_data(as_text=True)


def test_every_record_named_by_its_type_is_one_record_in_english(app):
    """合同 HT-1 is "Contract HT-1"; a type whose plain name heads a list (问题清单 "Findings")
    names one record in the singular ("Finding ZG-1") through its msgctxt 记录类型."""
    from flask_babel import force_locale

    from portal.translations import translate

    with app.test_request_context("/"), force_locale("en"):
        named = {rt.entity: translate(rt.named("X-1")) for rt in app.extensions["portal"].registry}
    assert named["finding"] == "Finding X-1" and named["notice"] == "Notice X-1"
    assert named["asset"] == "Land parcel or asset X-1" and named["contract"] == "Contract X-1"
    plural = {entity: name for entity, name in named.items()
              if name.split(" X-1")[0].endswith(("records", "Notices", "Comments", "Tenders", "ments", "Findings",
                                                  "Meetings", "and assets"))}
    assert plural == {}
