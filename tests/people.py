"""Accounts for the tests of logging in, sessions, throttling and the township's workspace: a
village with a staff member and a committee member, a township officer, and a browser that fills
in forms the way a person does (the CSRF token taken from the page it shows)."""
from __future__ import annotations

import json
import re
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone

import pytest
from argon2 import PasswordHasher, profiles
from sqlalchemy import func, select

from portal.accounts import passwords
from portal.accounts.models import Role
from portal.accounts.services import UserInput, create_user
from portal.auditlog.models import AuditEntry
from portal.kernel.transaction import SYSTEM
from portal.villages.services import VillageInput, create_village

from .conftest import make_app

PASSWORD = "correct horse battery"
TOKEN = re.compile(r'name="csrf_token" type="hidden" value="([^"]+)"')


@dataclass(frozen=True)
class People:
    village: str = "testcun"
    staff: str = "cun-staff"
    committee: str = "cun-committee"
    township: str = "zhen-officer"
    other_township: str = "zhen-other"
    password: str = PASSWORD


class Clock:
    """A clock the test moves by hand (Backend.clock), starting at a fixed instant."""

    def __init__(self) -> None:
        self.now = datetime(2026, 11, 23, 1, 0, tzinfo=timezone.utc)

    def __call__(self) -> datetime:
        return self.now

    def advance(self, **delta: float) -> None:
        self.now += timedelta(**delta)


class Browser:
    """A Flask test client used as a person would: forms are read before they are sent."""

    def __init__(self, client, address: str = "192.0.2.10") -> None:
        self.client = client
        self.address = address

    def get(self, path: str, **kwargs):
        return self.client.get(path, environ_base={"REMOTE_ADDR": self.address}, **kwargs)

    def token(self, path: str) -> str:
        page = self.get(path)
        assert page.status_code == 200, (path, page.status_code)
        found = TOKEN.search(page.get_data(as_text=True))
        assert found, f"no CSRF token on {path}"
        return found.group(1)

    def post(self, path: str, data: dict[str, str], token: str | None = None, form: str | None = None):
        """POSTs `data` with the token of the page `form` (default: `path`), or the `token` given."""
        sent = dict(data)
        sent["csrf_token"] = token if token is not None else self.token(form or path)
        return self.client.post(path, data=sent, environ_base={"REMOTE_ADDR": self.address})

    def login(self, username: str, password: str = PASSWORD):
        return self.post("/login", {"username": username, "password": password})

    def logout(self):
        return self.post("/logout", {}, form="/account/password")

    def cookie(self) -> str:
        found = self.client.get_cookie("session")
        assert found is not None, "no session cookie"
        return str(found.value)


def browser_with_cookie(app, cookie: str, address: str = "192.0.2.99") -> Browser:
    """A second browser carrying a copy of another's session cookie."""
    client = app.test_client()
    client.set_cookie("session", cookie)
    return Browser(client, address)


def logged_in(browser: Browser, path: str = "/account/password") -> bool:
    """Whether a page that needs a login opens (instead of sending to the login page)."""
    response = browser.get(path)
    return response.status_code == 200


def entries(backend, log: str) -> list[dict]:
    with backend.db.read() as session:
        return [json.loads(line) for line in session.scalars(
            select(AuditEntry.line).where(AuditEntry.log == log).order_by(AuditEntry.seq))]


def entry_count(backend) -> int:
    with backend.db.read() as session:
        return session.scalar(select(func.count()).select_from(AuditEntry)) or 0


@pytest.fixture
def cheap_hashes(monkeypatch) -> None:
    """Argon2id at its cheapest parameters: each hash here takes ~0.3 s at the real ones, and
    these tests make dozens (tests/test_auth.py checks the real ones)."""
    cheapest = PasswordHasher.from_parameters(profiles.CHEAPEST)
    monkeypatch.setattr(passwords, "HASHER", cheapest)
    monkeypatch.setattr(passwords, "_DUMMY_HASH", cheapest.hash("not-a-real-password"))


@pytest.fixture
def csrf_app(database_url, tmp_path, cheap_hashes):
    """The app with CSRF checked, as in production, and a clock the test moves."""
    app = make_app(database_url, tmp_path)
    backend = app.extensions["portal"]
    backend.db.create_schema()
    backend.clock = Clock()
    yield app
    backend.db.dispose()


@pytest.fixture
def people(csrf_app) -> People:
    backend = csrf_app.extensions["portal"]
    who = People()
    create_village(backend, SYSTEM, VillageInput(code=who.village, name="测试村", township="测试镇"))
    for username, display, role, village in (
            (who.staff, "报账员甲", Role.STAFF, who.village), (who.committee, "监委会乙", Role.COMMITTEE, who.village),
            (who.township, "镇干部丙", Role.TOWNSHIP, None), (who.other_township, "镇干部丁", Role.TOWNSHIP, None)):
        create_user(backend, SYSTEM, UserInput(username, display, who.password, role, village))
    return who


@pytest.fixture
def browser(csrf_app) -> Browser:
    return Browser(csrf_app.test_client())
