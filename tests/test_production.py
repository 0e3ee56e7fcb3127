"""PORTAL_ENV=production starts only with everything a real deployment needs, says at once what is
missing, and runs under gunicorn with the repository's config (deploy/gunicorn.conf.py)."""
from __future__ import annotations

import logging
import os
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest
from sqlalchemy import text
from sqlalchemy.exc import OperationalError

from portal import create_app
from portal.config import load_config
from portal.warmup import warm, warm_worker

from .conftest import DATABASES, REPO_ROOT
from .production import SECRET, production_config

EVERY_SETTING = ("PORTAL_SECRET_KEY", "DATABASE_URL", "PUBLIC_BASE_URL", "TRUSTED_HOSTS", "AUDIT_SIGNING_KEY_FILE")
PG_URL = "postgresql+psycopg://portal@db.internal/portal"


@pytest.fixture(autouse=True)
def clean_environment(monkeypatch):
    for name in (*EVERY_SETTING, "PORTAL_ENV", "TRUSTED_PROXIES"):
        monkeypatch.delenv(name, raising=False)


def refusal(tmp_path: Path, overrides: dict[str, object]) -> str:
    with pytest.raises(RuntimeError) as refused:
        load_config(str(tmp_path / "instance"), overrides)
    return str(refused.value)


def test_production_with_nothing_set_names_every_missing_setting_at_once(tmp_path):
    message = refusal(tmp_path, {"PORTAL_ENV": "production"})
    assert message.startswith("PORTAL_ENV=production refuses to start")
    for name in EVERY_SETTING:
        assert f"- {name}:" in message, name
    assert not (tmp_path / "instance" / "secret-key").exists()  # nothing invented on the way


@pytest.mark.parametrize("change, named", [
    ({"SECRET_KEY": "change-me"}, "PORTAL_SECRET_KEY"),
    ({"SECRET_KEY": "short-but-random-7f3a"}, "PORTAL_SECRET_KEY"),
    ({"DATABASE_URL": "sqlite:////srv/portal.db"}, "DATABASE_URL"),
    ({"PUBLIC_BASE_URL": "http://sanzi.example.cn"}, "PUBLIC_BASE_URL"),
    ({"TRUSTED_HOSTS": []}, "TRUSTED_HOSTS"),
    ({"AUDIT_SIGNING_KEY_FILE": "/nonexistent/audit-signing.key"}, "AUDIT_SIGNING_KEY_FILE"),
])
def test_each_unfit_setting_alone_is_refused_by_name(tmp_path, change, named):
    message = refusal(tmp_path, {**production_config(tmp_path, PG_URL), **change})
    assert [line.split(":")[0] for line in message.splitlines()[1:]] == [f"  - {named}"]


def test_a_signing_key_others_can_read_is_refused(tmp_path):
    config = production_config(tmp_path, PG_URL)
    os.chmod(str(config["AUDIT_SIGNING_KEY_FILE"]), 0o644)
    assert "readable by others; chmod 600" in refusal(tmp_path, config)


def test_a_complete_production_configuration_is_accepted(tmp_path):
    config = load_config(str(tmp_path / "instance"), production_config(tmp_path, PG_URL))
    assert config["SESSION_COOKIE_SECURE"] is True and config["TRUSTED_HOSTS"] == ["sanzi.example.cn"]


def test_the_key_tool_makes_a_private_key_once_and_prints_its_verifier(tmp_path):
    key = tmp_path / "audit-signing.key"
    made = subprocess.run([sys.executable, "-m", "portal.auditlog.signing", "new", str(key), "lianban-portal"],
                          capture_output=True, text=True, cwd=REPO_ROOT)
    assert made.returncode == 0, made.stderr
    assert made.stdout.startswith("lianban-portal+") and (key.stat().st_mode & 0o777) == 0o600
    again = subprocess.run([sys.executable, "-m", "portal.auditlog.signing", "new", str(key)],
                           capture_output=True, text=True, cwd=REPO_ROOT)
    assert again.returncode == 1 and "never overwritten" in again.stderr


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def _gunicorn(env: dict[str, str], port: int, log: Path) -> subprocess.Popen[bytes]:
    command = [str(Path(sys.executable).with_name("gunicorn")), "-c", "deploy/gunicorn.conf.py", "portal.wsgi:app"]
    return subprocess.Popen(command, cwd=REPO_ROOT, stdout=log.open("wb"), stderr=subprocess.STDOUT,
                            env={**os.environ, "BIND": f"127.0.0.1:{port}", "WEB_CONCURRENCY": "2", **env})


def test_gunicorn_refuses_an_incomplete_production_setup_with_the_message(tmp_path):
    log = tmp_path / "gunicorn.log"
    server = _gunicorn({"PORTAL_ENV": "production", "PORTAL_INSTANCE_PATH": str(tmp_path / "instance")},
                       _free_port(), log)
    assert server.wait(timeout=60) != 0
    output = log.read_text()
    assert "PORTAL_ENV=production refuses to start" in output
    assert all(name in output for name in EVERY_SETTING)


@pytest.mark.postgres
@pytest.mark.parametrize("database_url", [pytest.param("postgres", marks=pytest.mark.postgres)], indirect=True)
def test_gunicorn_serves_production_behind_a_proxy(app, database_url, tmp_path):
    """The full production setup on PostgreSQL: gunicorn starts with the repository's config, the
    page carries HSTS (the proxy's X-Forwarded-Proto is trusted) and the access log names the client."""
    config = production_config(tmp_path, database_url)
    port, log = _free_port(), tmp_path / "gunicorn.log"
    env = {"PORTAL_ENV": "production", "PORTAL_SECRET_KEY": SECRET, "DATABASE_URL": database_url,
           "PUBLIC_BASE_URL": "https://sanzi.example.cn", "TRUSTED_HOSTS": "sanzi.example.cn",
           "AUDIT_SIGNING_KEY_FILE": str(config["AUDIT_SIGNING_KEY_FILE"]), "TRUSTED_PROXIES": "1",
           "PORTAL_INSTANCE_PATH": str(tmp_path / "prod")}
    server = _gunicorn(env, port, log)
    try:
        request = urllib.request.Request(f"http://127.0.0.1:{port}/", headers={
            "Host": "sanzi.example.cn", "X-Forwarded-For": "198.51.100.7", "X-Forwarded-Proto": "https"})
        for _ in range(100):
            try:
                response = urllib.request.urlopen(request, timeout=10)
                break
            except OSError:
                assert server.poll() is None, log.read_text()
                time.sleep(0.2)
        else:
            pytest.fail(log.read_text())
        assert response.status == 200
        assert response.headers["Strict-Transport-Security"] == "max-age=31536000"
        assert response.headers["X-Frame-Options"] == "DENY"
    finally:
        server.terminate()
        server.wait(timeout=30)
    assert "198.51.100.7" in log.read_text()
    assert "portal warmed in" in log.read_text()  # loaded once in the master, warmed, then forked
    assert create_app(config).config["PORTAL_ENV"] == "production"  # the same settings, in-process


@pytest.mark.parametrize("database_url", DATABASES, indirect=True)
def test_the_warm_up_reads_and_renders_but_writes_nothing(app, demo, caplog, monkeypatch):
    """What gunicorn's master and each new worker run before serving: no row, no cached PDF, no
    visit; a worker whose database is unreachable still starts (its first request reports it)."""
    backend = app.extensions["portal"]

    def rows() -> dict[str, int]:
        with backend.db.read() as session:
            return {name: session.execute(text(f'SELECT count(*) FROM "{name}"')).scalar_one()
                    for name in ("audit_entry", "page_visit", "visit_seen", "request_count", "village_figures")}

    before = rows()
    assert warm(app) > 0
    warm_worker(app)
    assert rows() == before
    assert not (Path(app.instance_path) / "pdf-cache").exists()
    assert app.test_client().get("/v/lianban/contracts").status_code == 200

    def unreachable():
        raise OperationalError("SELECT", {}, Exception("connection refused"))

    monkeypatch.setattr(backend.db, "read", unreachable)
    with caplog.at_level(logging.WARNING):
        warm_worker(app)
    assert "could not read the database" in caplog.text
