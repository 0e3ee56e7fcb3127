"""The committee's log timeline (/committee/log): filters, diffs, "new since I last looked",
paging, role and village isolation, and a fixed number of statements per page."""
from __future__ import annotations

import re
from datetime import timedelta

import pytest
from sqlalchemy import select

from portal.accounts.models import Role
from portal.auditdesk.models import DeskSeen
from portal.accounts.services import UserInput, create_user
from portal.kernel.transaction import SYSTEM
from portal.notices.services import NoticeInput, correct_notice, create_notice
from portal.villages.services import VillageInput, create_village

from .conftest import DEMO_STAFF
from .test_query_counts import counting

PASSWORD = "demo-2026"


def login(client, username: str, password: str = PASSWORD) -> None:
    client.post("/logout")
    assert client.post("/login", data={"username": username, "password": password}).status_code == 302


def notice(number: str, title: str = "春耕补贴发放公告") -> NoticeInput:
    return NoticeInput(number=number, title=title, category="affairs", published_on="2026-11-20",
                       body="补贴按户发放。")


def page(client, url: str, status: int = 200) -> str:
    response = client.get(url)
    assert response.status_code == status, (url, response.status_code, response.get_data(as_text=True)[:500])
    return response.get_data(as_text=True)


def test_a_correction_shows_field_by_field_with_reason_and_approver(client, backend, demo):
    create_notice(backend, DEMO_STAFF, demo, notice("GG-DESK-1"))
    approver = DEMO_STAFF.approved(type(DEMO_STAFF)("demo-committee", "committee", village=demo))
    correct_notice(backend, approver, demo, "GG-DESK-1", notice("GG-DESK-1", "春耕补贴发放公告（更正）"),
                   "标题漏了更正字样")
    login(client, "demo-committee")
    html = page(client, "/committee/log?kind=notice")
    first = html.split('<li id="seq-', 2)[1]  # newest first: the correction
    assert "更正" in first and "标题漏了更正字样" in first
    assert "<del>春耕补贴发放公告</del>" in first and "<ins>春耕补贴发放公告（更正）</ins>" in first
    assert "批准：" in first and "监委会成员" in first
    assert "/v/lianban/notices/GG-DESK-1" in first


@pytest.mark.parametrize("query, message", [
    ("kind=nothing", "参数 kind"), ("action=explode", "参数 action"), ("start=2026-13-01", "开始日期"),
    ("end=yesterday", "结束日期"), ("start=2026-11-20&end=2026-11-01", "开始日期不能晚于结束日期"),
    ("page=0", "页码"), ("page=abc", "页码"), ("actor=" + "x" * 80, "参数 actor"), ("unseen=2", "参数 unseen"),
])
def test_bad_filters_get_a_clear_message(client, demo, query, message):
    login(client, "demo-committee")
    assert message in page(client, f"/committee/log?{query}", 400)


def test_filters_by_type_actor_action_and_date(client, backend, demo):
    login(client, "demo-committee")
    everything = page(client, "/committee/log")
    total = int(re.search(r"符合条件的 (\d+) 条", everything).group(1))
    receipts = page(client, "/committee/log?kind=receipt")
    assert 0 < int(re.search(r"符合条件的 (\d+) 条", receipts).group(1)) < total
    assert "合同 " not in receipts.split('<ol class="timeline">')[1].split("</ol>")[0].replace("合同号", "")
    corrections = page(client, "/committee/log?action=correct")
    assert "更正" in corrections and "新建" not in corrections.split('<ol class="timeline">')[1]
    assert "没有符合条件的记录" in page(client, "/committee/log?actor=nobody-at-all")
    assert "没有符合条件的记录" in page(client, "/committee/log?start=2001-01-01&end=2001-01-02")
    today = backend.today().isoformat()
    create_notice(backend, DEMO_STAFF, demo, notice("GG-DESK-2"))
    dated = page(client, f"/committee/log?start={today}&end={today}&actor=demo-staff")
    assert "GG-DESK-2" in dated
    assert page(client, "/committee/log?page=999999", 404)


def test_what_changed_since_i_last_looked(client, backend, demo):
    login(client, "demo-committee")
    first = page(client, "/committee/log")
    assert "您还没有查看过日志" in first
    assert "您还没有查看过日志" in page(client, "/committee/log")  # a reload is the same look
    _earlier_look(backend, hours=2)
    assert "notice-box" not in page(client, "/committee/log")  # nothing new since the last look
    create_notice(backend, DEMO_STAFF, demo, notice("GG-DESK-3"))
    create_notice(backend, DEMO_STAFF, demo, notice("GG-DESK-4"))
    assert "新记录 2 条" in page(client, "/committee/")
    again = page(client, "/committee/log")
    assert "以来，新增 2 条记录" in again
    # a reload keeps the same two as new, and the filter shows only them
    assert "以来，新增 2 条记录" in page(client, "/committee/log")
    only = page(client, "/committee/log?unseen=1")
    assert "符合条件的 2 条" in only and "GG-DESK-3" in only and "GG-DESK-4" in only


def _earlier_look(backend, hours: int) -> None:
    with backend.db.sessions() as session, session.begin():
        for row in session.scalars(select(DeskSeen)):
            row.seen_at -= timedelta(hours=hours)


@pytest.mark.parametrize("username, status", [("demo-staff", 403), ("demo-township", 403)])
def test_other_roles_are_refused(client, demo, username, status):
    login(client, username)
    assert client.get("/committee/log").status_code == status


def test_anonymous_readers_are_sent_to_login(client, demo):
    assert client.get("/committee/log").status_code == 302


def test_a_member_of_another_village_sees_only_their_own_log(client, backend, demo):
    create_village(backend, SYSTEM, VillageInput(code="othercun", name="邻村", township="测试镇"))
    create_user(backend, SYSTEM, UserInput(username="other-committee", display_name="邻村监委", password=PASSWORD,
                                           role=Role.COMMITTEE, village_code="othercun"))
    login(client, "other-committee")
    html = page(client, "/committee/log")
    assert "LB-" not in html and "lianban" not in html
    assert int(re.search(r"日志共 (\d+) 条", html).group(1)) <= 2  # the village and its account


@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
def test_a_page_of_the_log_costs_the_same_statements_however_many_entries(app, client, backend, demo):
    login(client, "demo-committee")
    engine = backend.db.engine
    page(client, "/committee/log")
    with counting(engine) as before:
        page(client, "/committee/log?page=2")
    for i in range(30):
        create_notice(backend, DEMO_STAFF, demo, notice(f"GG-N1-{i}"))
    with counting(engine) as after:
        page(client, "/committee/log?page=2")
    assert len(after) == len(before) <= 16, after


def test_coded_values_are_shown_in_words(client, demo):
    login(client, "demo-committee")
    html = page(client, "/committee/log?kind=finding&action=rectify")
    assert "<del>待整改</del>" in html and "<ins>整改中</ins>" in html  # the demo's finding, being fixed
    assert "符合条件的 1 条" in html


def test_coded_values_of_types_without_an_editor_are_shown_in_words(client, demo):
    """A complaint's kind, status and assignee (RecordType.values), in Chinese and in English."""
    login(client, "demo-committee")
    html = page(client, "/committee/log?kind=complaint&action=assign")
    assert "<del>待分派</del>" in html and "<ins>待答复</ins>" in html and "<ins>监委会成员</ins>" in html
    assert ">committee<" not in html and ">waiting<" not in html
    created = page(client, "/committee/log?kind=complaint&action=create")
    assert "<ins>意见建议</ins>" in created or "<ins>投诉</ins>" in created
    english = page(client, "/committee/log?kind=complaint&action=assign&lang=en")
    assert "<ins>Awaiting answer</ins>" in english and "<ins>Supervisory committee member</ins>" in english
    assert ">committee<" not in english
    assert "<ins>合同 LB-LZ-2024-001</ins>" in created and "contract:" not in created  # what it is about
    english_created = page(client, "/committee/log?kind=complaint&action=create&lang=en")
    assert "<ins>Contract LB-LZ-2024-001</ins>" in english_created
