"""Villagers' complaints (/v/<code>/complaints): filed without an account, named or anonymous, with
a tracking code; assigned by the committee to a member, who answers in public; judged resolved or
not by the holder of the code. SQLite and PostgreSQL, CSRF checked as in production, a hand-moved clock.
"""
from __future__ import annotations

import json
import re
from datetime import timedelta

import pytest

from portal.accounts.models import Role
from portal.accounts.services import UserInput, create_user
from portal.complaints.models import Complaint
from portal.complaints.services import ComplaintInput, assign, file_complaint, reply
from portal.complaints.throttle import Limits
from portal.kernel.errors import PermissionDenied
from portal.kernel.transaction import SYSTEM, Actor
from portal.parcels.services import AssetInput, create_asset
from portal.villages.services import VillageInput, create_village

from .people import PASSWORD, Browser, browser, cheap_hashes, csrf_app, entries, people  # noqa: F401  (fixtures)
from .test_notices_plans import _packed, _payloads, _tags, assert_inert

VILLAGER = Actor("villager", "villager")
CODE_IN_PAGE = re.compile(r'class="tracking">([A-Z0-9-]+)<')
NEW = "/v/testcun/complaints/new"


@pytest.fixture
def village(csrf_app, people):
    """testcun with a parcel, a second committee member, and a neighbour village with its own."""
    backend = csrf_app.extensions["portal"]
    create_asset(backend, Actor("cun-staff", "staff", village="testcun"), "testcun",
                 AssetInput(number="P1", name="东洋1号地", kind="land", area="10.00"))
    create_village(backend, SYSTEM, VillageInput(code="othercun", name="邻村", township="测试镇"))
    for username, code in (("cun-committee2", "testcun"), ("other-committee", "othercun")):
        create_user(backend, SYSTEM, UserInput(username, username, PASSWORD, Role.COMMITTEE, code))
    return backend


def file(browser: Browser, **fields) -> str:
    """Files a complaint through the form (its CSRF token from the page); its tracking code."""
    data = {"kind": "complaint", "body": "东洋1号地的排水沟堵了", "name": "", "phone": "", "about": ""} | fields
    response = browser.post(NEW, data, form=NEW + (f"?about={fields['about']}" if fields.get("about") else ""))
    assert response.status_code == 302, response.get_data(as_text=True)
    return response.headers["Location"].rsplit("/", 1)[-1]


def desk_post(browser: Browser, number: str, **data):
    return browser.post(f"/committee/complaints/{number}", data, form=f"/committee/complaints/{number}")


def text(response) -> str:
    return response.get_data(as_text=True)


def stored(backend) -> list[Complaint]:
    from sqlalchemy import select

    with backend.db.read() as session:
        return list(session.scalars(select(Complaint).order_by(Complaint.id)))


def test_a_complaint_is_filed_assigned_answered_reopened_answered_again_and_resolved(csrf_app, village, browser):
    backend = village
    form = text(browser.get(NEW + "?about=asset:P1"))
    assert "地块/资产 P1" in form and 'href="/v/testcun/parcels/P1"' in form
    code = file(browser, about="asset:P1", name="张三华", phone="13812345678")
    assert re.fullmatch(r"[A-Z2-9]{4}-[A-Z2-9]{4}-[A-Z2-9]{4}", code)
    mine = text(browser.get(f"/v/testcun/complaints/{code}"))
    assert CODE_IN_PAGE.search(mine).group(1) == code and "张*华" in mine and "还剩 7 天答复" in mine
    assert "13812345678" not in mine and "张三华" not in mine

    # The log holds the masked name and the commitment; neither the phone, the name nor the code.
    created = entries(backend, "testcun")[-1]
    assert (created["action"], created["actor"]) == ("complaint.create", "villager:villager")
    assert created["data"]["filer"] == "张*华" and created["data"]["about"] == "asset:P1"
    assert created["data"]["due_on"] == "2026-11-30" and created["private"]
    whole_log = json.dumps(entries(backend, "testcun"), ensure_ascii=False)
    assert "13812345678" not in whole_log and "张三华" not in whole_log and code not in whole_log
    assert code.replace("-", "") not in whole_log

    committee = Browser(csrf_app.test_client(), "192.0.2.20")
    committee.login("cun-committee")
    home = text(committee.get("/committee/"))
    assert "TS-2026-0001" in home and "尚未分派" in home
    desk = text(committee.get("/committee/complaints/TS-2026-0001"))
    assert "张三华" in desk and "13812345678" in desk  # the committee may call back
    assert desk_post(committee, "TS-2026-0001", step="assign", assignee="cun-committee").status_code == 302
    assert desk_post(committee, "TS-2026-0001", step="reply", reply="已通知承租方三天内疏通。").status_code == 302
    answered = text(browser.get(f"/v/testcun/complaints/{code}"))
    assert "已通知承租方三天内疏通。" in answered and "监委会成员" in answered and "问题解决了吗" in answered

    backend.clock.advance(days=4)
    not_yet = browser.post(f"/v/testcun/complaints/{code}/verdict", {"resolved": "no", "note": ""},
                           form=f"/v/testcun/complaints/{code}")
    assert not_yet.status_code == 400 and "请写一下哪里还没有解决" in text(not_yet)
    assert browser.post(f"/v/testcun/complaints/{code}/verdict", {"resolved": "no", "note": "还是堵着"},
                        form=f"/v/testcun/complaints/{code}").status_code == 302
    reopened = stored(backend)[0]
    assert reopened.status.value == "reopened" and reopened.round == 2
    assert reopened.due_on.isoformat() == "2026-12-04"  # due again 7 days after it came back
    committee.login("cun-committee")  # days later: the session has timed out
    assert "村民认为未解决" in text(committee.get("/committee/complaints/"))
    assert desk_post(committee, "TS-2026-0001", step="reply", reply="已现场疏通，并加装格栅。").status_code == 302
    assert browser.post(f"/v/testcun/complaints/{code}/verdict", {"resolved": "yes", "note": "通了，谢谢"},
                        form=f"/v/testcun/complaints/{code}").status_code == 302

    actions = [e["action"] for e in entries(backend, "testcun") if e["entity"] == "complaint"]
    assert actions == ["complaint.create", "complaint.assign", "complaint.reply", "complaint.reopen",
                       "complaint.reply", "complaint.resolve"]
    log = [e for e in entries(backend, "testcun") if e["entity"] == "complaint"]
    assert [e["actor"] for e in log] == ["villager:villager", "committee:cun-committee", "committee:cun-committee",
                                         "villager:villager", "committee:cun-committee", "villager:villager"]
    assert log[-1]["data"]["status"] == "resolved" and log[-1]["data"]["feedback"] == "通了，谢谢"
    public = text(browser.get("/v/testcun/complaints/TS-2026-0001"))
    assert "已现场疏通，并加装格栅。" in public and "已解决" in public and "问题解决了吗" not in public
    assert "张*华" in public and "张三华" not in public
    listing = text(browser.get("/v/testcun/complaints"))
    assert "已现场疏通，并加装格栅。" in listing and code not in listing  # the code stays with its holder
    verify = csrf_app.test_cli_runner().invoke(args=["audit", "verify", "--village", "testcun"])
    assert verify.exit_code == 0, verify.output


def test_an_unanswered_complaint_counts_down_and_is_highlighted_once_overdue(csrf_app, village, browser):
    backend = village
    runner = csrf_app.test_cli_runner()
    assert runner.invoke(args=["complaints", "answer-days", "--village", "testcun", "10"]).exit_code == 0
    assert runner.invoke(args=["complaints", "answer-days", "--village", "testcun", "0"]).exit_code != 0
    code = file(browser, kind="comment", body="村部门口路灯不亮")
    assert "还剩 10 天答复" in text(browser.get(f"/v/testcun/complaints/{code}"))
    assert "超过答复期限" not in text(browser.get("/v/testcun/"))
    backend.clock.advance(days=10)
    assert "今天到期" in text(browser.get(f"/v/testcun/complaints/{code}"))
    backend.clock.advance(days=2)
    home = text(browser.get("/v/testcun/"))
    assert "有 1 件村民投诉超过答复期限还没有答复" in home
    listing = text(browser.get("/v/testcun/complaints"))
    assert "已超期 2 天" in listing and 'class="overdue"' in listing and "其中超期 1 件" in listing
    committee = Browser(csrf_app.test_client(), "192.0.2.20")
    committee.login("cun-committee")
    assert "超期 1 件" in text(committee.get("/committee/"))
    desk_post(committee, "TS-2026-0001", step="assign", assignee="cun-committee")
    desk_post(committee, "TS-2026-0001", step="reply", reply="已报修，明晚恢复。")
    assert "超过答复期限" not in text(browser.get("/v/testcun/"))
    assert "已超期" not in text(browser.get("/v/testcun/complaints"))


def test_flooding_is_throttled_per_address_and_per_village_and_bad_input_is_not_counted(csrf_app, village):
    csrf_app.config["COMPLAINT_LIMITS"] = Limits(per_address=2, per_village=3, window=timedelta(hours=1))
    one = Browser(csrf_app.test_client(), "198.51.100.1")
    refused = one.post(NEW, {"kind": "complaint", "body": ""}, form=NEW)
    assert refused.status_code == 400 and "请填写内容" in text(refused)
    file(one)
    file(one)
    third = one.post(NEW, {"kind": "complaint", "body": "第三件"}, form=NEW)
    assert third.status_code == 429 and "提交太频繁，请 60 分钟后再提交" in text(third)
    other = Browser(csrf_app.test_client(), "198.51.100.2")
    file(other)  # another address: the village's third
    fourth = other.post(NEW, {"kind": "complaint", "body": "第四件"}, form=NEW)
    assert fourth.status_code == 429
    assert len(stored(village)) == 3
    village.clock.advance(minutes=61)
    file(one)
    assert len(stored(village)) == 4


def test_a_wrong_or_foreign_tracking_code_sees_nothing_and_changes_nothing(csrf_app, village, browser):
    backend = village
    code = file(browser, body="秘密的内容甲")
    committee = Browser(csrf_app.test_client(), "192.0.2.20")
    committee.login("cun-committee")
    desk_post(committee, "TS-2026-0001", step="assign", assignee="cun-committee")
    desk_post(committee, "TS-2026-0001", step="reply", reply="答复甲")
    before = len(entries(backend, "testcun"))
    wrong = code[:-1] + ("A" if code[-1] != "A" else "B")
    for path in (f"/v/testcun/complaints/{wrong}", f"/v/othercun/complaints/{code}", "/v/testcun/complaints/x"):
        response = browser.get(path)
        assert response.status_code == 404 and "秘密的内容甲" not in text(response)
        assert "答复甲" not in text(response) and "TS-2026-0001" not in text(response)
    token = browser.token(f"/v/testcun/complaints/{code}")
    for path in (f"/v/testcun/complaints/{wrong}/verdict", f"/v/othercun/complaints/{code}/verdict"):
        assert browser.post(path, {"resolved": "yes"}, token=token).status_code == 404
    assert len(entries(backend, "testcun")) == before
    # Typed in lower case without dashes, through the lookup form, it still finds the page.
    found = browser.get(f"/v/testcun/complaints/track?tracking={code.replace('-', '').lower()}")
    assert found.status_code == 302 and found.headers["Location"].endswith(f"/v/testcun/complaints/{code}")
    page = browser.get(f"/v/testcun/complaints/{code}")
    assert page.headers["Cache-Control"] == "private, no-store"


def test_missing_or_foreign_csrf_tokens_are_refused_and_nothing_is_written(csrf_app, village, browser):
    backend = village
    before = len(entries(backend, "testcun"))
    data = {"kind": "complaint", "body": "没有令牌"}
    missing = browser.client.post(NEW, data=data)
    assert missing.status_code == 400  # by the app-wide CSRF check, before the view
    stranger = Browser(csrf_app.test_client(), "192.0.2.77")
    assert browser.post(NEW, data, token=stranger.token(NEW)).status_code == 400
    code = file(browser)
    committee = Browser(csrf_app.test_client(), "192.0.2.20")
    committee.login("cun-committee")
    assert desk_post(committee, "TS-2026-0001", step="assign", assignee="cun-committee").status_code == 302
    assert committee.client.post("/committee/complaints/TS-2026-0001",
                                 data={"step": "reply", "reply": "无令牌"}).status_code == 400
    assert committee.post("/committee/complaints/TS-2026-0001", {"step": "reply", "reply": "外来令牌"},
                          token=stranger.token(NEW)).status_code == 400
    desk_post(committee, "TS-2026-0001", step="reply", reply="答复")
    assert browser.client.post(f"/v/testcun/complaints/{code}/verdict", data={"resolved": "yes"}).status_code == 400
    assert [e["action"] for e in entries(backend, "testcun")[before:]] == [
        "complaint.create", "complaint.assign", "complaint.reply"]


def test_only_the_villages_committee_assigns_and_only_the_assignee_answers(csrf_app, village, browser):
    backend = village
    file(browser)
    staff = Browser(csrf_app.test_client(), "192.0.2.30")
    staff.login("cun-staff")
    assert staff.get("/committee/complaints/").status_code == 403
    assert staff.get("/committee/complaints/TS-2026-0001").status_code == 403
    with pytest.raises(PermissionDenied):
        assign(backend, Actor("cun-staff", "staff", village="testcun"), "testcun", "TS-2026-0001", "cun-committee")
    other = Browser(csrf_app.test_client(), "192.0.2.31")
    other.login("other-committee")
    assert other.get("/committee/complaints/TS-2026-0001").status_code == 404
    with pytest.raises(PermissionDenied):
        assign(backend, Actor("other-committee", "committee", village="othercun"), "testcun", "TS-2026-0001",
               "other-committee")
    committee = Browser(csrf_app.test_client(), "192.0.2.20")
    committee.login("cun-committee")
    wrong_member = desk_post(committee, "TS-2026-0001", step="assign", assignee="other-committee")
    assert wrong_member.status_code == 400 and "请选择本村的一位监委会成员" in text(wrong_member)
    assert desk_post(committee, "TS-2026-0001", step="assign", assignee="cun-committee2").status_code == 302
    not_mine = desk_post(committee, "TS-2026-0001", step="reply", reply="我来答")
    assert not_mine.status_code == 403
    second = Browser(csrf_app.test_client(), "192.0.2.21")
    second.login("cun-committee2")
    assert desk_post(second, "TS-2026-0001", step="reply", reply="由我答复").status_code == 302
    with pytest.raises(PermissionDenied):
        reply(backend, VILLAGER, "testcun", "TS-2026-0001", "村民不能答复")
    assert [e["actor"] for e in entries(backend, "testcun") if e["entity"] == "complaint"] == [
        "villager:villager", "committee:cun-committee", "committee:cun-committee2"]


def test_bad_text_is_refused_next_to_its_field_and_nothing_is_written(csrf_app, village, browser):
    backend = village
    before = len(entries(backend, "testcun"))
    cases = [
        ({"body": "x" * 2001}, "内容不能超过 2000 个字"),
        ({"body": "请打 13812345678 找我"}, "请不要写手机号或身份证号"),
        ({"body": "身份证 350521199001011234"}, "请不要写手机号或身份证号"),
        ({"phone": "12345"}, "联系电话应为 11 位手机号"),
        ({"name": "张三13812345678"}, "姓名里不要写数字"),
        ({"kind": "spam"}, "请选择是投诉还是意见建议"),
        ({"about": "contract:HT-NONE"}, "没有编号为“HT-NONE”的合同"),
        ({"about": "village:testcun"}, "涉及的记录无法识别"),
        ({"body": "控制\x07字符"}, "含有无法显示的控制字符"),
    ]
    for fields, message in cases:
        data = {"kind": "complaint", "body": "正常内容"} | fields
        response = browser.post(NEW, data, form=NEW)
        assert response.status_code == 400 and message in text(response), (fields, text(response)[-2000:])
    nul = browser.post(NEW, {"kind": "complaint", "body": "空\x00字节"}, form=NEW)
    assert nul.status_code == 400
    assert browser.get(NEW + "?about=contract:HT-NONE").status_code == 400
    assert len(entries(backend, "testcun")) == before and stored(backend) == []


def test_names_are_masked_and_phones_never_shown_in_public_pages_and_downloads(csrf_app, village, browser):
    file(browser, name="欧阳晓明", phone="13912345678", body="匿名与实名测试")
    file(browser, name="", phone="", body="匿名的一件")
    pages = [text(browser.get(path)) for path in (
        "/v/testcun/complaints", "/v/testcun/complaints/TS-2026-0001", "/v/testcun/complaints/TS-2026-0002",
        "/v/testcun/complaints.csv", "/v/testcun/complaints.json", "/v/testcun/")]
    everything = "".join(pages)
    assert "欧**明" in pages[0] and "匿名" in pages[2]
    assert "欧阳晓明" not in everything and "13912345678" not in everything


@pytest.mark.slow
def test_xss_payloads_in_complaints_and_answers_are_shown_as_text(csrf_app, village, browser):
    from portal.kernel.privacy import carries_personal_number

    backend = village
    member = Actor("cun-committee", "committee", user_id=_user_id(backend, "cun-committee"), village="testcun")
    harmless = file_complaint(backend, VILLAGER, "testcun", ComplaintInput("complaint", "无害的内容", "无害"))
    assign(backend, member, "testcun", harmless.complaint.number, "cun-committee")
    reply(backend, member, "testcun", harmless.complaint.number, "无害的答复")
    expected = _tags(text(browser.get(f"/v/testcun/complaints/{harmless.tracking_code}")))
    texts = [t for t in _packed(_payloads(), 2000, "\n") if not carries_personal_number(t)]
    assert len(texts) > 10
    for body in texts:
        filed = file_complaint(backend, VILLAGER, "testcun", ComplaintInput("complaint", body, "无害"))
        assign(backend, member, "testcun", filed.complaint.number, "cun-committee")
        reply(backend, member, "testcun", filed.complaint.number, body)
        page = text(browser.get(f"/v/testcun/complaints/{filed.tracking_code}"))
        assert_inert(page, [body], expected)
    for page in range(1, len(texts) // 20 + 2):
        listing = text(browser.get(f"/v/testcun/complaints?page={page}")).lower()
        assert "<img" not in listing and "<svg" not in listing and "<iframe" not in listing
        assert listing.count("<script") == listing.count('<script src="/static/')
    committee = Browser(csrf_app.test_client(), "192.0.2.20")
    committee.login("cun-committee")
    desk = text(committee.get("/committee/complaints/")).lower()
    assert "<img" not in desk and "<svg" not in desk and "<script" not in desk


def _user_id(backend, username: str) -> int:
    from sqlalchemy import select

    from portal.accounts.models import User

    with backend.db.read() as session:
        return session.scalar(select(User.id).where(User.username == username))
