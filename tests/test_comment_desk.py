"""Answering villagers' comments (/staff/replies, /committee/replies) and entering a comment for a
villager without a phone (/staff/comments/new): published at once, each as one audited entry."""
from __future__ import annotations

import re

import pytest

from portal import create_app
from portal.drafts.models import Draft
from portal.plans.models import PlanComment
from portal.plans.services import CommentInput, PlanInput, add_comment, create_plan
from portal.kernel.transaction import Actor
from tests.conftest import STAFF
from tests.test_receipt_editing import RECEIPT, field_error
from tests.test_workspace import PASSWORD, count, log_entries, login, people  # noqa: F401  (fixture)

VILLAGER = Actor("villager", "villager")
ON_BEHALF = {"plan": "FA-2024-001", "commenter_name": "王秀英", "group_name": "第三村民小组",
             "body": "希望租金按年支付，不要一次收三年。", "submitted_on": "2024年3月5日",
             "on_behalf": "村民到村委会口述，由报账员代录"}


@pytest.fixture
def plan(backend, people):
    create_plan(backend, STAFF, people, PlanInput("FA-2024-001", "东洋片区土地集中流转方案", "正文",
                                                  "2024-03-01", "2024-03-31"))
    add_comment(backend, VILLAGER, people, "FA-2024-001", CommentInput("张三丰", "租金太低了", "第一村民小组",
                                                                       submitted_on="2024-03-02"))
    return "FA-2024-001"


def last_entry(backend):
    import json

    return json.loads(log_entries(backend, "testcun")[-1].line)


def test_staff_answer_and_a_committee_member_changes_the_answer_with_a_reason(client, backend, plan):
    login(client, "cun-staff")
    home = client.get("/staff/").get_data(as_text=True)
    assert "/staff/replies/FA-2024-001/1" in home and "/staff/replies" in home
    listed = client.get("/staff/replies").get_data(as_text=True)
    assert "租金太低了" in listed and "张*丰" in listed and "等待答复（1 条）" in listed
    page = client.get("/staff/replies/FA-2024-001/1").get_data(as_text=True)
    assert "租金太低了" in page and "修改答复的理由" not in page
    answered = client.post("/staff/replies/FA-2024-001/1", data={"reply": "已提交村民代表会议讨论。",
                                                                "replied_on": "2024年3月6日"})
    assert answered.status_code == 302
    entry = last_entry(backend)
    assert (entry["action"], entry["actor"], entry["reason"]) == ("plan_comment.reply", "staff:cun-staff", None)
    assert (entry["data"]["reply"], entry["data"]["replied_on"], entry["data"]["replied_by"]) == (
        "已提交村民代表会议讨论。", "2024-03-06", "staff")
    assert "没有等待答复的意见" in client.get("/staff/replies").get_data(as_text=True)
    assert "已提交村民代表会议讨论。" in client.get("/v/testcun/plans/FA-2024-001").get_data(as_text=True)
    assert count(backend, Draft) == 0  # no draft: the answer is published as given

    login(client, "cun-committee")
    assert "等待答复的村民意见（0）" in client.get("/committee/").get_data(as_text=True)
    page = client.get("/committee/replies/FA-2024-001/1").get_data(as_text=True)
    assert "修改答复的理由" in page and "已提交村民代表会议讨论。" in page
    no_reason = client.post("/committee/replies/FA-2024-001/1", data={"reply": "租金将提高到每亩 520 元。"})
    assert no_reason.status_code == 400 and "请填写更正/撤回原因" in no_reason.get_data(as_text=True)
    assert client.post("/committee/replies/FA-2024-001/1", data={
        "reply": "租金将提高到每亩 520 元。", "reason": "村民代表会议已决定"}).status_code == 302
    entry = last_entry(backend)
    assert (entry["actor"], entry["reason"], entry["data"]["replied_by"]) == (
        "committee:cun-committee", "村民代表会议已决定", "committee")


def test_replies_are_refused_to_other_roles_villages_and_personal_numbers(client, backend, plan):
    entries = len(log_entries(backend, "testcun"))
    login(client, "cun-committee")
    assert client.get("/staff/replies").status_code == 403
    assert client.post("/staff/replies/FA-2024-001/1", data={"reply": "答复"}).status_code == 403
    login(client, "cun-staff")
    assert client.get("/committee/replies").status_code == 403
    phone = client.post("/staff/replies/FA-2024-001/1", data={"reply": "请打 13812345678 联系"})
    assert phone.status_code == 400
    assert "请不要写手机号或身份证号" in phone.get_data(as_text=True) and "13812345678" in phone.get_data(as_text=True)
    future = client.post("/staff/replies/FA-2024-001/1", data={"reply": "好", "replied_on": "2099-01-01"})
    assert future.status_code == 400 and "不能晚于今天" in future.get_data(as_text=True)
    assert client.get("/staff/replies/FA-2024-001/9").status_code == 404
    login(client, "other-staff")  # another village has no such comment
    assert client.get("/staff/replies/FA-2024-001/1").status_code == 404
    assert client.post("/staff/replies/FA-2024-001/1", data={"reply": "答复"}).status_code == 404
    client.post("/logout")
    anonymous = client.get("/committee/replies")
    assert anonymous.status_code == 302 and "/login" in anonymous.headers["Location"]
    assert len(log_entries(backend, "testcun")) == entries


def test_a_comment_entered_for_a_villager_is_marked_on_the_public_page(client, backend, plan):
    login(client, "cun-staff")
    assert "/staff/comments/new" in client.get("/staff/").get_data(as_text=True)
    form = client.get("/staff/comments/new").get_data(as_text=True)
    assert '<option value="FA-2024-001">FA-2024-001 东洋片区土地集中流转方案</option>' in form
    response = client.post("/staff/comments/new", data=ON_BEHALF)
    assert response.status_code == 302 and response.headers["Location"] == "/v/testcun/plans/FA-2024-001#comment-2"
    entry = last_entry(backend)
    assert (entry["action"], entry["actor"]) == ("plan_comment.create", "staff:cun-staff")
    assert entry["data"]["on_behalf"] == "村民到村委会口述，由报账员代录" and entry["data"]["commenter"] == "王*英"
    assert entry["private"] and "王秀英" not in log_entries(backend, "testcun")[-1].line
    page = client.get("/v/testcun/plans/FA-2024-001").get_data(as_text=True)
    assert "由村干部代录：村民到村委会口述，由报账员代录" in page and "希望租金按年支付" in page
    first = re.search(r'<li id="comment-1">.*?</li>', page, re.S).group(0)
    assert "由村干部代录" not in first  # the villager's own comment carries no mark
    listing = client.get("/v/testcun/plans/FA-2024-001/comments.csv").get_data(as_text=True)
    assert "代录说明" in listing and "村民到村委会口述" in listing


@pytest.mark.parametrize("changes, field, message", [
    ({"on_behalf": ""}, "on_behalf", "请填写代录说明"),
    ({"body": "我的身份证 350500199001011234 请核实"}, "body", "意见内容会全文公开，请不要写手机号或身份证号"),
    ({"body": "有事打 13912345678"}, "body", "请不要写手机号或身份证号"),
    ({"on_behalf": "联系 13912345678"}, "on_behalf", "代录说明会全文公开"),
    ({"commenter_name": ""}, "commenter_name", "请填写姓名"),
    ({"plan": ""}, "plan", "请选择对哪个方案的意见"),
    ({"plan": "FA-NONE"}, "plan", "FA-NONE"),
    ({"submitted_on": "2024-04-05"}, "submitted_on", "只能在征求意见期内"),
])
def test_each_bad_field_of_an_entered_comment_is_named_and_nothing_is_written(client, backend, plan, changes,
                                                                               field, message):
    login(client, "cun-staff")
    response = client.post("/staff/comments/new", data={**ON_BEHALF, **changes})
    assert response.status_code == 400
    page = response.get_data(as_text=True)
    assert message in (field_error(page, field) or page), page
    assert re.search(rf'class="field has-error">\s*<label for="{field}"', page)
    assert count(backend, PlanComment) == 1


def test_only_the_villages_staff_enter_comments(client, backend, plan):
    login(client, "cun-committee")
    assert client.get("/staff/comments/new").status_code == 403
    assert client.post("/staff/comments/new", data=ON_BEHALF).status_code == 403
    login(client, "other-staff")
    refused = client.post("/staff/comments/new", data=ON_BEHALF)
    assert refused.status_code == 400 and "FA-2024-001" in field_error(refused.get_data(as_text=True), "plan")
    assert count(backend, PlanComment) == 1


@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
def test_the_new_forms_need_a_csrf_token(database_url, tmp_path, backend, plan, contract_input):
    app = create_app({"DATABASE_URL": database_url, "SECRET_KEY": "s", "INSTANCE_PATH": str(tmp_path / "i2")})
    client = app.test_client()
    page = client.get("/login").get_data(as_text=True)
    token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page).group(1)
    client.post("/login", data={"username": "cun-staff", "password": PASSWORD, "csrf_token": token})
    entries = len(log_entries(backend, "testcun"))
    for url, data in (("/staff/new/receipt", {**RECEIPT, "contract_number": "", "action": "submit"}),
                      ("/staff/replies/FA-2024-001/1", {"reply": "答复"}),
                      ("/staff/comments/new", ON_BEHALF)):
        refused = client.post(url, data=data)
        assert refused.status_code == 400, url  # refused by the app-wide CSRF check before the view
    assert count(backend, Draft) == 0 and count(backend, PlanComment) == 1
    assert len(log_entries(backend, "testcun")) == entries
    form = client.get("/staff/replies/FA-2024-001/1").get_data(as_text=True)
    token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', form).group(1)
    assert client.post("/staff/replies/FA-2024-001/1", data={"reply": "答复", "csrf_token": token}).status_code == 302
