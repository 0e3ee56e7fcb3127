"""Importing a village ledger through the staff pages, on SQLite and PostgreSQL: a good file of
each kind and form is checked, submitted with a reason as one draft, approved by a committee
member and written as one audited batch (one entry per record, the same reason, author and
approver named, `audit verify` clean); a bad file is reported row by row and column by column
and writes nothing; only the village's own staff may, with a CSRF token."""
from __future__ import annotations

import json
import pickle
import re

import pytest
from openpyxl import load_workbook
from sqlalchemy import event, func, select

from portal.accounts.services import UserInput, create_user
from portal.auditlog import store as audit_log
from portal.auditlog.models import AuditEntry
from portal.contracts.models import Contract
from portal.imports.parse import parse_file
from portal.imports.rows import Problem
from portal.imports.services import BatchRefused, import_batch
from portal.kernel.errors import PermissionDenied
from portal.kernel.transaction import SYSTEM, Actor
from portal.parcels.models import Asset
from portal.parcels.services import AssetInput, create_asset
from portal.receipts.models import Receipt
from portal.villages.services import VillageInput, create_village

from .conftest import DEMO_STAFF, make_app
from .importfiles import (
    COMPANY_CODE,
    PERSON_ID,
    REASON,
    SHEETS,
    approve,
    confirm,
    csv_bytes,
    digest_of,
    excel_typed,
    file_of,
    problems_of,
    upload,
    xlsx,
)
from .test_integrity import verify


def state(backend) -> tuple[int, int, int, int]:
    """Log entries of the demo village, and rows of assets, contracts and receipts."""
    with backend.db.read() as session:
        return (session.scalar(select(func.count()).select_from(AuditEntry).where(AuditEntry.log == "lianban")),
                *(session.scalar(select(func.count()).select_from(m)) for m in (Asset, Contract, Receipt)))


def entries_since(backend, seq: int) -> list[dict]:
    with backend.db.read() as session:
        return [json.loads(line) for line in audit_log.iter_lines(session, "lianban", seq)]


@pytest.fixture
def staff(client, auth, demo):
    assert auth.login().status_code == 302
    return client


@pytest.mark.parametrize("form", ["xlsx", "csv-gbk", "csv-bom"])
def test_a_good_ledger_of_each_kind_is_imported_as_one_audited_batch(app, staff, backend, runner, form):
    for kind, entity in (("parcels", "asset"), ("contracts", "contract"), ("receipts", "receipt")):
        data, name = file_of(kind, form)
        checked = upload(staff, kind, data, name)
        assert checked.status_code == 200, problems_of(checked)
        page = checked.get_data(as_text=True)
        assert "检查通过" in page and "3 条" in page and checked.headers["Cache-Control"] == "private, no-store"
        assert "提交监委会审核" in page
        before = state(backend)
        assert f'name="source" value="{name}"' in page
        submitted = confirm(staff, kind, digest_of(checked), source=name)
        assert submitted.status_code == 302 and "/staff/drafts/" in submitted.headers["Location"]
        assert state(backend) == before  # nothing is public before a committee member approves
        draft = staff.get(submitted.headers["Location"]).get_data(as_text=True)
        assert "待审核" in draft and "已提交监委会审核：批准后一次导入 3 条记录" in draft and name in draft
        assert approve(app, submitted).status_code == 302
        entries = entries_since(backend, before[0])
        assert [(e["action"], e["reason"], e["version"]) for e in entries] == [(f"{entity}.create", REASON, 1)] * 3
        assert {e["actor"] for e in entries} == {"staff:demo-staff+committee:demo-committee"}
    assert verify(runner).exit_code == 0
    def imported(column) -> dict:
        model = column.class_
        with backend.db.read() as session:
            return dict(session.execute(select(model.number, column).where(model.number.like("IM-%"))).all())

    areas, rates, units = imported(Asset.area), imported(Contract.rent_rate), imported(Contract.rent_unit)
    kinds, payers = imported(Contract.lessee_kind), imported(Receipt.payer_is_person)
    assert {k: str(v) for k, v in areas.items()} == {"IM-001": "12.3456", "IM-002": "8.00", "IM-S01": "45.50"}
    assert {k: str(v) for k, v in rates.items()} == {"IM-HT-001": "500.00", "IM-HT-002": "500.00", "IM-HT-003": "20.00"}
    assert units["IM-HT-003"].value == "m2_month" and units["IM-HT-001"].value == "mu_year"
    assert kinds["IM-HT-001"].value == "person"  # told by the ID number
    assert payers == {"IM-SK-001": True, "IM-SK-002": False, "IM-SK-003": True}  # empty: a person, masked
    assert [e["data"]["payer"]["name"] for e in entries] == ["张*", "莲坂茶业合作社", "王*"]  # the receipts'


def test_a_whole_ledger_refers_to_rows_of_its_other_sheets(app, staff, backend, runner):
    data = xlsx(*((SHEETS[k], excel_typed(k)) for k in ("parcels", "contracts", "receipts")))
    checked = upload(staff, "all", data)
    assert checked.status_code == 200, problems_of(checked)
    before = state(backend)
    assert approve(app, confirm(staff, "all", digest_of(checked))).status_code == 302
    assert [a - b for a, b in zip(state(backend), before)] == [9, 3, 3, 3]
    assert verify(runner).exit_code == 0


BAD_CONTRACTS = [
    ["莲坂村土地承包合同台账"],                      # a title above the header: row 1
    [],
    ["序号", "合同编号", "承租方", "证件号码", "地块编号", "起始日期", "终止日期", "租金单价", "递增", "缴款周期"],
    [1, "IM-HT-101", "莲坂茶业合作社", COMPANY_CODE, "IM-P1", "2020-01-01", "2024-12-31", "500", "", ""],
    [2, "IM-HT-101", "莲坂茶业合作社", COMPANY_CODE, "IM-P2", "2020-01-01", "2024-12-31", "500", "", ""],
    [3, "LB-HT-2016-001", "莲坂茶业合作社", COMPANY_CODE, "IM-P2", "2020-01-01", "2024-12-31", "500", "", ""],
    [4, "IM-HT-104", "莲坂茶业合作社", COMPANY_CODE, "IM-P2", "2020-13-01", "2024-12-31", "500", "", ""],
    [5, "IM-HT-105", "莲坂茶业合作社", COMPANY_CODE, "IM-P2", "2020-01-01", "2024-12-31", "12,34", "", ""],
    [6, "IM-HT-106", "莲坂茶业合作社", COMPANY_CODE, "NOPE-1", "2020-01-01", "2024-12-31", "500", "", ""],
    [7, "IM-HT-107", '=HYPERLINK("http://x.example","点我")', COMPANY_CODE, "IM-P2", "2020-01-01", "2024-12-31",
     "500", "", ""],
    [8, "IM-HT-108", "莲坂茶业合作社", COMPANY_CODE, "IM-P2", "2020-01-01", "2024-12-31", "500", "逐年上涨", ""],
    [],                                             # row 12: empty, skipped, still counted
    [10, "IM-HT-110", "张三", 110101199003071233, "IM-P2", "2020-01-01", "2024-12-31", "500", "", ""],
    [11, "IM-HT-111", "莲坂茶业合作社", COMPANY_CODE, "IM-P2", "2024-01-01", "2020-12-31", "500", "", ""],
    [12, "IM-HT-112", "", COMPANY_CODE, "IM-P2", "2020-01-01", "2024-12-31", "500", "", "两年一付"],
    [13, "IM-HT-113", "莲坂茶业合作社", COMPANY_CODE, "IM-P1", "2023-01-01", "2025-12-31", "500", "", ""],
]


def test_every_bad_row_is_reported_by_row_and_column_and_nothing_is_written(staff, backend):
    for number in ("IM-P1", "IM-P2"):
        create_asset(backend, DEMO_STAFF, "lianban", AssetInput(number=number, name=number, kind="land", area="10"))
    before = state(backend)
    response = upload(staff, "contracts", xlsx(("合同", BAD_CONTRACTS)))
    assert response.status_code == 400
    found = problems_of(response)
    assert [(row, column) for row, column, _ in found] == [
        ("5", "合同编号"), ("6", "合同编号"), ("7", "起始日期"), ("8", "租金单价"), ("9", "地块编号"), ("10", "承租方"),
        ("11", "递增"), ("13", "证件号码"), ("14", "终止日期"), ("15", "承租方"), ("15", "缴款周期"), ("16", "地块编号")]
    reasons = dict(((row, column), reason) for row, column, reason in found)
    assert "与第 4 行重复" in reasons[("5", "合同编号")]
    assert "本村已有" in reasons[("6", "合同编号")]
    assert "不是有效日期" in reasons[("7", "起始日期")]
    assert "不是有效的金额" in reasons[("8", "租金单价")]
    assert "没有编号为“NOPE-1”的地块" in reasons[("9", "地块编号")]
    assert "公式" in reasons[("10", "承租方")]
    assert "每5年递增5%" in reasons[("11", "递增")]
    assert "存成了数字" in reasons[("13", "证件号码")]
    assert "晚于起始日期" in reasons[("14", "终止日期")]
    assert "年付、半年付" in reasons[("15", "缴款周期")] and "请填写承租方" in reasons[("15", "承租方")]
    assert "已由合同 IM-HT-101 出租" in reasons[("16", "地块编号")]  # leased by row 4 of the same file
    assert "共发现 12 处问题" in response.get_data(as_text=True)
    assert state(backend) == before


def test_the_confirmation_imports_exactly_the_checked_file_and_rechecks_the_village(staff, backend, app):
    data, name = file_of("parcels", "xlsx")
    digest = digest_of(upload(staff, "parcels", data, name))
    kept = next((app.instance_path and __import__("pathlib").Path(app.instance_path) / "imports").glob(f"*/parcels-{digest}"))
    original = kept.read_bytes()
    kept.write_bytes(original + b"\0")  # changed on disk: no longer the file that was checked
    before = state(backend)
    assert confirm(staff, "parcels", digest).status_code == 400
    assert confirm(staff, "contracts", digest).status_code == 400  # checked as parcels, not contracts
    kept.write_bytes(original)
    create_asset(backend, DEMO_STAFF, "lianban", AssetInput(number="IM-002", name="抢先登记", kind="land", area="1"))
    refused = confirm(staff, "parcels", digest)
    assert refused.status_code == 400
    assert [(r, c) for r, c, _ in problems_of(refused)] == [("3", "地块编号")]
    assert state(backend)[0] == before[0] + 1  # only the asset created meanwhile
    missing = confirm(staff, "parcels", digest, reason="")
    assert missing.status_code == 400  # the village still differs from the file: reported before the reason


def test_a_reason_is_required_and_the_file_is_gone_once_submitted(app, staff, backend):
    data, name = file_of("parcels", "csv-bom")
    digest = digest_of(upload(staff, "parcels", data, name))
    before = state(backend)
    refused = confirm(staff, "parcels", digest, reason="  ")
    assert refused.status_code == 400 and "请填写导入的理由" in refused.get_data(as_text=True)
    assert digest in refused.get_data(as_text=True) and state(backend) == before
    submitted = confirm(staff, "parcels", digest)
    assert submitted.status_code == 302
    assert confirm(staff, "parcels", digest).status_code == 400  # submitted once, not twice
    approve(app, submitted)
    assert state(backend)[1] == before[1] + 3


def test_templates_download_and_a_filled_template_imports(app, staff, backend):
    for kind, sheets in (("parcels", ["地块资产"]), ("contracts", ["合同"]), ("receipts", ["收款"]),
                         ("all", ["地块资产", "合同", "收款"])):
        response = staff.get(f"/staff/import/template/{kind}.xlsx")
        assert response.status_code == 200 and response.mimetype.endswith("spreadsheetml.sheet")
        assert "attachment" in response.headers["Content-Disposition"]
        book = load_workbook(__import__("io").BytesIO(response.data))
        assert book.sheetnames == [*sheets, "填写说明"]
        assert [c.value for c in book[sheets[0]][2]][0] == "示例"
        notes = " ".join(str(c.value) for row in book["填写说明"].iter_rows() for c in row if c.value)
        assert "必填" in notes and "示例" in notes and "公式" in notes
        only_example = upload(staff, kind, response.data)  # the example row alone imports nothing
        assert only_example.status_code == 400 and "没有要导入的行" in only_example.get_data(as_text=True)
    book = load_workbook(__import__("io").BytesIO(response.data))
    for kind, sheet in SHEETS.items():
        headers = [c.value for c in book[sheet][1]]
        for values in excel_typed(kind)[1:]:
            given = dict(zip(excel_typed(kind)[0], values))
            book[sheet].append([given.get(h, "") for h in headers])
    out = __import__("io").BytesIO()
    book.save(out)
    before = state(backend)
    checked = upload(staff, "all", out.getvalue())
    assert checked.status_code == 200, problems_of(checked)
    assert approve(app, confirm(staff, "all", digest_of(checked))).status_code == 302
    assert state(backend)[0] == before[0] + 9


@pytest.mark.parametrize("username", ["demo-committee", "demo-township"])
def test_only_village_staff_may_import(client, auth, demo, backend, username):
    assert auth.login(username).status_code == 302
    data, name = file_of("parcels", "xlsx")
    before = state(backend)
    for response in (client.get("/staff/import"), client.get("/staff/import/template/parcels.xlsx"),
                     upload(client, "parcels", data, name), confirm(client, "parcels", "0" * 64)):
        assert response.status_code == 403
    assert state(backend) == before


@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)  # the page alone: one database will do
def test_anonymous_readers_are_sent_to_log_in(client, demo):
    response = client.get("/staff/import")
    assert response.status_code == 302 and "/login" in response.headers["Location"]
    assert upload(client, "parcels", b"x").status_code == 302


def test_another_village_cannot_import_into_this_one(app, staff, backend):
    create_village(backend, SYSTEM, VillageInput(code="othercun", name="邻村", township="莲花镇（演示）"))
    create_user(backend, SYSTEM, UserInput("other-staff", "邻村报账员", "other-2026-pass", "staff", "othercun"))
    data, name = file_of("parcels", "xlsx")
    digest = digest_of(upload(staff, "parcels", data, name))  # checked by lianban's staff
    other = app.test_client()
    assert other.post("/login", data={"username": "other-staff", "password": "other-2026-pass"}).status_code == 302
    before = state(backend)
    assert confirm(other, "parcels", digest).status_code == 400  # not a file of their village
    assert state(backend) == before
    own = upload(other, "parcels", data, name)  # the same file, imported by them, goes to their village
    assert confirm(other, "parcels", digest_of(own)).status_code == 302
    assert state(backend)[0] == before[0]
    with pytest.raises(PermissionDenied):
        import_batch(backend, Actor("other-staff", "staff", village="othercun"), "lianban", "parcels",
                     parse_file(data, "parcels").rows, REASON)
    assert state(backend)[0] == before[0]


def test_a_form_without_the_csrf_token_is_refused(database_url, tmp_path, demo):
    app = make_app(database_url, tmp_path)  # CSRF on, as in production
    client = app.test_client()
    token = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', client.get("/login").get_data(as_text=True)).group(1)
    client.post("/login", data={"username": "demo-staff", "password": "demo-2026", "csrf_token": token})
    page = client.get("/staff/import")
    assert page.status_code == 200
    token = re.search(r'name="csrf_token" value="([^"]+)"', page.get_data(as_text=True)).group(1)
    data, name = file_of("parcels", "xlsx")
    assert upload(client, "parcels", data, name).status_code == 400
    checked = upload(client, "parcels", data, name, csrf_token=token)
    assert checked.status_code == 200
    backend = app.extensions["portal"]
    before = state(backend)
    assert confirm(client, "parcels", digest_of(checked)).status_code == 400
    assert state(backend) == before
    assert confirm(client, "parcels", digest_of(checked), csrf_token=token).status_code == 302
    app.extensions["portal"].db.dispose()


REFUSED_FILES = [
    (b"x" * (5 * 1024 * 1024 + 1), "超过了 5 MB"),
    ("地块编号,名称,面积（亩）\r\nIM-1,一\x00号,1\r\n".encode(), "空字符"),
    (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 600, "旧版 Excel"),
    (b"PK\x03\x04 not really a workbook", "无法读取这个 Excel 文件"),
    (csv_bytes([["地块编号", "名称", "面积（亩）"], ["IM-1", "一号", "=1+2"]], "utf-8-sig"), "公式"),
    (xlsx(("地块资产", [["地块编号", "名称", "面积（亩）"], ["IM-1", "一号", "=SUM(1,2)"]])), "公式"),
    (csv_bytes([["地块编号", "名称", "颜色"]], "gbk"), "不认识“颜色”这一列"),
]


def test_files_that_cannot_be_imported_are_refused_with_a_reason(staff, backend):
    before = state(backend)
    for data, expected in REFUSED_FILES:
        response = upload(staff, "parcels", data, "ledger.csv")
        assert response.status_code == 400, expected
        assert expected in response.get_data(as_text=True)
    assert state(backend) == before


@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)  # the page alone: one database will do
def test_an_upload_over_the_request_limit_gets_413(staff):
    assert upload(staff, "parcels", b"x" * (13 * 1024 * 1024)).status_code == 413


@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)  # the page alone: one database will do
def test_no_file_chosen_says_so_next_to_the_field(staff):
    response = staff.post("/staff/import/receipts", data={}, content_type="multipart/form-data")
    assert response.status_code == 400
    assert 'id="file-receipts-error"' in response.get_data(as_text=True)
    assert staff.post("/staff/import/castles", data={}).status_code == 404


def test_a_batch_is_one_transaction_and_its_refusal_carries_every_problem(backend, demo):
    rows = parse_file(file_of("parcels", "xlsx")[0], "parcels").rows
    commits = []
    counted = commits.append  # one bound method, so the same one is removed
    event.listen(backend.db.sessions, "after_commit", counted)
    try:
        assert import_batch(backend, DEMO_STAFF, "lianban", "parcels", rows, REASON) == {"parcels": 3}
    finally:
        event.remove(backend.db.sessions, "after_commit", counted)
    assert len(commits) == 1
    with pytest.raises(BatchRefused) as refused:
        import_batch(backend, DEMO_STAFF, "lianban", "parcels", rows, REASON)
    assert [p.column for p in refused.value.problems] == ["地块编号"] * 3
    again = pickle.loads(pickle.dumps(refused.value))
    assert again.problems == refused.value.problems and isinstance(again.problems[0], Problem)
    assert "file" in again.errors


@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)  # the page alone: one database will do
def test_the_import_page_in_english(staff):
    page = staff.get("/staff/import?lang=en").get_data(as_text=True)
    assert "<h1>Import historical ledgers</h1>" in page and ">Whole ledger</h2>" in page
    assert "At most 2000 rows and 5 MB per file." in page


def test_a_row_referring_to_a_refused_row_above_it_says_so(staff, backend):
    before = state(backend)
    response = upload(staff, "all", xlsx(
        ("地块资产", [["地块编号", "名称", "面积（亩）"], ["IM-9", "九号", "abc"]]),
        ("合同", [["合同编号", "承租方", "证件号码", "地块编号", "起始日期", "终止日期", "租金单价"],
                ["IM-HT-9", "合作社", COMPANY_CODE, "IM-9", "2020-01-01", "2024-12-31", "500"]]),
        ("收款", [["收据号", "金额", "收款日期", "交款人", "合同编号"], ["IM-SK-9", "500", "2020-01-05", "合作社", "IM-HT-9"],
                ["IM-SK-9", "500", "2021-01-05", "合作社", ""]])))
    assert response.status_code == 400
    assert problems_of(response) == [
        ("2", "面积（亩）", "面积（亩）必须是数字"),
        ("2", "地块编号", "地块“IM-9”在“地块资产”表第 2 行，那一行有问题：改正后才能引用"),
        ("2", "合同编号", "合同“IM-HT-9”在“合同”表第 2 行，那一行有问题：改正后才能引用"),
        ("3", "收据号", "“IM-SK-9”与“收款”表第 2 行重复")]
    assert state(backend) == before
