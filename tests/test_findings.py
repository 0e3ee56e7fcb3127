"""Findings (问题清单): recorded on the committee's desk, each step open → rectifying → closed
logged with its reason, corrected or withdrawn with a reason, listed and shown in public with
names masked; bad input refused with a message; other roles and villages refused."""
from __future__ import annotations

import json
from datetime import timedelta

import pytest
from sqlalchemy import func, select

from portal.accounts.models import Role
from portal.accounts.services import UserInput, create_user
from portal.auditlog.models import AuditEntry
from portal.findings.models import Finding
from portal.findings.services import FindingInput, correct_finding, create_finding
from portal.kernel.errors import PermissionDenied, ValidationError
from portal.kernel.privacy import carries_personal_number
from portal.kernel.transaction import SYSTEM, Actor
from portal.township.supervision import open_findings
from portal.villages.services import VillageInput, create_village

from .conftest import REPO_ROOT
from .test_auditdesk_log import PASSWORD, login, page


def form(backend, **changes) -> dict[str, str]:
    values = {"title": "合同欠租未催缴", "description": "2024 年度租金未缴，没有催缴记录。",
              "records": "LB-HT-2016-017, SK-2016-0017", "responsible": "村委会", "responsible_person": "张三华",
              "due_on": (backend.today() + timedelta(days=20)).isoformat()}
    return values | changes


def entries(backend, action: str) -> list[dict]:
    with backend.db.read() as session:
        return [json.loads(line) for line in session.scalars(
            select(AuditEntry.line).where(AuditEntry.action == action).order_by(AuditEntry.seq))]


def count(backend) -> int:
    with backend.db.read() as session:
        return session.scalar(select(func.count()).select_from(Finding)) or 0


def test_a_finding_is_recorded_rectified_and_closed_in_public(client, backend, demo):
    login(client, "demo-committee")
    made = client.post("/committee/findings/", data=form(backend))
    assert made.status_code == 302, made.get_data(as_text=True)[:2000]
    number = made.headers["Location"].rsplit("/", 1)[1]
    assert number.startswith(f"ZG-{backend.today().year}-")
    desk = page(client, f"/committee/findings/{number}")
    assert "待整改" in desk and "开始整改" in desk

    refused = client.post(f"/committee/findings/{number}", data={"step": "signoff", "reason": "已经改好"})
    assert refused.status_code == 400 and "现在不能这样处理" in refused.get_data(as_text=True)
    assert client.post(f"/committee/findings/{number}", data={"step": "rectify", "reason": ""}).status_code == 400
    assert client.post(f"/committee/findings/{number}",
                       data={"step": "rectify", "reason": "村委会已送达催缴通知"}).status_code == 302
    assert client.post(f"/committee/findings/{number}",
                       data={"step": "signoff", "reason": "租金已补缴，监委会核对了收据"}).status_code == 302
    steps = [(e["action"], e["reason"], e["data"]["status"]) for e in entries(backend, "finding.rectify")
             + entries(backend, "finding.signoff") if e["data"]["number"] == number]
    assert steps == [("finding.rectify", "村委会已送达催缴通知", "rectifying"),
                     ("finding.signoff", "租金已补缴，监委会核对了收据", "closed")]
    created = [e for e in entries(backend, "finding.create") if e["data"]["number"] == number][0]
    assert created["actor"] == "committee:demo-committee" and created["private"]
    assert created["data"]["records"] == ["contract:LB-HT-2016-017", "receipt:SK-2016-0017"]
    assert "张三华" not in json.dumps(created["data"], ensure_ascii=False)

    client.post("/logout")
    public = page(client, f"/v/{demo}/findings/{number}")
    assert "已销号" in public and "张*华" in public and "张三华" not in public
    assert "/v/lianban/contracts/LB-HT-2016-017" in public and "/v/lianban/receipts/SK-2016-0017" in public
    assert "租金已补缴，监委会核对了收据" in public and "修改历史" in public
    listed = page(client, f"/v/{demo}/findings")
    assert number in listed and "张三华" not in listed
    assert number not in page(client, f"/v/{demo}/findings?status=open")
    assert "张三华" not in page(client, f"/v/{demo}/findings.csv") and number in page(client, f"/v/{demo}/findings.csv")
    assert "问题清单" in page(client, f"/v/{demo}/")


@pytest.mark.parametrize("changes, field, message", [
    ({"title": ""}, "title", "请填写问题"),
    ({"records": "LB-HT-9999-999"}, "records", "找不到编号为“LB-HT-9999-999”的记录"),
    ({"due_on": "2001-01-01"}, "due_on", "整改期限不能早于发现日期"),
    ({"due_on": "明天"}, "due_on", "不是有效日期"),
    ({"description": "请打 13812345678 联系"}, "description", "不要写手机号"),
    ({"title": "x" * 201}, "title", "不能超过 200 个字"),
])
def test_bad_input_is_refused_next_to_the_field_and_nothing_is_written(client, backend, demo, changes, field,
                                                                       message):
    login(client, "demo-committee")
    before = count(backend)
    response = client.post("/committee/findings/", data=form(backend, **changes))
    assert response.status_code == 400
    assert message in response.get_data(as_text=True)
    assert count(backend) == before


def test_a_nul_byte_is_refused(client, backend, demo):
    login(client, "demo-committee")
    before = count(backend)
    assert client.post("/committee/findings/", data=form(backend, title="问\x00题")).status_code == 400
    assert count(backend) == before


def test_xss_corpus_is_shown_as_text(client, backend, demo):
    lines = (REPO_ROOT / "tests/data/xss/payloads.txt").read_text(encoding="utf-8").splitlines()
    payloads = [p for p in lines if p.strip() and len(p) <= 200 and not carries_personal_number(p)][::40][:25]
    member = Actor("demo-committee", "committee", village=demo)
    login(client, "demo-committee")
    for payload in payloads:
        try:
            made = create_finding(backend, member, demo, FindingInput(
                title=payload, description=payload, records="", responsible=payload[:100],
                due_on=backend.today().isoformat()))
        except ValidationError as refused:  # a control character: refused, never stored
            assert all("控制字符" in m for m in refused.errors.values()), refused.errors
            continue
        for url in (f"/committee/findings/{made.number}", f"/v/{demo}/findings/{made.number}", f"/v/{demo}/findings"):
            html = page(client, url).lower()
            assert "<img" not in html and "<svg" not in html and "<iframe" not in html, (payload, url)
            assert html.count("<script") == html.count('<script src="/static/'), (payload, url)


def test_csrf_is_required(app, client, backend, demo):
    login(client, "demo-committee")
    app.config["WTF_CSRF_ENABLED"] = True
    before = count(backend)
    response = client.post("/committee/findings/", data=form(backend))
    assert response.status_code == 400
    assert count(backend) == before


@pytest.mark.parametrize("username", ["demo-staff", "demo-township"])
def test_other_roles_cannot_record_findings(client, backend, demo, username):
    login(client, username)
    before = count(backend)
    assert client.post("/committee/findings/", data=form(backend)).status_code == 403
    assert client.get("/committee/findings/").status_code == 403
    assert count(backend) == before


def test_a_member_of_another_village_cannot_touch_this_villages_findings(client, backend, demo):
    create_village(backend, SYSTEM, VillageInput(code="othercun", name="邻村", township="测试镇"))
    create_user(backend, SYSTEM, UserInput(username="other-committee", display_name="邻村监委", password=PASSWORD,
                                           role=Role.COMMITTEE, village_code="othercun"))
    with backend.db.read() as session:
        number = session.scalar(select(Finding.number).order_by(Finding.id).limit(1))
    login(client, "other-committee")
    assert client.get(f"/committee/findings/{number}").status_code == 404
    assert client.post(f"/committee/findings/{number}", data={"step": "rectify", "reason": "x"}).status_code == 404
    # and a record of another village cannot be named
    response = client.post("/committee/findings/", data=form(backend, records="LB-HT-2016-017"))
    assert response.status_code == 400 and "找不到编号" in response.get_data(as_text=True)


def test_unknown_finding_and_bad_status_filter(client, demo):
    assert client.get(f"/v/{demo}/findings/ZG-0000-000").status_code == 404
    assert client.get(f"/v/{demo}/findings?status=nothing").status_code == 400


def recorded(backend, demo, **changes) -> str:
    """A new finding of the demo village, recorded through its service: its number."""
    member = Actor("demo-committee", "committee", village=demo)
    return create_finding(backend, member, demo, FindingInput(**form(backend, **changes))).number


def stored(backend, number: str) -> Finding:
    with backend.db.read() as session:
        return session.scalars(select(Finding).where(Finding.number == number)).one()


def open_count(backend, number: str) -> int:
    """The findings the township's table counts as open in the village of finding `number`."""
    village_id = stored(backend, number).village_id
    with backend.db.read() as session:
        return open_findings(session, [village_id]).get(village_id, 0)


def test_a_finding_is_corrected_with_a_reason_and_its_history_shows_both_versions(client, backend, demo):
    number = recorded(backend, demo)
    login(client, "demo-committee")
    assert "更正问题的内容" in page(client, f"/committee/findings/{number}")
    prefilled = page(client, f"/committee/findings/{number}/correct")
    assert "合同欠租未催缴" in prefilled and "LB-HT-2016-017" in prefilled and "张三华" in prefilled

    corrected = form(backend, title="合同欠租三年未催缴", records="LB-HT-2016-017")
    missing = client.post(f"/committee/findings/{number}/correct", data=corrected | {"reason": ""})
    assert missing.status_code == 400 and "请填写更正/撤回原因" in missing.get_data(as_text=True)
    unchanged = client.post(f"/committee/findings/{number}/correct", data=form(backend) | {"reason": "核对"})
    assert unchanged.status_code == 400 and "没有任何改动" in unchanged.get_data(as_text=True)
    phone = client.post(f"/committee/findings/{number}/correct", data=corrected | {"reason": "问 13812345678"})
    assert phone.status_code == 400 and "不要写手机号" in phone.get_data(as_text=True)
    assert stored(backend, number).version == 1

    done = client.post(f"/committee/findings/{number}/correct", data=corrected | {"reason": "欠租年数写错了，应为三年"})
    assert done.status_code == 302 and done.headers["Location"].endswith(f"/committee/findings/{number}")
    entry = [e for e in entries(backend, "finding.correct") if e["data"]["number"] == number][-1]
    assert entry["reason"] == "欠租年数写错了，应为三年" and entry["version"] == 2
    assert entry["data"]["title"] == "合同欠租三年未催缴" and entry["data"]["records"] == ["contract:LB-HT-2016-017"]
    client.post("/logout")
    public = page(client, f"/v/{demo}/findings/{number}")
    assert "合同欠租三年未催缴" in public and "欠租年数写错了，应为三年" in public and "修改历史" in public
    assert "张三华" not in public


def test_a_finding_recorded_by_mistake_is_withdrawn_with_a_reason_and_stays_listed(client, backend, demo):
    number = recorded(backend, demo)
    still_open = open_count(backend, number)
    login(client, "demo-committee")
    missing = client.post(f"/committee/findings/{number}/withdraw", data={"withdraw-reason": ""})
    assert missing.status_code == 400 and "请填写更正/撤回原因" in missing.get_data(as_text=True)
    assert stored(backend, number).status.value == "open"

    done = client.post(f"/committee/findings/{number}/withdraw", data={"withdraw-reason": "重复记录，见上一条"})
    assert done.status_code == 302
    entry = [e for e in entries(backend, "finding.withdraw") if e["data"]["number"] == number][-1]
    assert entry["reason"] == "重复记录，见上一条" and entry["data"]["status"] == "withdrawn"
    desk = page(client, f"/committee/findings/{number}")
    assert "已撤回" in desk and "不能再更正" in desk and "开始整改" not in desk
    assert open_count(backend, number) == still_open - 1  # the township's table counts it no more

    again = client.post(f"/committee/findings/{number}/withdraw", data={"withdraw-reason": "再撤一次"})
    assert again.status_code == 400 and "已经撤回" in again.get_data(as_text=True)
    refused = client.post(f"/committee/findings/{number}/correct", data=form(backend, title="改") | {"reason": "改"})
    assert refused.status_code == 400 and "已撤回，不能再更正" in refused.get_data(as_text=True)
    step = client.post(f"/committee/findings/{number}", data={"step": "rectify", "reason": "开始"})
    assert step.status_code == 400
    assert stored(backend, number).version == 2

    client.post("/logout")
    assert "重复记录，见上一条" in page(client, f"/v/{demo}/findings/{number}")
    assert number in page(client, f"/v/{demo}/findings?status=withdrawn")
    assert number not in page(client, f"/v/{demo}/findings?status=open")


def refused_changes(client, backend, number: str, status: int) -> None:
    """Opening the correction form, correcting and withdrawing `number` are each answered
    `status`, and the finding stays as it was recorded."""
    assert client.get(f"/committee/findings/{number}/correct").status_code in (status, 200)
    assert client.post(f"/committee/findings/{number}/correct",
                       data=form(backend, title="改过") | {"reason": "改"}).status_code == status
    assert client.post(f"/committee/findings/{number}/withdraw", data={"withdraw-reason": "撤"}).status_code == status
    found = stored(backend, number)
    assert (found.version, found.status.value) == (1, "open")


@pytest.mark.parametrize("username", ["demo-staff", "demo-township"])
def test_other_roles_cannot_correct_or_withdraw_findings(client, backend, demo, username):
    number = recorded(backend, demo)
    login(client, username)
    assert client.get(f"/committee/findings/{number}/correct").status_code == 403
    refused_changes(client, backend, number, 403)


def test_a_member_of_another_village_cannot_correct_or_withdraw_this_villages_findings(client, backend, demo):
    number = recorded(backend, demo)
    create_village(backend, SYSTEM, VillageInput(code="othercun", name="邻村", township="测试镇"))
    create_user(backend, SYSTEM, UserInput(username="other-committee", display_name="邻村监委", password=PASSWORD,
                                           role=Role.COMMITTEE, village_code="othercun"))
    login(client, "other-committee")
    assert client.get(f"/committee/findings/{number}/correct").status_code == 404
    refused_changes(client, backend, number, 404)
    with pytest.raises(PermissionDenied):  # the service refuses too, not only the page
        correct_finding(backend, Actor("other-committee", "committee", village="othercun"), demo, number,
                        FindingInput(**form(backend, title="改过")), "改")


def test_correction_and_withdrawal_need_the_csrf_token(app, client, backend, demo):
    number = recorded(backend, demo)
    login(client, "demo-committee")
    app.config["WTF_CSRF_ENABLED"] = True
    refused_changes(client, backend, number, 400)  # the form itself still opens


def test_xss_corpus_in_a_correction_is_shown_as_text(client, backend, demo):
    lines = (REPO_ROOT / "tests/data/xss/payloads.txt").read_text(encoding="utf-8").splitlines()
    payloads = [p for p in lines if p.strip() and len(p) <= 200 and not carries_personal_number(p)][7::40][:20]
    member = Actor("demo-committee", "committee", village=demo)
    number = recorded(backend, demo)
    login(client, "demo-committee")
    for payload in payloads:
        try:
            correct_finding(backend, member, demo, number, FindingInput(**form(
                backend, title=payload, description=payload, responsible=payload[:100])), payload)
        except ValidationError as refused:  # a control character: refused, never stored
            assert all("控制字符" in m for m in refused.errors.values()), refused.errors
            continue
        for url in (f"/committee/findings/{number}", f"/committee/findings/{number}/correct",
                    f"/v/{demo}/findings/{number}"):
            html = page(client, url).lower()
            assert "<img" not in html and "<svg" not in html and "<iframe" not in html, (payload, url)
            assert html.count("<script") == html.count('<script src="/static/'), (payload, url)
