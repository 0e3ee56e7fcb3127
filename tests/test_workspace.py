"""The staff and committee workspaces: drafts, submission, approval, return, corrections, withdrawals.

Driven through the Flask test client on SQLite and PostgreSQL; the published result is read back
from the public pages and the log.
"""
from __future__ import annotations

import re
import subprocess

import pytest
from sqlalchemy import func, select

from portal import create_app
from portal.accounts.models import Role
from portal.accounts.services import UserInput, create_user
from portal.auditlog.models import AuditEntry
from portal.drafts.models import Draft, DraftState
from portal.kernel.transaction import SYSTEM
from portal.notices.models import Notice
from portal.villages.models import Village
from portal.villages.services import VillageInput, create_village

PASSWORD = "correct horse"
NOTICE = {"number": "GG-2026-001", "title": "东洋1号地招租公告", "category": "tender",
          "published_on": "2026年11月20日", "body": "东洋1号地 10 亩对外招租。\n底价每亩每年 500 元。"}


@pytest.fixture
def people(backend, village):
    """Staff and a committee member of testcun, and staff and a committee member of another village."""
    create_village(backend, SYSTEM, VillageInput(code="othercun", name="邻村", township="测试镇"))
    for username, role, code in (("cun-staff", Role.STAFF, village), ("cun-committee", Role.COMMITTEE, village),
                                 ("other-staff", Role.STAFF, "othercun"),
                                 ("other-committee", Role.COMMITTEE, "othercun")):
        create_user(backend, SYSTEM, UserInput(username=username, display_name=username, password=PASSWORD,
                                               role=role, village_code=code))
    return village


def login(client, username):
    client.post("/logout")
    response = client.post("/login", data={"username": username, "password": PASSWORD})
    assert response.status_code == 302, response.get_data(as_text=True)
    return response


def count(backend, model, *where):
    with backend.db.read() as session:
        return session.scalar(select(func.count()).select_from(model).where(*where))


def log_entries(backend, code):
    with backend.db.read() as session:
        return list(session.scalars(select(AuditEntry).where(AuditEntry.log == code).order_by(AuditEntry.seq)))


def only_draft(backend) -> Draft:
    with backend.db.read() as session:
        drafts = list(session.scalars(select(Draft).where(Draft.state != DraftState.DISCARDED)))
    assert len(drafts) == 1
    return drafts[0]


def submit_notice(client, **changes):
    return client.post("/staff/new/notice", data={**NOTICE, **changes, "action": "submit"})


def test_login_lands_on_the_workspace_of_the_role(client, people):
    assert login(client, "cun-staff").headers["Location"] == "/staff/"
    assert login(client, "cun-committee").headers["Location"] == "/committee/"
    page = client.get("/committee/").get_data(as_text=True)
    assert "监委会工作台" in page and "没有等待审核的记录" in page


def test_a_saved_draft_is_private_and_unlogged(client, backend, people):
    login(client, "cun-staff")
    entries = len(log_entries(backend, people))
    response = client.post("/staff/new/notice", data={**NOTICE, "action": "save"})
    assert response.status_code == 302
    draft = only_draft(backend)
    assert draft.state is DraftState.DRAFT and draft.fields["title"] == NOTICE["title"]
    assert len(log_entries(backend, people)) == entries
    assert count(backend, Notice) == 0
    assert client.get("/v/testcun/notices/GG-2026-001").status_code == 404
    home = client.get("/staff/").get_data(as_text=True)
    assert "东洋1号地招租公告" in home and "草稿（1）" in home
    # the committee does not see unsubmitted drafts
    login(client, "cun-committee")
    assert client.get(f"/committee/drafts/{draft.id}").status_code == 403


def test_submit_approve_publishes_with_author_and_approver_in_the_log(client, backend, people):
    login(client, "cun-staff")
    response = submit_notice(client)
    assert response.status_code == 302
    draft = only_draft(backend)
    assert draft.state is DraftState.SUBMITTED and count(backend, Notice) == 0

    login(client, "cun-committee")
    queue = client.get("/committee/").get_data(as_text=True)
    assert "东洋1号地招租公告" in queue
    page = client.get(f"/committee/drafts/{draft.id}").get_data(as_text=True)
    assert "发布后公开的内容" in page and "底价每亩每年 500 元" in page and "批准发布" in page
    approved = client.post(f"/committee/drafts/{draft.id}/approve")
    assert approved.status_code == 302

    entry = log_entries(backend, people)[-1]
    assert (entry.action, entry.actor) == ("notice.create", "staff:cun-staff+committee:cun-committee")
    published = client.get("/v/testcun/notices/GG-2026-001")
    assert published.status_code == 200 and "东洋1号地招租公告" in published.get_data(as_text=True)
    draft = only_draft(backend)
    assert draft.state is DraftState.PUBLISHED and draft.published_seq == entry.seq
    assert draft.published_number == "GG-2026-001"
    # approving twice publishes nothing more
    again = client.post(f"/committee/drafts/{draft.id}/approve")
    assert again.status_code == 302 and len(log_entries(backend, people)) == entry.seq + 1


def test_bad_input_is_shown_next_to_the_field_and_nothing_is_written(client, backend, people):
    login(client, "cun-staff")
    entries = len(log_entries(backend, people))
    response = submit_notice(client, published_on="2026-13-45", title="")
    assert response.status_code == 400
    page = response.get_data(as_text=True)
    assert "请填写公告标题" in page and 'value="GG-2026-001"' in page  # typed input kept
    assert re.search(r'class="field has-error">\s*<label for="title"', page)
    assert count(backend, Draft) == 0 and len(log_entries(backend, people)) == entries


def test_money_and_date_forms_are_accepted(client, backend, people):
    login(client, "cun-staff")
    assert submit_notice(client, published_on="2026-11-20").status_code == 302
    assert only_draft(backend).state is DraftState.SUBMITTED


def test_return_with_comment_then_fix_and_resubmit(client, backend, people):
    login(client, "cun-staff")
    submit_notice(client)
    draft = only_draft(backend)
    login(client, "cun-committee")
    refused = client.post(f"/committee/drafts/{draft.id}/return", data={"comment": ""})
    assert refused.status_code == 400 and "请写明退回的原因" in refused.get_data(as_text=True)
    assert client.post(f"/committee/drafts/{draft.id}/return", data={"comment": "底价写错了，应为 520 元"}).status_code == 302
    assert only_draft(backend).state is DraftState.RETURNED

    login(client, "cun-staff")
    home = client.get("/staff/").get_data(as_text=True)
    assert "被退回的草稿（1）" in home and "底价写错了" in home
    edit = client.get(f"/staff/drafts/{draft.id}/edit").get_data(as_text=True)
    assert "底价写错了" in edit and "东洋1号地招租公告" in edit
    fixed = client.post(f"/staff/drafts/{draft.id}/edit",
                        data={**NOTICE, "body": "底价每亩每年 520 元。", "action": "submit"})
    assert fixed.status_code == 302 and only_draft(backend).state is DraftState.SUBMITTED
    login(client, "cun-committee")
    client.post(f"/committee/drafts/{draft.id}/approve")
    assert "520" in client.get("/v/testcun/notices/GG-2026-001").get_data(as_text=True)


def publish_notice(client, backend):
    login(client, "cun-staff")
    submit_notice(client)
    draft_id = only_draft(backend).id
    login(client, "cun-committee")
    client.post(f"/committee/drafts/{draft_id}/approve")


def test_correction_needs_a_reason_and_shows_the_diff_before_approval(client, backend, people):
    publish_notice(client, backend)
    login(client, "cun-staff")
    listed = client.get("/staff/records/notice").get_data(as_text=True)
    assert "/staff/notice/GG-2026-001/correct" in listed
    form = client.get("/staff/notice/GG-2026-001/correct").get_data(as_text=True)
    assert "东洋1号地招租公告" in form  # prefilled with the published version
    changed = {**NOTICE, "title": "东洋1号地招租公告（更正）", "action": "submit"}
    no_reason = client.post("/staff/notice/GG-2026-001/correct", data=changed)
    assert no_reason.status_code == 400 and "请填写更正或撤回的理由" in no_reason.get_data(as_text=True)
    assert count(backend, Draft, Draft.verb == "correct") == 0

    assert client.post("/staff/notice/GG-2026-001/correct", data={**changed, "reason": "标题漏写更正字样"}).status_code == 302
    with backend.db.read() as session:
        draft = session.scalar(select(Draft).where(Draft.verb == "correct"))
    login(client, "cun-committee")
    page = client.get(f"/committee/drafts/{draft.id}").get_data(as_text=True)
    assert "与现行版本相比的改动" in page
    assert "<del>东洋1号地招租公告</del>" in page and "东洋1号地招租公告（更正）</ins>" in page
    client.post(f"/committee/drafts/{draft.id}/approve")
    entry = log_entries(backend, people)[-1]
    assert (entry.action, entry.version, entry.reason) == ("notice.correct", 2, "标题漏写更正字样")


def test_withdrawal_with_reason(client, backend, people):
    publish_notice(client, backend)
    login(client, "cun-staff")
    assert client.post("/staff/notice/GG-2026-001/withdraw", data={"action": "submit", "reason": "重复发布"}).status_code == 302
    with backend.db.read() as session:
        draft = session.scalar(select(Draft).where(Draft.verb == "withdraw"))
    login(client, "cun-committee")
    client.post(f"/committee/drafts/{draft.id}/approve")
    entry = log_entries(backend, people)[-1]
    assert (entry.action, entry.reason) == ("notice.withdraw", "重复发布")
    assert "已撤回" in client.get("/v/testcun/notices/GG-2026-001").get_data(as_text=True)


def test_village_without_approval_publishes_on_submit(client, backend, people):
    with backend.db.write(people) as session:
        session.scalar(select(Village).where(Village.code == people)).approval_required = False
    login(client, "cun-staff")
    submit_notice(client)
    assert only_draft(backend).state is DraftState.PUBLISHED
    assert log_entries(backend, people)[-1].actor == "staff:cun-staff"


@pytest.mark.parametrize("path", ["/staff/", "/staff/new/notice", "/committee/"])
def test_anonymous_readers_are_sent_to_login(client, people, path):
    response = client.get(path)
    assert response.status_code == 302 and "/login" in response.headers["Location"]


def test_wrong_role_and_other_village_are_refused(client, backend, people):
    login(client, "cun-staff")
    submit_notice(client)
    draft = only_draft(backend)
    assert client.get("/committee/").status_code == 403
    assert client.post(f"/committee/drafts/{draft.id}/approve").status_code == 403
    login(client, "cun-committee")
    assert client.get("/staff/").status_code == 403
    assert client.post("/staff/new/notice", data={**NOTICE, "action": "submit"}).status_code == 403
    login(client, "other-staff")
    assert client.get(f"/staff/drafts/{draft.id}").status_code == 404  # another village's draft
    assert client.post(f"/staff/drafts/{draft.id}/edit", data={**NOTICE, "action": "save"}).status_code == 404
    login(client, "other-committee")
    assert client.post(f"/committee/drafts/{draft.id}/approve").status_code == 404
    assert only_draft(backend).state is DraftState.SUBMITTED and count(backend, Notice) == 0


def test_discard_and_print(client, backend, people):
    login(client, "cun-staff")
    client.post("/staff/new/notice", data={**NOTICE, "action": "save"})
    draft = only_draft(backend)
    pdf = client.get(f"/staff/drafts/{draft.id}.pdf")
    assert pdf.status_code == 200 and pdf.headers["Cache-Control"] == "private, no-store"
    text = subprocess.run(["pdftotext", "-layout", "-", "-"], input=pdf.data, capture_output=True, check=True).stdout.decode()
    assert "东洋1号地招租公告" in text and "草稿" in text and "经办人签字" in text
    assert re.search(r"公告类别\s+招租公告", text)  # a chosen option as its word, not its code
    assert client.post(f"/staff/drafts/{draft.id}/discard").status_code == 302
    assert count(backend, Draft, Draft.state != DraftState.DISCARDED) == 0
    assert client.get(f"/staff/drafts/{draft.id}").status_code == 404


@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
def test_workspace_forms_need_a_csrf_token(database_url, tmp_path, backend, people):
    app = create_app({"DATABASE_URL": database_url, "SECRET_KEY": "s", "INSTANCE_PATH": str(tmp_path / "i2")})
    client = app.test_client()
    page = client.get("/login").get_data(as_text=True)
    token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page).group(1)
    client.post("/login", data={"username": "cun-staff", "password": PASSWORD, "csrf_token": token})
    refused = client.post("/staff/new/notice", data={**NOTICE, "action": "submit"})
    assert refused.status_code == 400 and count(backend, Draft) == 0
    foreign = client.post("/staff/new/notice", data={**NOTICE, "action": "submit", "csrf_token": "x" + token[1:]})
    assert foreign.status_code == 400 and count(backend, Draft) == 0
    form = client.get("/staff/new/notice").get_data(as_text=True)
    token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', form).group(1)
    assert client.post("/staff/new/notice", data={**NOTICE, "action": "submit", "csrf_token": token}).status_code == 302
    draft = only_draft(backend)
    client.post("/logout", data={"csrf_token": token})
    page = client.get("/login").get_data(as_text=True)
    token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page).group(1)
    client.post("/login", data={"username": "cun-committee", "password": PASSWORD, "csrf_token": token})
    assert client.post(f"/committee/drafts/{draft.id}/approve").status_code == 400
    assert count(backend, Notice) == 0
