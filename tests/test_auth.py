"""Login with argon2 passwords, CSRF on forms, safe redirects."""
from __future__ import annotations

import re

import pytest

from portal import create_app
from portal.accounts.models import Role
from portal.accounts.services import LoginAttempt, UserInput, authenticate, create_user
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
    user = authenticate(backend, LoginAttempt(staff, "correct horse", "192.0.2.1"))
    assert user is not None and user.password_hash.startswith("$argon2id$")
    assert authenticate(backend, LoginAttempt(staff, "wrong", "192.0.2.1")) is None
    assert authenticate(backend, LoginAttempt("nobody", "correct horse", "192.0.2.1")) is None


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


def test_an_outdated_hash_is_replaced_at_login_under_the_accounts_own_log(backend, staff, monkeypatch):
    """An argon2i hash (or older parameters) becomes Argon2id with today's parameters; the write
    takes the lock of the account's village log (not a made-up one) and logs nothing, as the
    hash is not public state."""
    from argon2 import PasswordHasher, Type
    from sqlalchemy import func, select, update

    from portal.accounts.models import User
    from portal.auditlog.models import AuditEntry

    old = PasswordHasher(time_cost=1, memory_cost=1024, parallelism=1, type=Type.I).hash("correct horse")
    with backend.db.write("testcun") as session:
        session.execute(update(User).where(User.username == staff).values(password_hash=old))
    locks = []
    real_write = backend.db.write
    monkeypatch.setattr(backend.db, "write", lambda log: locks.append(log) or real_write(log))
    with backend.db.read() as session:
        entries = session.scalar(select(func.count()).select_from(AuditEntry))

    user = authenticate(backend, LoginAttempt(staff, "correct horse", "192.0.2.1"))
    assert user is not None and user.version == 1
    assert user.password_hash.startswith("$argon2id$v=19$m=65536,t=3,p=4$")
    assert "testcun" in locks and not [log for log in locks if log not in ("testcun", "_login_throttle")]
    with backend.db.read() as session:
        assert session.scalar(select(func.count()).select_from(AuditEntry)) == entries
    assert authenticate(backend, LoginAttempt(staff, "correct horse", "192.0.2.1")) is not None


def test_township_accounts_are_logged_in_a_log_no_village_can_have(backend, village):
    from portal.villages.services import CODE_PATTERN

    from .people import entries

    create_user(backend, SYSTEM, UserInput(username="zhen-a", display_name="镇干部", password="long enough",
                                           role=Role.TOWNSHIP))
    assert not CODE_PATTERN.match("_township")
    [entry] = entries(backend, "_township")
    assert (entry["action"], entry["actor"], entry["data"]) == (
        "user.create", "system:portal", {"username": "zhen-a", "role": "township", "active": True})
    with pytest.raises(ValidationError) as refused:
        create_user(backend, SYSTEM, UserInput(username="zhen-b", display_name="镇干部", password="long enough",
                                               role=Role.TOWNSHIP, village_code=village))
    assert "镇干部账号不属于任何村" in refused.value.errors["village"]
