"""Sessions (OWASP ASVS 5.0 V7): a new session and CSRF token at login, ended on the server by
logout and by a password change (a copied cookie stops working), idle and absolute timeouts by a
clock the test moves; changing one's own password. SQLite and PostgreSQL."""
from __future__ import annotations

import pytest

from portal.accounts.sessions import ABSOLUTE, IDLE

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


def backend_of(app):
    return app.extensions["portal"]


@pytest.fixture
def staff(csrf_app, people) -> Browser:
    browser = Browser(csrf_app.test_client())
    assert browser.login(people.staff).status_code == 302
    return browser


def test_login_starts_a_new_session_with_a_new_csrf_token_keeping_only_preferences(csrf_app, people):
    browser = Browser(csrf_app.test_client())
    assert browser.get("/prefs/large-text?on=1&next=/").status_code == 302
    old_token = browser.token("/login")
    planted = browser.cookie()  # as if someone had set this cookie in the browser before (fixation)

    response = browser.post("/login", {"username": people.staff, "password": people.password}, token=old_token)
    assert response.status_code == 302
    assert browser.cookie() != planted
    assert not logged_in(browser_with_cookie(csrf_app, planted))
    assert 'class="large-text"' in browser.get("/").get_data(as_text=True)  # the reader's choice stays
    # the token of the session before the login no longer passes; the new one does
    assert browser.post("/logout", {}, token=old_token).status_code == 400
    assert logged_in(browser)
    assert browser.logout().status_code == 302


def test_a_login_page_without_a_token_or_with_another_sessions_token_is_refused(csrf_app, people):
    browser, other = Browser(csrf_app.test_client()), Browser(csrf_app.test_client())
    data = {"username": people.staff, "password": people.password}
    assert browser.client.post("/login", data=data).status_code == 400
    assert browser.post("/login", data, token=other.token("/login")).status_code == 400
    assert not logged_in(browser)


def test_logout_ends_every_session_of_the_account_and_a_copied_cookie_with_it(csrf_app, people, staff):
    elsewhere = Browser(csrf_app.test_client(), "192.0.2.11")
    assert elsewhere.login(people.staff).status_code == 302
    copied = browser_with_cookie(csrf_app, staff.cookie())
    assert logged_in(copied) and logged_in(elsewhere)

    assert staff.logout().status_code == 302
    assert not logged_in(staff) and not logged_in(copied) and not logged_in(elsewhere)
    # the copied cookie is not merely anonymous: it can change nothing either
    assert copied.post("/account/password", {"old_password": people.password, "new_password": "stolen-pass-1",
                                             "confirm": "stolen-pass-1"}, form="/login").status_code == 302


def test_logout_needs_a_post_with_the_token(csrf_app, people, staff):
    assert staff.get("/logout").status_code == 405
    assert staff.client.post("/logout").status_code == 400
    assert logged_in(staff)


def test_pages_that_need_a_login_send_anonymous_readers_to_it(csrf_app):
    response = csrf_app.test_client().get("/account/password")
    assert response.status_code == 302 and response.headers["Location"].startswith("/login?next=")


# --- timeouts ------------------------------------------------------------------------------

def test_a_session_idle_for_30_minutes_ends(csrf_app, people, staff):
    clock = backend_of(csrf_app).clock
    clock.advance(minutes=29)
    assert logged_in(staff)  # each request moves the idle deadline
    clock.advance(minutes=29)
    assert logged_in(staff)
    clock.advance(seconds=IDLE.total_seconds() + 1)
    assert not logged_in(staff)
    clock.advance(seconds=-IDLE.total_seconds())  # the row is gone, not just out of date
    assert not logged_in(staff)


def test_a_session_ends_12_hours_after_login_however_busy(csrf_app, people, staff):
    clock = backend_of(csrf_app).clock
    spent = 0
    while spent + 25 < ABSOLUTE.total_seconds() / 60:
        clock.advance(minutes=25)
        spent += 25
        assert logged_in(staff), spent
    clock.advance(minutes=ABSOLUTE.total_seconds() / 60 - spent + 1)
    assert not logged_in(staff)
    assert staff.login(people.staff).status_code == 302  # logging in again starts a new 12 hours


# --- changing one's own password -----------------------------------------------------------

def test_changing_ones_password_ends_the_other_sessions_and_is_logged(csrf_app, people, staff):
    elsewhere = Browser(csrf_app.test_client(), "192.0.2.12")
    assert elsewhere.login(people.staff).status_code == 302
    copied = browser_with_cookie(csrf_app, staff.cookie())

    response = staff.post("/account/password", {"old_password": people.password, "new_password": "my new password",
                                                "confirm": "my new password"})
    assert response.status_code == 302
    assert "密码已修改" in staff.get("/account/password").get_data(as_text=True)  # this browser goes on
    assert not logged_in(copied) and not logged_in(elsewhere)
    assert Browser(csrf_app.test_client()).login(people.staff).status_code == 400
    assert Browser(csrf_app.test_client()).login(people.staff, "my new password").status_code == 302
    last = entries(backend_of(csrf_app), people.village)[-1]
    assert (last["action"], last["actor"], last["version"]) == ("user.change_password", "staff:cun-staff", 2)
    assert "my new password" not in str(last)


def test_a_township_officer_changes_their_password_in_the_township_log(csrf_app, people):
    officer = Browser(csrf_app.test_client())
    assert officer.login(people.township).status_code == 302
    assert officer.post("/account/password", {"old_password": people.password, "new_password": "officer new pass",
                                              "confirm": "officer new pass"}).status_code == 302
    last = entries(backend_of(csrf_app), "_township")[-1]
    assert (last["action"], last["actor"]) == ("user.change_password", "township:zhen-officer")


PASSWORD_CASES = [
    ({"old_password": "wrong password", "new_password": "my new password", "confirm": "my new password"},
     "old_password", "原密码不正确"),
    ({"old_password": "", "new_password": "my new password", "confirm": "my new password"},
     "old_password", "请填写原密码"),
    ({"old_password": "correct horse battery", "new_password": "", "confirm": ""}, "new_password", "请填写新密码"),
    ({"old_password": "correct horse battery", "new_password": "short", "confirm": "short"},
     "new_password", "密码至少 8 位"),
    ({"old_password": "correct horse battery", "new_password": "cun-staff", "confirm": "cun-staff"},
     "new_password", "密码不能与用户名相同"),
    ({"old_password": "correct horse battery", "new_password": "correct horse battery",
      "confirm": "correct horse battery"}, "new_password", "新密码不能与原密码相同"),
    ({"old_password": "correct horse battery", "new_password": "my new password", "confirm": "my new passw0rd"},
     "confirm", "两次输入的新密码不一致"),
]


def test_a_refused_password_change_says_why_and_changes_nothing(csrf_app, people, staff):
    copied = browser_with_cookie(csrf_app, staff.cookie())
    before = entry_count(backend_of(csrf_app))
    for data, field, message in PASSWORD_CASES:  # one wrong old password among them: under the limit
        response = staff.post("/account/password", data)
        assert response.status_code == 400, data
        page = response.get_data(as_text=True)
        assert f'<p class="field-error" id="{field}-error">{message}' in page, data
        assert "my new password" not in page and "correct horse battery" not in page
    assert entry_count(backend_of(csrf_app)) == before
    assert logged_in(copied)  # nothing ended
    assert Browser(csrf_app.test_client()).login(people.staff).status_code == 302


def test_guessing_the_old_password_is_throttled_like_a_login(csrf_app, people, staff):
    wrong = {"old_password": "a wrong guess", "new_password": "my new password", "confirm": "my new password"}
    for _ in range(csrf_app.config["LOGIN_LIMIT_ACCOUNT"]):
        assert staff.post("/account/password", wrong).status_code == 400
    right = dict(wrong, old_password=people.password)
    response = staff.post("/account/password", right)
    assert response.status_code == 429
    assert "登录失败次数过多，请 15 分钟后再试" in response.get_data(as_text=True)


def test_the_password_form_needs_its_csrf_token(csrf_app, people, staff):
    data = {"old_password": people.password, "new_password": "my new password", "confirm": "my new password"}
    assert staff.client.post("/account/password", data=data).status_code == 400
    other = Browser(csrf_app.test_client(), "192.0.2.13")
    assert other.login(people.committee).status_code == 302
    assert staff.post("/account/password", data, token=other.token("/account/password")).status_code == 400
    assert Browser(csrf_app.test_client()).login(people.staff).status_code == 302  # unchanged


def test_account_pages_are_never_cached(csrf_app, people, staff):
    assert staff.get("/account/password").headers["Cache-Control"] == "no-store"
    assert staff.get("/login").headers["Cache-Control"] == "no-store"


def test_a_reset_while_the_password_is_checked_refuses_that_login(csrf_app, people, monkeypatch):
    """The account changed between the check and the new session: the old password opens nothing."""
    from portal.accounts import services
    from portal.accounts.services import LoginAttempt, authenticate
    from portal.kernel.transaction import SYSTEM

    backend, real = backend_of(csrf_app), services.verify_password

    def and_meanwhile_reset(password_hash, password):
        checked = real(password_hash, password)
        services.reset_password(backend, SYSTEM, people.staff, "reset meanwhile 1")
        return checked

    monkeypatch.setattr(services, "verify_password", and_meanwhile_reset)
    assert authenticate(backend, LoginAttempt(people.staff, people.password, "192.0.2.1")) is None
