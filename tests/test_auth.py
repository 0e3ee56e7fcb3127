"""Login with argon2 passwords, CSRF on forms, safe redirects."""
from __future__ import annotations

import re

import pytest

from portal import create_app
from portal.accounts.models import Role
from portal.accounts.services import UserInput, authenticate, create_user
from portal.kernel.errors import ValidationError
from portal.kernel.transaction import SYSTEM


@pytest.fixture
def staff(backend, village):
    create_user(backend, SYSTEM, UserInput(username="cun-staff", display_name="报账员甲", password="correct horse",
                                           role=Role.STAFF, village_code=village))
    return "cun-staff"


def test_login_page_is_chinese_and_has_a_form(client):
    page = client.get("/login").get_data(as_text=True)
    assert "工作人员登录" in page and 'name="password"' in page


def test_right_password_logs_in_and_wrong_one_says_so(client, staff):
    wrong = client.post("/login", data={"username": staff, "password": "nope"})
    assert wrong.status_code == 400 and "用户名或密码不正确" in wrong.get_data(as_text=True)
    right = client.post("/login", data={"username": staff, "password": "correct horse"})
    assert right.status_code == 302
    assert "报账员甲" in client.get("/").get_data(as_text=True)


def test_passwords_are_stored_as_argon2(backend, staff):
    user = authenticate(backend, staff, "correct horse")
    assert user is not None and user.password_hash.startswith("$argon2id$")
    assert authenticate(backend, staff, "wrong") is None
    assert authenticate(backend, "nobody", "correct horse") is None


def test_login_never_redirects_to_another_site(client, staff):
    response = client.post("/login?next=//evil.example/x", data={"username": staff, "password": "correct horse"})
    assert response.headers["Location"] == "/staff/"  # the account's workspace, not the other site


def test_short_password_and_bad_username_are_refused(backend, village):
    with pytest.raises(ValidationError) as refused:
        create_user(backend, SYSTEM, UserInput(username="A B", display_name="x", password="short", role="staff",
                                               village_code=village))
    assert {"username", "password"} <= refused.value.errors.keys()


@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
def test_forms_without_csrf_token_are_refused(database_url, tmp_path, backend, staff):
    app = create_app({"DATABASE_URL": database_url, "SECRET_KEY": "s", "INSTANCE_PATH": str(tmp_path / "i2")})
    client = app.test_client()
    assert client.post("/login", data={"username": staff, "password": "correct horse"}).status_code == 400
    page = client.get("/login").get_data(as_text=True)
    token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page).group(1)
    ok = client.post("/login", data={"username": staff, "password": "correct horse", "csrf_token": token})
    assert ok.status_code == 302
