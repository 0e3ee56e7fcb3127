"""Login throttling (OWASP ASVS 5.0 V6.3): per account and per client address, counted in the
database so that several worker processes share the count, checked before any password hash;
and at most HASH_SLOTS hashes at once per process. SQLite and PostgreSQL."""
from __future__ import annotations

import multiprocessing
import threading
import time
from pathlib import Path

import pytest

from portal.accounts import passwords, services
from portal.accounts.services import LoginAttempt, authenticate
from portal.accounts.throttle import Limits, TooManyFailedLogins

from .conftest import make_app
from .people import Browser, cheap_hashes, csrf_app, logged_in, people  # noqa: F401  (fixtures)

THROTTLED = "登录失败次数过多，请 15 分钟后再试"


def backend_of(app):
    return app.extensions["portal"]


@pytest.fixture
def hashes(monkeypatch) -> list[str]:
    """Every password verification made (by username), to show throttled attempts make none."""
    made: list[str] = []
    real = services.verify_password

    def counted(password_hash, password):
        made.append(password)
        return real(password_hash, password)

    monkeypatch.setattr(services, "verify_password", counted)
    return made


def test_five_wrong_passwords_refuse_even_the_right_one_without_hashing_it(csrf_app, people, hashes):
    browser = Browser(csrf_app.test_client())
    for n in range(5):
        response = browser.login(people.staff, f"wrong guess {n}")
        assert response.status_code == 400 and "用户名或密码不正确" in response.get_data(as_text=True)
    assert len(hashes) == 5
    response = browser.login(people.staff)
    assert response.status_code == 429
    assert THROTTLED in response.get_data(as_text=True)
    assert len(hashes) == 5  # refused before any hash was computed
    assert not logged_in(browser)
    # from another address too: the account itself is throttled
    assert Browser(csrf_app.test_client(), "198.51.100.7").login(people.staff).status_code == 429

    backend_of(csrf_app).clock.advance(minutes=15)
    assert browser.login(people.staff).status_code == 302


def test_the_wait_named_is_until_the_oldest_failure_leaves_the_window(csrf_app, people):
    browser, clock = Browser(csrf_app.test_client()), backend_of(csrf_app).clock
    for n in range(5):
        browser.login(people.staff, f"wrong guess {n}")
        clock.advance(minutes=1)
    assert "请 10 分钟后再试" in browser.login(people.staff).get_data(as_text=True)  # first one: 15 − 5
    clock.advance(minutes=9, seconds=30)
    assert "请 1 分钟后再试" in browser.login(people.staff).get_data(as_text=True)
    clock.advance(seconds=31)
    assert browser.login(people.staff).status_code == 302


def test_a_success_forgets_the_accounts_failures(csrf_app, people):
    browser = Browser(csrf_app.test_client())
    for _ in range(3):
        for n in range(4):
            assert browser.login(people.staff, f"wrong guess {n}").status_code == 400
        assert browser.login(people.staff).status_code == 302
        assert browser.logout().status_code == 302


def test_one_address_guessing_many_accounts_is_refused_after_20(csrf_app, people, hashes):
    guesser = Browser(csrf_app.test_client(), "203.0.113.5")
    for n in range(20):  # unknown usernames count as much as real ones
        assert guesser.login(f"guess-{n}", "wrong guess").status_code == 400
    response = guesser.login(people.staff)
    assert response.status_code == 429 and THROTTLED in response.get_data(as_text=True)
    assert len(hashes) == 20
    assert Browser(csrf_app.test_client(), "203.0.113.6").login(people.staff).status_code == 302


def test_a_client_cannot_pick_its_address_unless_a_proxy_is_trusted(database_url, tmp_path, cheap_hashes, monkeypatch):
    """X-Forwarded-For counts only behind TRUSTED_PROXIES proxies; otherwise anyone could send
    a new address with every guess."""
    for proxies, allowed in ((0, False), (1, True)):
        app = make_app(database_url, tmp_path / str(proxies), TRUSTED_PROXIES=proxies, WTF_CSRF_ENABLED=False,
                       LOGIN_LIMIT_ADDRESS=3)
        app.extensions["portal"].db.create_schema()
        client = app.test_client()
        codes = [client.post("/login", data={"username": f"guess-{n}", "password": "wrong guess"},
                             headers={"X-Forwarded-For": f"198.51.100.{n}"}).status_code for n in range(5)]
        assert codes == ([400] * 5 if allowed else [400, 400, 400, 429, 429]), proxies
        app.extensions["portal"].db.drop_schema()
        app.extensions["portal"].db.dispose()


# --- several processes ---------------------------------------------------------------------

def _fail_logins(url: str, instance: str, username: str, address: str, times: int) -> list[int]:
    """In a worker process of its own: an app on the shared database, `times` wrong passwords
    (for a new username each time when `username` ends with "*")."""
    from argon2 import PasswordHasher, profiles

    passwords._DUMMY_HASH = PasswordHasher.from_parameters(profiles.CHEAPEST).hash("x")  # as cheap_hashes
    app = make_app(url, Path(instance), WTF_CSRF_ENABLED=False)
    client = app.test_client()
    codes = [client.post("/login", data={"username": username.replace("*", str(n)), "password": f"wrong guess {n}"},
                         environ_base={"REMOTE_ADDR": address}).status_code for n in range(times)]
    app.extensions["portal"].db.dispose()
    return codes


def test_worker_processes_share_the_count(database_url, tmp_path, cheap_hashes):
    """Two processes, as two gunicorn workers: 3 + 2 wrong passwords for one account, 10 + 10
    for unknown accounts from one address; a third app instance then finds both limits reached."""
    from portal.accounts.models import Role
    from portal.accounts.services import UserInput, create_user
    from portal.kernel.transaction import SYSTEM

    app = make_app(database_url, tmp_path / "main", WTF_CSRF_ENABLED=False)
    backend = backend_of(app)
    backend.db.create_schema()
    create_user(backend, SYSTEM, UserInput("zhen-a", "镇干部", "correct horse battery", Role.TOWNSHIP))
    spawn = multiprocessing.get_context("spawn")  # fresh interpreters: no state shared but the database
    jobs = [("zhen-a", "192.0.2.1", 3), ("zhen-a", "192.0.2.2", 2), ("nobody-a*", "192.0.2.9", 10),
            ("nobody-b*", "192.0.2.9", 10)]
    with spawn.Pool(2) as pool:
        results = pool.starmap(_fail_logins, [(database_url, str(tmp_path / f"w{i}"), *job)
                                              for i, job in enumerate(jobs)])
    assert all(code == 400 for codes in results for code in codes), results
    client = app.test_client()
    right = {"username": "zhen-a", "password": "correct horse battery"}
    assert client.post("/login", data=right, environ_base={"REMOTE_ADDR": "192.0.2.3"}).status_code == 429
    assert client.post("/login", data={"username": "other", "password": "x"},
                       environ_base={"REMOTE_ADDR": "192.0.2.9"}).status_code == 429
    backend.db.dispose()


# --- concurrent hashes ---------------------------------------------------------------------

def test_at_most_hash_slots_hashes_run_at_once(csrf_app, people, monkeypatch):
    """32 logins at once (the load that took a process from 145 MiB to 1.1 GiB) run at most
    HASH_SLOTS argon2 hashes at a time."""
    running, most, lock = [0], [0], threading.Lock()
    real = passwords.HASHER

    class Watched:
        def verify(self, password_hash, password):
            with lock:
                running[0] += 1
                most[0] = max(most[0], running[0])
            try:
                time.sleep(0.02)
                return real.verify(password_hash, password)
            finally:
                with lock:
                    running[0] -= 1

        def __getattr__(self, name):
            return getattr(real, name)

    monkeypatch.setattr(passwords, "HASHER", Watched())
    backend, limits = backend_of(csrf_app), Limits(per_account=1000, per_address=1000)
    outcomes: list[object] = []

    def login(n: int) -> None:
        outcomes.append(authenticate(backend, LoginAttempt(people.staff, "wrong guess", f"192.0.2.{n}", limits)))

    threads = [threading.Thread(target=login, args=(n,)) for n in range(32)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert outcomes == [None] * 32
    assert most[0] == passwords.HASH_SLOTS


def test_when_every_slot_stays_taken_the_login_says_so_and_counts_nothing(csrf_app, people, monkeypatch):
    monkeypatch.setattr(passwords, "HASH_WAIT", 0.05)
    for _ in range(passwords.HASH_SLOTS):
        assert passwords._slots.acquire(timeout=1)
    try:
        for _ in range(6):  # more than the account's limit: none of them counted
            response = Browser(csrf_app.test_client()).login(people.staff)
            assert response.status_code == 503
            assert "同时登录的人太多，请稍等片刻再试" in response.get_data(as_text=True)
    finally:
        for _ in range(passwords.HASH_SLOTS):
            passwords._slots.release()
    assert Browser(csrf_app.test_client()).login(people.staff).status_code == 302


def test_the_refusal_survives_pickling():
    import pickle
    from datetime import timedelta

    refused = pickle.loads(pickle.dumps(TooManyFailedLogins(timedelta(minutes=3, seconds=10))))
    assert str(refused) == "登录失败次数过多，请 4 分钟后再试" and refused.minutes == 4
