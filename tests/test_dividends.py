"""Dividend plans and lists: exact list, log entries, masking, payout after publicity, the household
check (right code sees its line, wrong sees nothing, throttled) and the staff-only payout slips."""
from __future__ import annotations

import json
import subprocess
from datetime import timedelta
from decimal import Decimal

import pytest
from sqlalchemy import select

from portal.auditlog.models import AuditEntry
from portal.dividends.models import DividendLine
from portal.dividends.reads import household_line
from portal.dividends.services import PlanInput, correct_plan, pay, show_code
from portal.kernel.errors import PermissionDenied, ValidationError
from portal.kernel.transaction import Actor
from portal.villages.services import VillageInput, create_village

from .conftest import DATABASES, STAFF
from .money_helpers import ROLL, meeting, plan
from .people import Browser, People, csrf_app, people, cheap_hashes  # noqa: F401  (fixtures)

pytestmark = pytest.mark.parametrize("database_url", DATABASES, indirect=True)


def lines(backend):
    with backend.db.read() as session:
        return [(l.household, l.head_name, l.amount, l.payout.value, l.check_code)
                for l in session.scalars(select(DividendLine).order_by(DividendLine.position))]


def test_plan_logs_one_entry_per_household_and_the_list_sums_to_the_total(backend, village):
    meeting(backend)
    plan(backend)
    got = lines(backend)
    assert [(h, a) for h, _, a, _, _ in got] == [("H001", Decimal("428.57")), ("H002", Decimal("285.72")),
                                                ("H003", Decimal("285.71"))]
    assert sum(a for _, _, a, _, _ in got) == Decimal("1000.00")
    assert len({c for *_, c in got}) == 3 and all(len(c) == 12 for *_, c in got)
    with backend.db.read() as session:
        logged = [json.loads(line) for line in session.scalars(
            select(AuditEntry.line).where(AuditEntry.entity == "dividend_line").order_by(AuditEntry.seq))]
    assert [e["data"]["head"] for e in logged] == ["张*华", "李*", "王*明"]
    assert all(e["private"] and "张三华" not in json.dumps(e, ensure_ascii=False) for e in logged)
    assert all(c not in json.dumps(logged) for *_, c in got)  # check codes are never logged


@pytest.mark.parametrize("roll, message", [
    ("H001,张三华", "三项"),
    ("H001,张三华,abc", "股数必须是数字"),
    ("H001,张三华,-1", "股数必须在"),
    ("H001,张三华,1.234", "最多保留 2 位小数"),
    ("H001,张三华,1\nH001,李四,2", "户号 H001 重复"),
    ("", "请填写分红名单"),
    ("H001,张\x00华,1", "控制字符"),
])
def test_bad_roll_is_refused_with_its_line_named(backend, village, roll, message):
    meeting(backend)
    with pytest.raises(ValidationError) as refused:
        plan(backend, roll=roll)
    assert message in refused.value.errors["roll"]
    assert lines(backend) == []


@pytest.mark.parametrize("total, message", [
    ("-5", "不能为负数"), ("1e3", "不是有效的金额"), ("12.345", "精确到分"), ("", "请填写金额"),
    ("0", "必须大于零"), ("9999999999999", "过大"),
])
def test_bad_total_is_refused_and_nothing_is_written(backend, village, total, message):
    meeting(backend)
    with pytest.raises(ValidationError) as refused:
        plan(backend, total=total)
    assert message in refused.value.errors["total"]
    assert lines(backend) == []


def test_plan_must_name_a_meeting_of_its_village(backend, village):
    create_village(backend, Actor("system", "system"), VillageInput(code="other", name="别村", township="测试镇"))
    meeting(backend, "other", actor=Actor("o", "staff", village="other"))
    with pytest.raises(ValidationError) as refused:
        plan(backend)
    assert "HY-001" in refused.value.errors["meeting_number"]


def test_another_village_staff_and_the_committee_cannot_make_a_plan(backend, village):
    meeting(backend)
    for actor in (Actor("o", "staff", village="other"), Actor("c", "committee", village="testcun"),
                  Actor("v", "villager")):
        with pytest.raises(PermissionDenied):
            plan(backend, actor=actor)


def test_payout_only_after_publicity_and_each_payment_logged(backend, village):
    meeting(backend)
    plan(backend)
    with pytest.raises(ValidationError) as refused:
        pay(backend, STAFF, "testcun", "FH-2026", {"households": "H001", "paid_on": backend.today().isoformat()}, "发放")
    assert "公示期满后才能发放" in refused.value.errors["paid_on"]
    plan(backend, number="FH-2025", year="2025", ended=True)
    pay(backend, STAFF, "testcun", "FH-2025", {"households": "H002", "paid_on": backend.today().isoformat()}, "现金发放")
    paid = [l for l in lines(backend) if l[3] == "paid"]
    assert [l[0] for l in paid] == ["H002"]
    with pytest.raises(ValidationError) as refused:
        pay(backend, STAFF, "testcun", "FH-2025", {"households": "H009", "paid_on": backend.today().isoformat()}, "发放")
    assert "H009" in refused.value.errors["households"]
    with pytest.raises(ValidationError):  # started paying: the list is fixed
        correct_plan(backend, STAFF, "testcun", "FH-2025", PlanInput(
            number="FH-2025", year="2025", title="x", total="1000", meeting_number="HY-001",
            publicity_from="2026-01-01", publicity_until="2026-01-10", roll=ROLL), "改名单")


def test_correction_recomputes_the_list_and_households_keep_their_codes(backend, village):
    meeting(backend)
    plan(backend)
    before = {h: c for h, _, _, _, c in lines(backend)}
    today = backend.today()
    correct_plan(backend, STAFF, "testcun", "FH-2026", PlanInput(
        number="FH-2026", year="2026", title="2026 年度分红方案", total="1000.01", meeting_number="HY-001",
        publicity_from=today.isoformat(), publicity_until=(today + timedelta(days=6)).isoformat(), roll="H001,张三华,3\nH002,李四,2\nH004,赵六,1"),
        "H003 迁出，H004 迁入")
    after = lines(backend)
    assert {h: c for h, _, _, _, c in after}["H001"] == before["H001"]
    live = [l for l in after if l[3] != "removed"]
    assert sum(l[2] for l in live) == Decimal("1000.01")
    assert [l[3] for l in after if l[0] == "H003"] == ["removed"]


def test_public_list_and_downloads_mask_heads(backend, village, client):
    meeting(backend)
    plan(backend)
    for path in ("/v/testcun/dividends/2026", "/v/testcun/dividends/2026.csv", "/v/testcun/dividends/2026.json",
                 "/v/testcun/dividends/2026.xlsx", "/v/testcun/dividends"):
        response = client.get(path)
        assert response.status_code == 200, path
        body = response.get_data()
        assert "张三华".encode() not in body, path
    page = client.get("/v/testcun/dividends/2026").get_data(as_text=True)
    assert "张*华" in page and "¥1,000.00" in page and "与可分配金额一致" in page
    data = client.get("/v/testcun/dividends/2026.json").get_json()
    assert sum(Decimal(r["amount"]) for r in data["rows"]) == Decimal("1000.00")
    assert client.get("/v/testcun/dividends/2024").status_code == 404


def test_list_pdf_has_every_line_and_the_total(backend, village, client):
    meeting(backend)
    plan(backend)
    response = client.get("/v/testcun/dividends/2026.pdf")
    assert response.status_code == 200 and response.data.startswith(b"%PDF")
    text = subprocess.run(["pdftotext", "-layout", "-", "-"], input=response.data, capture_output=True, check=True).stdout.decode()
    assert "张*华" in text and "张三华" not in text and "428.57" in text and "1,000.00" in text


def test_list_pdf_prints_amounts_grouped_as_the_page_shows_them(client, demo):
    """The demo's 2025 list has households due over ¥1,000: the printed line says 1,037.13, as
    the page says ¥1,037.13."""
    page = client.get("/v/lianban/dividends/2025").get_data(as_text=True)
    assert "¥1,037.13" in page
    pdf = client.get("/v/lianban/dividends/2025.pdf").data
    text = subprocess.run(["pdftotext", "-layout", "-", "-"], input=pdf, capture_output=True, check=True).stdout.decode()
    line = next(line for line in text.splitlines() if "LB-H004" in line)
    assert "1,037.13" in line and "1037.13" not in text


def test_household_sees_its_own_line_and_can_check_it_against_the_log(backend, village):
    meeting(backend)
    plan(backend)
    code = lines(backend)[0][4]
    found = household_line(backend, "testcun", code)
    assert found is not None and found.head_name == "张三华" and found.line["head"] == "张*华"
    assert found.commitment_ok
    import hashlib
    assert hashlib.sha256(bytes.fromhex(found.salt_hex) + found.personal_json.encode()).hexdigest() == found.entry["private"]
    assert household_line(backend, "testcun", "WRONGCODE234") is None
    assert household_line(backend, "testcun", "") is None


def test_check_page_right_code_shows_line_wrong_shows_nothing_and_is_throttled(csrf_app, people):
    backend = csrf_app.extensions["portal"]
    meeting(backend)
    plan(backend)
    right = lines(backend)[1][4]
    browser = Browser(csrf_app.test_client())
    shown = browser.post("/v/testcun/dividends/check", {"check_code": show_code(right).lower()})
    page = shown.get_data(as_text=True)
    assert shown.status_code == 200 and "李四" in page and "285.72" in page
    assert shown.headers["Cache-Control"] == "private, no-store"
    for _ in range(5):
        wrong = browser.post("/v/testcun/dividends/check", {"check_code": "AAAA-BBBB-CCCC"})
        assert wrong.status_code == 404
        assert "李四" not in wrong.get_data(as_text=True) and "张三华" not in wrong.get_data(as_text=True)
    blocked = browser.post("/v/testcun/dividends/check", {"check_code": show_code(right)})
    assert blocked.status_code == 429 and "李四" not in blocked.get_data(as_text=True)
    assert "分钟后再试" in blocked.get_data(as_text=True)
    other = Browser(csrf_app.test_client(), address="198.51.100.7")  # another household's phone
    assert other.post("/v/testcun/dividends/check", {"check_code": show_code(right)}).status_code == 200


def test_check_page_refuses_a_missing_or_foreign_csrf_token(csrf_app, people):
    backend = csrf_app.extensions["portal"]
    meeting(backend)
    plan(backend)
    right = lines(backend)[0][4]
    browser = Browser(csrf_app.test_client())
    missing = browser.client.post("/v/testcun/dividends/check", data={"check_code": right})
    assert missing.status_code == 400 and "张三华" not in missing.get_data(as_text=True)
    foreign = Browser(csrf_app.test_client(), address="198.51.100.8")
    stolen = foreign.token("/v/testcun/dividends/check")
    sent = browser.post("/v/testcun/dividends/check", {"check_code": right}, token=stolen)
    assert sent.status_code == 400 and "张三华" not in sent.get_data(as_text=True)


def test_payout_slips_only_for_the_villages_own_staff(csrf_app, people):
    backend = csrf_app.extensions["portal"]
    meeting(backend)
    plan(backend)
    browser = Browser(csrf_app.test_client())
    assert browser.get("/v/testcun/dividends/2026/slips.pdf").status_code == 403
    browser.login(people.committee)
    assert browser.get("/v/testcun/dividends/2026/slips.pdf").status_code == 403
    staff = Browser(csrf_app.test_client(), address="192.0.2.11")
    staff.login(people.staff)
    pdf = staff.get("/v/testcun/dividends/2026/slips.pdf")
    assert pdf.status_code == 200 and pdf.headers["Cache-Control"] == "private, no-store"
    text = subprocess.run(["pdftotext", "-layout", "-", "-"], input=pdf.data, capture_output=True, check=True).stdout.decode()
    assert "张三华" in text and show_code(lines(backend)[0][4]) in text and "肆佰贰拾捌元伍角柒分" in text


def test_audit_verify_finds_every_line_equal_to_its_log_entry(backend, village, runner):
    meeting(backend)
    plan(backend, number="FH-2025", year="2025", ended=True)
    pay(backend, STAFF, "testcun", "FH-2025", {"households": "全部", "paid_on": backend.today().isoformat()}, "发放")
    verify = runner.invoke(args=["audit", "verify", "--village", "testcun"])
    assert verify.exit_code == 0, verify.output
