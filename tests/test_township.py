"""The township's workspace (/township/): villages and their accounts, through the browser, on
SQLite and PostgreSQL: happy paths, every validation rule (message next to the field, what was
typed kept, nothing written), CSRF refusal, and every other role refused."""
from __future__ import annotations

import re

import pytest
from sqlalchemy import select

from portal.accounts.models import User
from portal.villages.models import Village

from .people import (  # noqa: F401  (fixtures)
    Browser,
    browser_with_cookie,
    cheap_hashes,
    csrf_app,
    entries,
    entry_count,
    logged_in,
    people,
)

GET_ONLY = ("/township/", "/township/accounts", "/township/villages.csv", "/township/villages.xlsx", "/township/v/testcun")
ROUTES = [*GET_ONLY, "/township/villages/new", "/township/villages/testcun/accounts/new",
          "/township/accounts/cun-staff/password", "/township/accounts/cun-staff/disable",
          "/township/accounts/cun-staff/enable"]


@pytest.fixture
def officer(csrf_app, people) -> Browser:
    """The township officer, logged in."""
    browser = Browser(csrf_app.test_client(), "192.0.2.20")
    assert browser.login(people.township).status_code == 302
    return browser


def backend_of(app):
    return app.extensions["portal"]


def field_error(page: str, field: str) -> str:
    """The message shown right under the field (its id is the field's name)."""
    found = re.search(rf'<p class="field-error" id="{field}-error">([^<]*)</p>', page)
    assert found, f"no message under {field}"
    return found.group(1)


def user(app, username: str) -> User | None:
    with backend_of(app).db.read() as session:
        return session.scalar(select(User).where(User.username == username))


# --- who may enter -------------------------------------------------------------------------

def test_anonymous_readers_are_sent_to_the_login_page(csrf_app, people):
    for path in ROUTES:
        response = csrf_app.test_client().get(path)
        assert response.status_code == 302, path
        assert response.headers["Location"].startswith("/login?next="), path


@pytest.mark.parametrize("role", ["staff", "committee"])
def test_staff_and_committee_get_403_on_every_page_and_post(csrf_app, people, role):
    browser = Browser(csrf_app.test_client(), "192.0.2.30")
    assert browser.login(getattr(people, role)).status_code == 302
    token = browser.token("/account/password")
    before = entry_count(backend_of(csrf_app))
    for path in ROUTES:
        assert browser.get(path).status_code == 403, path
        if path in GET_ONLY:
            continue
        page = browser.post(path, {"code": "x", "name": "x", "township": "x", "username": "intruder",
                                   "display_name": "x", "role": "staff", "password": "long-enough-1",
                                   "confirm": "long-enough-1", "reason": "x"}, token=token)
        assert page.status_code == 403, path
        assert "此页面只供镇干部使用" in page.get_data(as_text=True)
    assert entry_count(backend_of(csrf_app)) == before
    assert user(csrf_app, "intruder") is None


def test_the_accounts_page_lists_villages_with_their_accounts(officer, people):
    page = officer.get("/township/accounts")
    assert page.status_code == 200 and page.headers["Cache-Control"] == "no-store"
    text = page.get_data(as_text=True)
    for words in ("测试村（testcun）", people.staff, "报账员甲", "监委会成员", people.other_township, "镇干部丁",
                  "/township/villages/testcun/accounts/new", f"/township/accounts/{people.staff}/disable"):
        assert words in text
    # its own account links to the page where one changes one's password, not to a reset
    assert f"/township/accounts/{people.township}/password" not in text


def test_pages_are_in_english_when_chosen(officer):
    page = officer.get("/township/?lang=en").get_data(as_text=True)
    assert re.search(r"<h1>[A-Za-z ]+</h1>", page), page[:2000]


# --- villages ------------------------------------------------------------------------------

def test_a_village_is_created_and_its_log_starts(csrf_app, officer):
    response = officer.post("/township/villages/new", {"code": "xincun", "name": "新村", "township": "测试镇",
                                                       "county": "测试县"})
    assert response.status_code == 302 and response.headers["Location"].endswith("/township/accounts#v-xincun")
    logged = entries(backend_of(csrf_app), "xincun")
    assert [(e["action"], e["actor"]) for e in logged] == [("village.create", "township:zhen-officer")]
    assert logged[0]["data"]["county"] == "测试县"
    assert "新村（xincun）" in officer.get("/township/accounts").get_data(as_text=True)


# Each case of a form is one POST on the same database (a database per case made these tests
# slow on PostgreSQL); the assertion names the case that failed.
VILLAGE_CASES = [
    ("code", "", "请填写村编码"),
    ("code", "Bad Code", "村编码只能用小写字母"),
    ("code", "_township", "村编码只能用小写字母"),  # the township accounts' log can never be a village
    ("code", "9cun", "以字母开头"),
    ("code", "testcun", "村编码“testcun”已被使用"),
    ("name", "", "请填写村名"),
    ("name", "村" * 101, "村名不能超过 100 个字"),
    ("township", "", "请填写所属乡镇"),
    ("county", "县" * 101, "所属县（区）不能超过 100 个字"),
]


def test_a_bad_village_is_refused_next_to_the_field_keeping_what_was_typed(csrf_app, officer):
    before = entry_count(backend_of(csrf_app))
    for field, value, message in VILLAGE_CASES:
        data = {"code": "xincun", "name": "新村", "township": "测试镇", "county": ""} | {field: value}
        response = officer.post("/township/villages/new", data)
        page = response.get_data(as_text=True)
        assert response.status_code == 400, (field, value)
        assert message in field_error(page, field), (field, value)
        for other, typed in data.items():
            if typed:
                assert f'value="{typed}"' in page, (field, value, other)
    assert entry_count(backend_of(csrf_app)) == before
    with backend_of(csrf_app).db.read() as session:
        assert session.scalar(select(Village.id).where(Village.code == "xincun")) is None


# --- accounts of a village -----------------------------------------------------------------

@pytest.mark.parametrize("role", ["staff", "committee"])
def test_staff_and_committee_accounts_are_created_logged_and_can_log_in(csrf_app, people, officer, role):
    response = officer.post("/township/villages/testcun/accounts/new", {
        "username": "new-one", "display_name": "新人", "role": role, "password": "first-password",
        "confirm": "first-password"})
    assert response.status_code == 302
    logged = entries(backend_of(csrf_app), "testcun")[-1]
    assert (logged["action"], logged["actor"], logged["data"]) == (
        "user.create", "township:zhen-officer", {"username": "new-one", "role": role, "active": True})
    assert "新人" not in str(logged) and "first-password" not in str(logged)  # personal data: only its hash
    assert logged["private"] is not None
    assert Browser(csrf_app.test_client()).login("new-one", "first-password").status_code == 302


ACCOUNT_CASES = [
    ("username", "", "请填写用户名"),
    ("username", "A B", "用户名只能用小写字母"),
    ("username", "cun-staff", "用户名“cun-staff”已被使用"),
    ("display_name", "", "请填写姓名"),
    ("display_name", "名" * 65, "姓名不能超过 64 个字"),
    ("password", "short", "密码至少 8 位"),
    ("password", "aaaaaaaaaa", "密码太简单"),
    ("confirm", "something-else", "两次输入的密码不一致"),
    ("role", "township", "请选择村干部或监委会成员"),  # a township account is never made from the web
    ("role", "boss", "请选择村干部或监委会成员"),
]


def test_a_bad_account_is_refused_next_to_the_field(csrf_app, officer):
    before = entry_count(backend_of(csrf_app))
    for field, value, message in ACCOUNT_CASES:
        data = {"username": "new-one", "display_name": "新人", "role": "committee", "password": "first-password",
                "confirm": "first-password"} | {field: value}
        if field == "password":
            data["confirm"] = value
        response = officer.post("/township/villages/testcun/accounts/new", data)
        page = response.get_data(as_text=True)
        assert response.status_code == 400, (field, value)
        assert message in field_error(page, field), (field, value)
        if field != "username":
            assert 'value="new-one"' in page, (field, value)  # what was typed stays (passwords excepted)
        assert "first-password" not in page  # a password is never sent back
    assert entry_count(backend_of(csrf_app)) == before
    assert user(csrf_app, "new-one") is None


def test_the_password_must_not_be_the_username(csrf_app, officer):
    response = officer.post("/township/villages/testcun/accounts/new", {
        "username": "long-username", "display_name": "新人", "role": "staff", "password": "long-username",
        "confirm": "long-username"})
    assert response.status_code == 400
    assert "密码不能与用户名相同" in field_error(response.get_data(as_text=True), "password")


def test_an_unknown_village_is_404(officer):
    assert officer.get("/township/villages/nowhere/accounts/new").status_code == 404
    assert officer.get("/township/accounts/nobody/password").status_code == 404


# --- passwords, disabling ------------------------------------------------------------------

def test_a_reset_password_works_ends_every_session_and_is_logged(csrf_app, people, officer):
    staff = Browser(csrf_app.test_client(), "192.0.2.40")
    assert staff.login(people.staff).status_code == 302
    copied = browser_with_cookie(csrf_app, staff.cookie())
    assert logged_in(copied)

    response = officer.post(f"/township/accounts/{people.staff}/password",
                            {"password": "brand-new-pass", "confirm": "brand-new-pass"})
    assert response.status_code == 302
    assert not logged_in(staff) and not logged_in(copied)
    assert Browser(csrf_app.test_client()).login(people.staff).status_code == 400
    assert Browser(csrf_app.test_client()).login(people.staff, "brand-new-pass").status_code == 302
    last = entries(backend_of(csrf_app), "testcun")[-1]
    assert (last["action"], last["actor"], last["version"]) == ("user.reset_password", "township:zhen-officer", 2)
    assert "brand-new-pass" not in str(last) and "argon2" not in str(last)


def test_a_bad_new_password_is_refused(csrf_app, people, officer):
    before = entry_count(backend_of(csrf_app))
    for data, field, message in [
            ({"password": "short", "confirm": "short"}, "password", "密码至少 8 位"),
            ({"password": "", "confirm": ""}, "password", "请填写新密码"),
            ({"password": "cun-staff", "confirm": "cun-staff"}, "password", "密码不能与用户名相同"),
            ({"password": "brand-new-pass", "confirm": "other-new-pass"}, "confirm", "两次输入的密码不一致")]:
        response = officer.post(f"/township/accounts/{people.staff}/password", data)
        assert response.status_code == 400, data
        assert message in field_error(response.get_data(as_text=True), field), data
    assert entry_count(backend_of(csrf_app)) == before


def test_an_officer_cannot_reset_or_disable_their_own_account_here(csrf_app, people, officer):
    before = entry_count(backend_of(csrf_app))
    reset = officer.post(f"/township/accounts/{people.township}/password",
                         {"password": "brand-new-pass", "confirm": "brand-new-pass"})
    assert reset.status_code == 400 and "不能在这里修改自己的账号" in reset.get_data(as_text=True)
    disable = officer.post(f"/township/accounts/{people.township}/disable", {"reason": "试试"})
    assert disable.status_code == 400 and "不能在这里修改自己的账号" in disable.get_data(as_text=True)
    assert entry_count(backend_of(csrf_app)) == before


def test_disabling_needs_a_reason_ends_every_session_and_enabling_brings_the_account_back(csrf_app, people, officer):
    committee = Browser(csrf_app.test_client(), "192.0.2.41")
    assert committee.login(people.committee).status_code == 302
    copied = browser_with_cookie(csrf_app, committee.cookie())

    refused = officer.post(f"/township/accounts/{people.committee}/disable", {"reason": "  "})
    assert refused.status_code == 400
    assert field_error(refused.get_data(as_text=True), "reason") == "请填写原因"
    assert logged_in(committee)

    assert officer.post(f"/township/accounts/{people.committee}/disable", {"reason": "换届离任"}).status_code == 302
    assert not logged_in(committee) and not logged_in(copied)
    assert Browser(csrf_app.test_client()).login(people.committee).status_code == 400
    assert "已停用" in officer.get("/township/accounts").get_data(as_text=True)
    again = officer.post(f"/township/accounts/{people.committee}/disable", {"reason": "再停一次"})
    assert again.status_code == 400 and "该账号已是停用状态" in again.get_data(as_text=True)

    assert officer.post(f"/township/accounts/{people.committee}/enable", {"reason": "连任"}).status_code == 302
    assert Browser(csrf_app.test_client()).login(people.committee).status_code == 302
    logged = [(e["action"], e["reason"], e["data"]["active"], e["version"])
              for e in entries(backend_of(csrf_app), "testcun") if e["entity"] == "user"][-2:]
    assert logged == [("user.disable", "换届离任", False, 2), ("user.enable", "连任", True, 3)]


def test_a_township_account_is_managed_in_the_township_log(csrf_app, people, officer):
    assert officer.post(f"/township/accounts/{people.other_township}/disable", {"reason": "调离"}).status_code == 302
    logged = [(e["action"], e["actor"], e["data"]["username"]) for e in entries(backend_of(csrf_app), "_township")]
    assert logged == [("user.create", "system:portal", people.township),
                      ("user.create", "system:portal", people.other_township),
                      ("user.disable", "township:zhen-officer", people.other_township)]


def test_get_never_changes_anything(csrf_app, people, officer):
    before = entry_count(backend_of(csrf_app))
    for path in ROUTES:
        assert officer.get(path).status_code == 200, path
    assert entry_count(backend_of(csrf_app)) == before
    assert user(csrf_app, people.staff).active  # type: ignore[union-attr]


# --- CSRF ----------------------------------------------------------------------------------

FORMS = [
    ("/township/villages/new", {"code": "xincun", "name": "新村", "township": "测试镇"}),
    ("/township/villages/testcun/accounts/new", {"username": "new-one", "display_name": "新人", "role": "staff",
                                                 "password": "first-password", "confirm": "first-password"}),
    ("/township/accounts/cun-staff/password", {"password": "brand-new-pass", "confirm": "brand-new-pass"}),
    ("/township/accounts/cun-staff/disable", {"reason": "调离"}),
    ("/township/accounts/zhen-other/disable", {"reason": "调离"}),
]


def test_a_form_without_its_sessions_csrf_token_is_refused(csrf_app, people, officer):
    other = Browser(csrf_app.test_client(), "192.0.2.50")
    assert other.login(people.other_township).status_code == 302
    foreign = other.token("/township/villages/new")  # a valid token, of another session
    before = entry_count(backend_of(csrf_app))
    for path, data in FORMS:
        assert officer.client.post(path, data=data).status_code == 400, path
        assert officer.post(path, data, token=foreign).status_code == 400, path
        assert officer.post(path, data, token="not-a-token").status_code == 400, path
    assert entry_count(backend_of(csrf_app)) == before
    assert logged_in(officer) and user(csrf_app, people.staff).active  # type: ignore[union-attr]
