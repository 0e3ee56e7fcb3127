"""Shared fixtures: the app on a real database (SQLite always, PostgreSQL when configured).

PostgreSQL tests use TEST_DATABASE_URL (scripts/test sets it); without it they skip with a
message, or fail when REQUIRE_POSTGRES=1 (CI), so nothing is skipped silently there.
"""
from __future__ import annotations

import os
from datetime import date
from pathlib import Path

import pytest
from sqlalchemy import create_engine, text

from portal import create_app
from portal.services.backend import Actor, Backend

REPO_ROOT = Path(__file__).resolve().parent.parent
SHARED_DATA = REPO_ROOT.parent / "shared" / "data"
STAFF = Actor("test-staff", "staff")
DATABASES = ["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)]


def postgres_url() -> str:
    url = os.environ.get("TEST_DATABASE_URL", "")
    if not url:
        message = ("PostgreSQL tests need TEST_DATABASE_URL "
                   "(e.g. postgresql+psycopg://postgres@127.0.0.1:5432/portal_test); scripts/test sets it")
        if os.environ.get("REQUIRE_POSTGRES") == "1":
            pytest.fail(message, pytrace=False)
        pytest.skip(message)
    return url


def _fresh_postgres(url: str) -> str:
    """Empties the test database (every table of the public schema) so each test starts clean."""
    engine = create_engine(url)
    with engine.begin() as conn:
        conn.execute(text("DROP SCHEMA public CASCADE"))
        conn.execute(text("CREATE SCHEMA public"))
    engine.dispose()
    return url


@pytest.fixture(params=DATABASES)
def database_url(request, tmp_path) -> str:
    """A URL of an empty database: a SQLite file, or the wiped PostgreSQL test database."""
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'portal.db'}"
    return _fresh_postgres(postgres_url())


@pytest.fixture
def app(database_url, tmp_path):
    app = create_app({
        "TESTING": True,
        "DATABASE_URL": database_url,
        "SECRET_KEY": "test-secret",
        "INSTANCE_PATH": str(tmp_path / "instance"),
        "WTF_CSRF_ENABLED": False,
    })
    app.extensions["portal"].db.create_schema()
    yield app
    app.extensions["portal"].db.dispose()


@pytest.fixture
def backend(app) -> Backend:
    return app.extensions["portal"]


@pytest.fixture
def client(app):
    return app.test_client()


@pytest.fixture
def runner(app):
    return app.test_cli_runner()


@pytest.fixture
def village(backend) -> str:
    """A village `testcun` with two parcels and a shop, ready for contracts."""
    from portal.services.assets import AssetInput, create_asset
    from portal.services.backend import SYSTEM
    from portal.services.villages import create_village

    create_village(backend, SYSTEM, code="testcun", name="测试村", township="测试镇")
    create_asset(backend, STAFF, "testcun", AssetInput(number="P1", name="东洋1号地", kind="land", area="10.00"))
    create_asset(backend, STAFF, "testcun", AssetInput(number="P2", name="西洋2号地", kind="land", area="5.50"))
    create_asset(backend, STAFF, "testcun", AssetInput(number="S1", name="店面", kind="shop", area="80"))
    return "testcun"


@pytest.fixture
def demo(backend) -> str:
    from portal.demo import build_demo

    build_demo(backend, date(2026, 11, 23))
    return "lianban"


class AuthActions:
    def __init__(self, client) -> None:
        self.client = client

    def login(self, username: str = "demo-staff", password: str = "demo-2026"):
        return self.client.post("/login", data={"username": username, "password": password})

    def logout(self):
        return self.client.post("/logout")


@pytest.fixture
def auth(client) -> AuthActions:
    return AuthActions(client)


@pytest.fixture
def contract_input():
    """Terms of a valid company contract on P1, to vary per test."""
    from portal.services.contracts import ContractInput

    def make(**changes):
        values = dict(number="HT-001", title="东洋1号地租赁合同", lessee_kind="company",
                      lessee_name="测试农业有限公司", start_date="2024-01-01", end_date="2028-12-31",
                      rent_rate="500", rent_unit="mu_year", assets=[("P1", None)])
        values.update(changes)
        return ContractInput(**values)

    return make


