"""Contracts edited in the staff workspace: the form, its payment schedule previewed before
submitting (and shown to the committee), approval, correction, 解除 and withdrawal.

Driven through the Flask test client on SQLite and PostgreSQL; what is published is read back from
the log and the public pages.
"""
from __future__ import annotations

import json
import re

import pytest
from sqlalchemy import select

from portal import create_app
from portal.auditlog.models import AuditEntry
from portal.contracts.models import Contract, ContractStatus, StoredInstalment
from portal.contracts.services import create_contract
from portal.drafts.models import Draft, DraftState

from .conftest import STAFF
from .test_workspace import PASSWORD, count, log_entries, login, people  # noqa: F401  (the fixture)

# 10 亩 × 500 元 = 5,000 a year, +5 % every 2 years; P1 is 10 亩, P2 5.5 亩 (conftest `village`).
CONTRACT = {"number": "HT-2026-001", "title": "东洋1号地租赁合同", "lessee_kind": "person",
            "lessee_name": "张三华", "lessee_id_number": "11010519491231002X", "lessee_phone": "13812345678",
            "parcel_1": "P1", "area_1": "", "start_date": "2026年1月1日", "end_date": "2030-12-31",
            "rent_rate": "¥500", "rent_unit": "mu_year", "escalation_percent": "5", "escalation_every_years": "2",
            "payment_interval_months": "12", "signed_on": "2025-12-20", "note": "村民代表会议表决通过"}
SCHEDULE = [("¥5,000.00", "¥5,000.00"), ("¥5,000.00", "¥10,000.00"), ("¥5,250.00", "¥15,250.00"),
            ("¥5,250.00", "¥20,500.00"), ("¥5,512.50", "¥26,012.50")]


def schedule_of(page: str) -> list[tuple[str, str]]:
    """(amount, running total) of each instalment in the page's schedule table."""
    table = page.split('<table class="schedule">', 1)[1].split("</table>", 1)[0]
    return re.findall(r'<td class="num">([^<]+)<br><small>累计 ([^<]+)</small></td>', table)


def data_of(entry: AuditEntry) -> dict:
    return json.loads(entry.line)["data"]


def only_draft(backend, *where) -> Draft:
    with backend.db.read() as session:
        [draft] = session.scalars(select(Draft).where(Draft.state != DraftState.DISCARDED, *where))
    return draft


def errors_by_field(page: str) -> dict[str, str]:
    return dict(re.findall(r'<p class="field-error" id="([\w-]+)-error">([^<]*)</p>', page))


def test_the_schedule_is_previewed_then_submitted_and_approved(client, backend, people):
    login(client, "cun-staff")
    form = client.get("/staff/new/contract").get_data(as_text=True)
    assert 'list="village-parcels"' in form and '<option value="P2">西洋2号地 · 5.50 亩</option>' in form
    assert form.count('name="parcel_') == 6 and "预览缴费计划" in form
    entries = len(log_entries(backend, people))

    preview = client.post("/staff/new/contract", data={**CONTRACT, "action": "preview"})
    assert preview.status_code == 200
    page = preview.get_data(as_text=True)
    assert schedule_of(page) == SCHEDULE
    assert "租金 500.00 元/亩/年，面积 10.00 亩，每 2 年递增 5.00%；共 5 期，合计 ¥26,012.50。" in page
    assert '2028年1月1日</span><br><span class="nw">至 2028年12月31日' in page
    assert 'value="张三华"' in page  # what was typed stays in the form
    assert count(backend, Draft) == 0 and count(backend, Contract) == 0  # a preview keeps nothing
    assert len(log_entries(backend, people)) == entries

    assert client.post("/staff/new/contract", data={**CONTRACT, "action": "submit"}).status_code == 302
    draft = only_draft(backend)
    assert draft.state is DraftState.SUBMITTED and draft.title == "HT-2026-001 东洋1号地租赁合同"

    login(client, "cun-committee")
    review = client.get(f"/committee/drafts/{draft.id}").get_data(as_text=True)
    assert schedule_of(review) == SCHEDULE  # the committee approves the schedule it sees
    assert "张*华" in review and "1101**********002X" in review and "138****5678" in review
    assert "张三华" not in review and "13812345678" not in review
    assert client.post(f"/committee/drafts/{draft.id}/approve").status_code == 302

    entry = log_entries(backend, people)[-1]
    assert (entry.action, entry.actor) == ("contract.create", "staff:cun-staff+committee:cun-committee")
    assert [i["amount"] for i in data_of(entry)["schedule"]] == ["5000.00", "5000.00", "5250.00", "5250.00", "5512.50"]
    assert data_of(entry)["lessee"]["name"] == "张*华" and data_of(entry)["assets"] == [
        {"number": "P1", "area": "10.00", "area_unit": "mu"}]
    assert count(backend, StoredInstalment) == 5
    public = client.get("/v/testcun/contracts/HT-2026-001").get_data(as_text=True)
    assert "东洋1号地租赁合同" in public and "¥5,512.50" in public


def test_each_rule_of_the_form_is_shown_next_to_its_field_and_nothing_is_written(client, backend, people):
    create_contract(backend, STAFF, people, _company(number="HT-OLD", parcel="P2"))  # P2 leased 2024–2028
    login(client, "cun-staff")
    entries = len(log_entries(backend, people))
    bad = {**CONTRACT, "rent_rate": "500元", "end_date": "2030-02-30", "escalation_every_years": "",
           "lessee_id_number": "110105194912310021", "lessee_phone": "12345",
           "parcel_1": "P1", "area_1": "3.12345", "parcel_2": "", "area_2": "2", "action": "submit"}
    response = client.post("/staff/new/contract", data=bad)
    assert response.status_code == 400
    errors = errors_by_field(response.get_data(as_text=True))
    assert errors == {
        "rent_rate": "租金单价：“500元”不是有效的金额",
        "end_date": "终止日期“2030-02-30”不是有效日期，请写成 2026-01-31 或 2026年1月31日",
        "escalation_every_years": "设置了递增比例，请同时填写每几年递增一次",
        "lessee_id_number": "身份证号码不正确（应为 18 位，末位校验码须正确）",
        "lessee_phone": "联系电话应为 11 位手机号或带区号的固定电话",
        "area_1": "出租面积最多保留 4 位小数",
        "parcel_2": "填了出租面积，请同时填写地块编号",
    }

    # what only the service can tell: a parcel leased by another contract then, one that does not exist
    taken = client.post("/staff/new/contract", data={**CONTRACT, "parcel_1": "P2", "area_1": "5.5",
                                                    "start_date": "2027-01-01", "action": "preview"})
    assert taken.status_code == 400 and "“P2”在此期间已由合同 HT-OLD 出租" in taken.get_data(as_text=True)
    assert re.search(r'<fieldset class="parcel-rows has-error"', taken.get_data(as_text=True))
    missing = client.post("/staff/new/contract", data={**CONTRACT, "parcel_1": "P404", "action": "submit"})
    assert "没有编号为“P404”的地块或资产" in missing.get_data(as_text=True)
    shop_on_land = client.post("/staff/new/contract", data={**CONTRACT, "parcel_2": "S1", "action": "preview"})
    assert "“S1”是房屋设施，租金按 元/㎡/月" in errors_by_field(shop_on_land.get_data(as_text=True))["rent_unit"]
    early_end = client.post("/staff/new/contract", data={**CONTRACT, "end_date": "2025-12-31", "action": "preview"})
    assert errors_by_field(early_end.get_data(as_text=True))["end_date"] == "终止日期必须晚于起始日期"
    assert count(backend, Draft) == 0 and len(log_entries(backend, people)) == entries

    # every way of writing money the form promises, and a leased area to four places
    for rate in ("1234.5", "1,234.50", "¥1234.50"):
        ok = client.post("/staff/new/contract", data={**CONTRACT, "rent_rate": rate, "area_1": "9.8765",
                                                     "escalation_percent": "0", "escalation_every_years": "0",
                                                     "action": "preview"})
        assert ok.status_code == 200, rate
        assert schedule_of(ok.get_data(as_text=True))[0] == ("¥12,192.54", "¥12,192.54")  # 9.8765 × 1,234.50 = 12,192.539…


def _company(number: str, parcel: str):
    from portal.contracts.services import ContractInput

    return ContractInput(number=number, title="西洋2号地租赁", lessee_kind="company", lessee_name="测试农业有限公司",
                         start_date="2024-01-01", end_date="2028-12-31", rent_rate="500", rent_unit="mu_year",
                         assets=[(parcel, None)])


def approve_latest(client, backend, verb: str) -> None:
    draft = only_draft(backend, Draft.verb == verb, Draft.state == DraftState.SUBMITTED)
    login(client, "cun-committee")
    assert client.post(f"/committee/drafts/{draft.id}/approve").status_code == 302
    login(client, "cun-staff")


def test_correction_with_diff_and_reason_then_termination_and_withdrawal(client, backend, people):
    create_contract(backend, STAFF, people, _company(number="HT-1", parcel="P2"))
    create_contract(backend, STAFF, people, _company(number="HT-2", parcel="P1"))
    login(client, "cun-staff")
    listed = client.get("/staff/records/contract").get_data(as_text=True)
    assert "/staff/contract/HT-1/correct" in listed and "/staff/contract/HT-1/terminate" in listed
    assert listed.count("固定租金 · ") == 2  # each contract's lease kind
    form = client.get("/staff/contract/HT-1/correct").get_data(as_text=True)
    assert 'value="P2"' in form and 'value="测试农业有限公司"' in form and form.count('name="parcel_') == 6

    fields = {"number": "HT-1", "title": "西洋2号地租赁", "lessee_kind": "company", "lessee_name": "测试农业有限公司",
              "start_date": "2024-01-01", "end_date": "2028-12-31", "rent_rate": "520", "rent_unit": "mu_year",
              "payment_interval_months": "12", "parcel_1": "P2", "area_1": "5.5"}
    no_reason = client.post("/staff/contract/HT-1/correct", data={**fields, "action": "submit"})
    assert no_reason.status_code == 400 and "请填写更正或撤回的理由" in no_reason.get_data(as_text=True)
    diff = client.post("/staff/contract/HT-1/correct", data={**fields, "action": "preview"})  # reason not yet needed
    page = diff.get_data(as_text=True)
    assert diff.status_code == 200 and "与现行版本相比的改动" in page
    assert "<del>500.00</del></td><td><ins>520.00</ins>" in page
    assert "<del>共 5 期，合计 ¥13,750.00（明细见缴费计划）</del></td><td><ins>共 5 期，合计 ¥14,300.00" in page
    assert count(backend, Draft) == 0
    assert client.post("/staff/contract/HT-1/correct",
                       data={**fields, "reason": "单价录错", "action": "submit"}).status_code == 302
    approve_latest(client, backend, "correct")
    entry = log_entries(backend, people)[-1]
    assert (entry.action, entry.version, entry.reason, data_of(entry)["rent"]["rate"]) == (
        "contract.correct", 2, "单价录错", "520.00")

    # 解除: a draft verb of its own, with a date and a reason
    form = client.get("/staff/contract/HT-1/terminate").get_data(as_text=True)
    assert "解除日期" in form and "解除日期以后的缴款计划不再计算" in form
    bad_day = client.post("/staff/contract/HT-1/terminate", data={"end_date": "2030-01-01", "reason": "退租",
                                                                 "action": "submit"})
    assert "解除日期必须在合同期内、原终止日期之前" in bad_day.get_data(as_text=True)
    assert client.post("/staff/contract/HT-1/terminate", data={"end_date": "2026年6月30日", "reason": "承租方退租",
                                                              "action": "submit"}).status_code == 302
    draft = only_draft(backend, Draft.verb == "terminate")
    page = client.get(f"/staff/drafts/{draft.id}").get_data(as_text=True)
    assert "解除 合同 HT-1" in page and "<del>履行中</del></td><td><ins>已解除</ins>" in page
    assert len(schedule_of(page)) == 3  # 2024, 2025 and half of 2026
    approve_latest(client, backend, "terminate")
    entry = log_entries(backend, people)[-1]
    assert (entry.action, entry.reason, data_of(entry)["status"]) == ("contract.terminate", "承租方退租", "terminated")

    assert client.post("/staff/contract/HT-2/withdraw", data={"reason": "录入重复", "action": "submit"}).status_code == 302
    approve_latest(client, backend, "withdraw")
    with backend.db.read() as session:
        statuses = dict(session.execute(select(Contract.number, Contract.status)).all())
    assert statuses == {"HT-1": ContractStatus.TERMINATED, "HT-2": ContractStatus.WITHDRAWN}
    assert "/staff/contract/HT-2/terminate" not in client.get("/staff/records/contract").get_data(as_text=True)


def test_a_contract_with_more_parcels_than_rows_grows_the_form(client, backend, people):
    login(client, "cun-staff")
    many = {**CONTRACT, **{f"parcel_{i}": f"X{i}" for i in range(1, 7)}, "action": "save"}
    assert client.post("/staff/new/contract", data=many).status_code == 302
    draft = only_draft(backend)
    form = client.get(f"/staff/drafts/{draft.id}/edit").get_data(as_text=True)
    assert form.count('name="parcel_') == 8 and 'value="X6"' in form


def test_wrong_role_other_village_and_missing_csrf_are_refused(client, backend, people, database_url, tmp_path):
    login(client, "cun-staff")
    client.post("/staff/new/contract", data={**CONTRACT, "action": "submit"})
    draft = only_draft(backend)
    login(client, "cun-committee")
    assert client.get("/staff/new/contract").status_code == 403
    assert client.post("/staff/new/contract", data={**CONTRACT, "action": "preview"}).status_code == 403
    login(client, "other-staff")
    assert client.get(f"/staff/drafts/{draft.id}").status_code == 404
    assert client.get("/staff/contract/HT-2026-001/correct").status_code == 404  # not a contract of othercun
    login(client, "other-committee")
    assert client.post(f"/committee/drafts/{draft.id}/approve").status_code == 404
    assert count(backend, Contract) == 0

    if not database_url.startswith("sqlite"):
        return
    app = create_app({"DATABASE_URL": database_url, "SECRET_KEY": "s", "INSTANCE_PATH": str(tmp_path / "i2")})
    strict = app.test_client()
    token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', strict.get("/login").get_data(as_text=True))
    strict.post("/login", data={"username": "cun-staff", "password": PASSWORD, "csrf_token": token.group(1)})
    for action in ("submit", "preview"):
        refused = strict.post("/staff/new/contract", data={**CONTRACT, "action": action})
        assert refused.status_code == 400
    refused = strict.post("/staff/contract/HT-2026-001/terminate", data={"end_date": "2027-01-01", "reason": "x",
                                                                        "action": "submit"})
    assert refused.status_code in (400, 404)
    assert count(backend, Draft) == 1


@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
def test_a_contract_draft_prints_its_schedule(client, backend, people):
    import subprocess

    login(client, "cun-staff")
    client.post("/staff/new/contract", data={**CONTRACT, "action": "save"})
    pdf = client.get(f"/staff/drafts/{only_draft(backend).id}.pdf")
    text = subprocess.run(["pdftotext", "-layout", "-", "-"], input=pdf.data, capture_output=True, check=True).stdout.decode()
    assert "缴款计划" in text and "¥26,012.50" in text and "经办人签字" in text


def test_the_records_list_names_every_lease_kind():
    from portal.contracts.editing import EDITOR

    assert EDITOR.label is not None
    assert [EDITOR.label(state) for state in ({}, {"kind": "revenue_share"}, {"kind": "rent_free"})] == [
        "固定租金", "保底加分成", "无偿使用"]
