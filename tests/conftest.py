"""Shared fixtures: the app on a real database (SQLite always, PostgreSQL when configured).

PostgreSQL tests use TEST_DATABASE_URL (scripts/test sets it); without it they skip with a
message, or fail when REQUIRE_POSTGRES=1 (CI), so nothing is skipped silently there.
"""
from __future__ import annotations

import fcntl
import os
import shutil
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date
from pathlib import Path

import pytest
from sqlalchemy import create_engine, make_url, text

from portal import create_app
from portal.kernel.transaction import Actor, Backend
from werkzeug.routing.rules import Rule

REPO_ROOT = Path(__file__).resolve().parent.parent
SHARED_DATA = REPO_ROOT.parent / "shared" / "data"
STAFF = Actor("test-staff", "staff", village="testcun")
DEMO_STAFF = Actor("demo-staff", "staff", village="lianban")
DEMO_DAY = date(2026, 11, 23)
DATABASES = ["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)]


def _memoize_url_builders() -> None:
    """Nearly every test builds an app, and Werkzeug compiles two URL builders per route for each
    (two thirds of create_app's time). A builder depends only on the rule's text, its parsed
    parts and its defaults, so the run compiles each once."""
    compile_builder = Rule._compile_builder
    built: dict[tuple, object] = {}

    def cached(self: Rule, append_unknown: bool = True):
        key = (self.rule, tuple(self._trace), repr(sorted((self.defaults or {}).items())), append_unknown)
        if key not in built:
            built[key] = compile_builder(self, append_unknown)
        return built[key]

    Rule._compile_builder = cached  # type: ignore[method-assign]


_memoize_url_builders()


def postgres_url() -> str:
    url = os.environ.get("TEST_DATABASE_URL", "")
    if not url:
        message = ("PostgreSQL tests need TEST_DATABASE_URL "
                   "(e.g. postgresql+psycopg://postgres@127.0.0.1:5432/portal_test); scripts/test sets it")
        if os.environ.get("REQUIRE_POSTGRES") == "1":
            pytest.fail(message, pytrace=False)
        pytest.skip(message)
    return url


def pytest_configure(config: pytest.Config) -> None:
    """Names this run for the databases its processes share: the id of the process that started
    it, inherited by pytest-xdist's workers (they are started later, with this environment)."""
    if not os.environ.get("PYTEST_XDIST_WORKER"):
        os.environ["PORTAL_TEST_RUN"] = str(os.getpid())


def pytest_unconfigure(config: pytest.Config) -> None:
    """The process that started the run drops the demo template its workers shared."""
    if os.environ.get("PYTEST_XDIST_WORKER") or not os.environ.get("TEST_DATABASE_URL"):
        return
    _drop_databases(os.environ["TEST_DATABASE_URL"], [DemoTemplates.postgres_template(
        os.environ["TEST_DATABASE_URL"])])


def _run_id() -> str:
    return os.environ.get("PORTAL_TEST_RUN") or str(os.getpid())


def _drop_databases(base_url: str, names: list[str]) -> None:
    base = make_url(base_url)
    server = create_engine(base.set(database="postgres"), isolation_level="AUTOCOMMIT")
    try:
        with server.connect() as conn:
            for name in names:
                conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    except Exception:  # noqa: BLE001  (no server: nothing was built there)
        pass
    finally:
        server.dispose()


@pytest.fixture(scope="session")
def shared_tmp(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A folder every process of this run sees (pytest-xdist gives each worker its own
    temporary folder, inside a common one)."""
    base = tmp_path_factory.getbasetemp()
    return base.parent if os.environ.get("PYTEST_XDIST_WORKER") else base


@contextmanager
def _only_one_at_a_time(lock: Path) -> Iterator[None]:
    """Holds an exclusive lock on the file `lock` (other processes of the run wait for it)."""
    lock.parent.mkdir(parents=True, exist_ok=True)
    with lock.open("a") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


@pytest.fixture(scope="session")
def postgres_database() -> Iterator[str]:
    """A database of this test process's own (TEST_DATABASE_URL's name + the process id), so
    runs and pytest-xdist workers side by side never touch each other's tables; dropped at the
    end."""
    base = make_url(postgres_url())
    name = f"{base.database}_{os.getpid()}"
    server = create_engine(base.set(database="postgres"), isolation_level="AUTOCOMMIT")
    with server.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    yield base.set(database=name).render_as_string(hide_password=False)
    server.dispose()
    _drop_databases(base.render_as_string(hide_password=False), [name, f"{name}_demo_run"])


def _fresh_postgres(url: str) -> str:
    """Empties the test database (every table of the public schema) so each test starts clean."""
    engine = create_engine(url)
    with engine.begin() as conn:
        conn.execute(text("DROP SCHEMA public CASCADE"))
        conn.execute(text("CREATE SCHEMA public"))
    engine.dispose()
    _FULL_SCHEMA.pop(url, None)
    return url


# What a schema is made of: columns, indexes, constraints, triggers, functions. A test that
# changes any of these (a migration, a tampering test) changes the fingerprint.
_SCHEMA_FINGERPRINT = text("""
SELECT md5(string_agg(part, ',' ORDER BY part)) FROM (
  SELECT table_name || '.' || column_name || ':' || data_type || coalesce(column_default, '') AS part
    FROM information_schema.columns WHERE table_schema = 'public'
  UNION ALL SELECT indexdef FROM pg_indexes WHERE schemaname = 'public'
  UNION ALL SELECT conname || pg_get_constraintdef(oid) FROM pg_constraint
    WHERE connamespace = 'public'::regnamespace
  UNION ALL SELECT tgname FROM pg_trigger WHERE NOT tgisinternal
  UNION ALL SELECT proname FROM pg_proc WHERE pronamespace = 'public'::regnamespace) AS parts""")
_FULL_SCHEMA: dict[str, str] = {}  # database URL -> fingerprint of the schema create_all made there


def _postgres_with_schema(url: str, tmp_path: Path) -> str:
    """The test database with the app's whole schema and no rows. Building the schema takes
    ~40 statements of DDL, so a database whose schema is still the one built for an earlier
    test is only emptied (every row deleted, every sequence restarted)."""
    engine = create_engine(url)
    try:
        known = _FULL_SCHEMA.get(url)
        if known is not None:
            with engine.begin() as conn:
                if conn.execute(_SCHEMA_FINGERPRINT).scalar() == known:
                    tables = conn.execute(text(
                        "SELECT tablename FROM pg_tables WHERE schemaname = 'public'")).scalars().all()
                    # rows of every table, foreign keys unchecked while they all go
                    conn.exec_driver_sql("SET LOCAL session_replication_role = replica")
                    conn.exec_driver_sql(";".join(f'DELETE FROM "{table}"' for table in tables))
                    conn.exec_driver_sql("SELECT setval(oid, 1, false) FROM pg_class "
                                         "WHERE relkind = 'S' AND relnamespace = 'public'::regnamespace")
                    return url
        _fresh_postgres(url)
        built = make_app(url, tmp_path / "schema")
        built.extensions["portal"].db.create_schema()
        built.extensions["portal"].db.dispose()
        with engine.connect() as conn:
            _FULL_SCHEMA[url] = conn.execute(_SCHEMA_FINGERPRINT).scalar_one()
        return url
    finally:
        engine.dispose()


class EmptySchema:
    """The app's whole schema in a SQLite file with no rows, built once per process and copied
    into each test that builds the app on an empty database."""

    def __init__(self, root: Path) -> None:
        self.root = root

    def sqlite(self, tmp_path: Path) -> str:
        template = self.root / "portal.db"
        if not template.exists():
            built = make_app(f"sqlite:///{self.root / 'building.db'}", self.root)
            built.extensions["portal"].db.create_schema()
            built.extensions["portal"].db.dispose()
            (self.root / "building.db").rename(template)
        shutil.copy(template, tmp_path / "portal.db")
        return f"sqlite:///{tmp_path / 'portal.db'}"


def _build_demo(url: str, instance: Path) -> None:
    """Builds the demo village into the database at `url`, signing with a key in `instance`."""
    from portal.demo import build_demo

    built = create_app({"DATABASE_URL": url, "SECRET_KEY": "test-secret", "INSTANCE_PATH": str(instance)})
    database = built.extensions["portal"].db
    database.create_schema()
    build_demo(built.extensions["portal"], DEMO_DAY)
    if database.is_sqlite:
        with database.engine.connect() as conn:
            conn.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)")
    database.dispose()


class DemoTemplates:
    """The demo village built once per run and kind of database, then copied into each test
    that asks for it (a file copy on SQLite, CREATE DATABASE … TEMPLATE on PostgreSQL).

    The templates are shared by all pytest-xdist workers of the run: the first worker to need
    one builds it while holding a file lock, the others wait and then copy it."""

    def __init__(self, root: Path) -> None:
        self.root = root

    @staticmethod
    def postgres_template(base_url: str) -> str:
        """The name of this run's demo template next to TEST_DATABASE_URL's database."""
        return f"{make_url(base_url).database}_{_run_id()}_demo"

    def _ready(self, kind: str, build) -> None:
        """Builds the template of `kind` unless a process of this run already did."""
        done = self.root / f"{kind}.built"
        if done.exists():
            return
        with _only_one_at_a_time(self.root / f"{kind}.lock"):
            if not done.exists():
                build()
                done.touch()

    def sqlite(self, tmp_path: Path) -> str:
        folder = self.root / "sqlite"
        self._ready("sqlite", lambda: _build_demo(f"sqlite:///{folder / 'portal.db'}", folder / "instance"))
        shutil.copy(folder / "portal.db", tmp_path / "portal.db")
        self._copy_key(folder, tmp_path)
        return f"sqlite:///{tmp_path / 'portal.db'}"

    def postgres(self, base_url: str, tmp_path: Path) -> str:
        """A fresh copy of the demo in `base_url`'s database + "_demo_run" (the process's own)."""
        base = make_url(base_url)
        template = self.postgres_template(postgres_url())
        clone = f"{base.database}_demo_run"

        def build() -> None:
            with server.connect() as conn:
                conn.execute(text(f'DROP DATABASE IF EXISTS "{template}" WITH (FORCE)'))
                conn.execute(text(f'CREATE DATABASE "{template}"'))
            _build_demo(base.set(database=template).render_as_string(hide_password=False),
                        self.root / "postgres" / "instance")

        server = create_engine(base.set(database="postgres"), isolation_level="AUTOCOMMIT")
        try:
            self._ready("postgres", build)
            with server.connect() as conn:
                conn.execute(text(f'DROP DATABASE IF EXISTS "{clone}" WITH (FORCE)'))
                conn.execute(text(f'CREATE DATABASE "{clone}" TEMPLATE "{template}"'))
        finally:
            server.dispose()
        self._copy_key(self.root / "postgres", tmp_path)
        return base.set(database=clone).render_as_string(hide_password=False)

    @staticmethod
    def _copy_key(folder: Path, tmp_path: Path) -> None:
        """The demo's checkpoints were signed with the template's key, and its receipt scans
        are stored in the template's instance folder: the test app needs both."""
        shutil.copytree(folder / "instance", tmp_path / "instance", dirs_exist_ok=True,
                        ignore=shutil.ignore_patterns("pdf-cache", "secret-key"))


@pytest.fixture(scope="session")
def demo_templates(shared_tmp: Path) -> DemoTemplates:
    """The run's demo templates (the PostgreSQL one is dropped when the run ends)."""
    return DemoTemplates(shared_tmp / "demo-templates")


@pytest.fixture(scope="session")
def empty_schema(tmp_path_factory: pytest.TempPathFactory) -> EmptySchema:
    return EmptySchema(tmp_path_factory.mktemp("empty-schema"))


@pytest.fixture(params=DATABASES)
def database_url(request, tmp_path) -> str:
    """A URL of an empty database (a SQLite file, or the wiped PostgreSQL test database), or,
    when the test asks for `demo`, of a fresh copy of the demo village. A test that builds the
    `app` gets the app's schema already there (the app's create_schema then finds it)."""
    wants_demo = "demo" in request.fixturenames
    wants_schema = "app" in request.fixturenames or "csrf_app" in request.fixturenames
    if request.param == "sqlite":
        if wants_demo:
            return request.getfixturevalue("demo_templates").sqlite(tmp_path)
        if wants_schema:
            return request.getfixturevalue("empty_schema").sqlite(tmp_path)
        return f"sqlite:///{tmp_path / 'portal.db'}"
    base = request.getfixturevalue("postgres_database")
    if wants_demo:
        return request.getfixturevalue("demo_templates").postgres(base, tmp_path)
    if wants_schema:
        return _postgres_with_schema(base, tmp_path)
    return _fresh_postgres(base)


def make_app(database_url: str, tmp_path: Path, **config: object):
    """The app on `database_url` with its instance folder in `tmp_path`, as every test builds it."""
    return create_app({"TESTING": True, "DATABASE_URL": database_url, "SECRET_KEY": "test-secret",
                       "INSTANCE_PATH": str(tmp_path / "instance"), **config})


@pytest.fixture
def app(database_url, tmp_path):
    app = make_app(database_url, tmp_path, WTF_CSRF_ENABLED=False)
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
    from portal.kernel.transaction import SYSTEM
    from portal.parcels.services import AssetInput, create_asset
    from portal.villages.services import VillageInput, create_village

    create_village(backend, SYSTEM, VillageInput(code="testcun", name="测试村", township="测试镇"))
    create_asset(backend, STAFF, "testcun", AssetInput(number="P1", name="东洋1号地", kind="land", area="10.00"))
    create_asset(backend, STAFF, "testcun", AssetInput(number="P2", name="西洋2号地", kind="land", area="5.50"))
    create_asset(backend, STAFF, "testcun", AssetInput(number="S1", name="店面", kind="shop", area="80"))
    return "testcun"


@pytest.fixture
def demo(backend) -> str:
    """The demo village 莲坂村 as of 2026-11-23, copied in by `database_url`."""
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
    from portal.contracts.services import ContractInput

    def make(**changes):
        values = dict(number="HT-001", title="东洋1号地租赁合同", lessee_kind="company",
                      lessee_name="测试农业有限公司", start_date="2024-01-01", end_date="2028-12-31",
                      rent_rate="500", rent_unit="mu_year", assets=[("P1", None)])
        values.update(changes)
        return ContractInput(**values)

    return make


