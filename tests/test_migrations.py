"""Migrations: the revisions make exactly the models' schema, on SQLite and PostgreSQL, and
`flask --app portal db …`, `init-db` and `ensure-demo` create, stamp, upgrade and downgrade
the database through them."""
from __future__ import annotations

import shutil
from pathlib import Path
from decimal import Decimal
from typing import Any

import pytest
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import (
    BigInteger,
    Column,
    Integer,
    MetaData,
    Table,
    inspect,
    select,
    text,
)
from sqlalchemy.engine import Engine

from portal import migrate
from portal.kernel.database import Database
from portal.kernel.transaction import SYSTEM
from portal.kernel.types import ScaledDecimal, UTCDateTime
from portal.parcels.models import Asset
from portal.parcels.services import AssetInput, create_asset
from portal.villages.services import VillageInput, create_village, list_villages
from tests.conftest import REPO_ROOT, STAFF, _fresh_postgres, make_app


@pytest.fixture
def bare_app(database_url, tmp_path):
    """The app on an empty database: nothing calls create_all, so the migrations make it."""
    app = make_app(database_url, tmp_path)
    yield app
    app.extensions["portal"].db.dispose()


@pytest.fixture
def db(bare_app) -> Database:
    return bare_app.extensions["portal"].db


@pytest.fixture
def flask_cli(bare_app):
    """Runs `flask --app portal ARGS…` on the bare app; returns the click result."""
    runner = bare_app.test_cli_runner()

    def run(*args: str, **kwargs: Any):
        return runner.invoke(args=list(args), **kwargs)

    return run


def schema_differences(engine: Engine) -> list[Any]:
    """What autogenerate would change to make the database match the models (types included)."""
    with engine.connect() as connection:
        context = MigrationContext.configure(connection, opts={"compare_type": True})
        return compare_metadata(context, migrate.target_metadata())


def reflected_schema(engine: Engine) -> dict[str, dict[str, Any]]:
    """Every table's columns, keys, constraints and indexes as the database reports them."""
    inspector = inspect(engine)
    schema = {}
    for table in sorted(set(inspector.get_table_names()) - {migrate.VERSION_TABLE}):
        schema[table] = {
            "columns": [(c["name"], str(c["type"]), c["nullable"], c.get("default"))
                        for c in inspector.get_columns(table)],
            "pk": inspector.get_pk_constraint(table),
            "fks": sorted((fk["name"], fk["constrained_columns"], fk["referred_table"],
                           fk["referred_columns"]) for fk in inspector.get_foreign_keys(table)),
            "uniques": sorted((u["name"], u["column_names"]) for u in inspector.get_unique_constraints(table)),
            "indexes": sorted((i["name"], i["column_names"], i["unique"]) for i in inspector.get_indexes(table)),
            "checks": sorted((c["name"], c["sqltext"]) for c in inspector.get_check_constraints(table)),
        }
    return schema


def version_rows(engine: Engine) -> list[str]:
    with engine.connect() as connection:
        return list(connection.execute(text("SELECT version_num FROM alembic_version")).scalars())


def head() -> str | None:
    """The newest revision in migrations/."""
    return migrate.head_revision(migrate.alembic_config("sqlite://"))


def emptied(database_url: str, tmp_path: Path) -> str:
    """A URL of another empty database of the same kind."""
    if database_url.startswith("sqlite"):
        return f"sqlite:///{tmp_path / 'create-all.db'}"
    return _fresh_postgres(database_url)


def test_the_migrations_make_exactly_the_schema_of_the_models(db, database_url, tmp_path):
    migrate.upgrade(db, migrate.BASELINE)
    assert set(inspect(db.engine).get_table_names()) == migrate.PRE_MIGRATION_TABLES | {"alembic_version"}
    migrate.upgrade(db)

    assert schema_differences(db.engine) == []
    migrated = reflected_schema(db.engine)
    assert set(migrated) == set(migrate.target_metadata().tables)
    assert migrated["audit_entry"]["uniques"] == [
        ("uq_audit_entry_hash", ["hash"]), ("uq_audit_entry_log_prev", ["log", "prev"]),
        ("uq_audit_entry_log_seq", ["log", "seq"])]
    db.dispose()

    # The test fixtures use create_all for speed: it must make the very same schema.
    other = Database(emptied(database_url, tmp_path))
    other.create_schema()
    try:
        assert reflected_schema(other.engine) == migrated
    finally:
        other.dispose()


def test_db_upgrade_creates_the_schema_from_any_directory_and_then_does_nothing(
        db, flask_cli, monkeypatch, tmp_path):
    monkeypatch.chdir(tmp_path)  # no alembic.ini here: the configuration is built in code

    first = flask_cli("db", "upgrade")
    assert first.exit_code == 0, first.output
    assert f"已创建数据库结构（版本 {head()}）" in first.output
    second = flask_cli("db", "upgrade")
    assert second.exit_code == 0, second.output
    assert "已是最新版本" in second.output
    assert version_rows(db.engine) == [head()]
    assert flask_cli("db", "current").output.strip() == f"{head()}（最新）"
    assert flask_cli("db", "check").exit_code == 0
    assert schema_differences(db.engine) == []


def test_init_db_and_ensure_demo_build_the_schema_through_the_migrations(db, flask_cli):
    assert flask_cli("db", "current").output.strip() == "无版本：空数据库。"
    created = flask_cli("ensure-demo")
    assert created.exit_code == 0, created.output
    assert "已创建数据库结构" in created.output and "已创建演示村 lianban" in created.output
    assert version_rows(db.engine) == [head()]
    assert flask_cli("ensure-demo").output == ""  # nothing to do: nothing said
    again = flask_cli("init-db")
    assert again.exit_code == 0 and "已是最新版本" in again.output


COLUMNS_ADDED_BY_REVISIONS = [("village", "approval_required"), ("consent_vote", "forms_sha256"),
                              ("plan_comment", "on_behalf"), ("contract", "kind"), ("contract", "share_percent"),
                              ("contract", "revenues"), ("contract", "meeting_number"),
                              ("village", "supervisor_phone"), ("user_account", "township_code"),
                              ("stored_file", "erased_at"), ("village", "landmarks")]
# (table, index a later revision made, the index it replaced, that index's columns)
INDEXES_REPLACED_BY_REVISIONS = [("receipt", "ix_receipt_village_day", "ix_receipt_village_id", "village_id")]


def test_a_database_made_by_create_all_before_migrations_is_stamped_at_the_baseline(
        bare_app, db, flask_cli):
    models = migrate.target_metadata()  # the tables create_all made then; later ones come from revisions
    models.create_all(db.engine, tables=[models.tables[name] for name in sorted(migrate.PRE_MIGRATION_TABLES)])
    with db.engine.begin() as connection:  # columns that later revisions add to those tables
        for table, column in COLUMNS_ADDED_BY_REVISIONS:
            connection.execute(text(f"ALTER TABLE {table} DROP COLUMN {column}"))
        for table, made_now, made_then, columns in INDEXES_REPLACED_BY_REVISIONS:
            connection.execute(text(f"DROP INDEX {made_now}"))
            connection.execute(text(f"CREATE INDEX {made_then} ON {table} ({columns})"))
        # a village as the code of that time wrote it (today's model has more columns)
        connection.execute(text("INSERT INTO village (code, name, township, county, is_demo, version, created_at) "
                                "VALUES ('oldcun', '旧村', '测试镇', '', false, 1, '2026-01-01 00:00:00')"))
    assert "建于引入迁移之前" in flask_cli("db", "current").output

    result = flask_cli("ensure-demo")  # what scripts/server runs
    assert result.exit_code == 0, result.output
    assert f"已标记为基线版本 {migrate.BASELINE}" in result.output
    assert version_rows(db.engine) == [head()]
    with db.read() as session:
        assert [v.code for v in list_villages(session)] == ["oldcun"]  # kept, and no demo added
    assert "已是最新版本" in flask_cli("init-db").output


def test_a_database_made_by_create_all_of_the_current_models_is_stamped_at_head(db, flask_cli):
    db.create_schema()  # as the tests and benchmarks make theirs: every table, no alembic_version

    result = flask_cli("init-db")
    assert result.exit_code == 0, result.output
    assert f"已标记为最新版本 {head()}" in result.output
    assert version_rows(db.engine) == [head()]
    assert schema_differences(db.engine) == []


def test_a_database_with_only_some_of_the_tables_is_refused_with_a_message(db, flask_cli):
    migrate.target_metadata().tables["village"].create(db.engine)

    result = flask_cli("init-db")
    assert result.exit_code == 1
    assert "缺少" in result.output and "audit_entry" in result.output
    assert "Traceback" not in result.output
    assert set(inspect(db.engine).get_table_names()) == {"village"}  # nothing changed


def test_a_database_at_a_revision_this_code_lacks_is_refused_with_a_message(db, flask_cli):
    migrate.upgrade(db)
    with db.engine.begin() as connection:
        connection.execute(text("UPDATE alembic_version SET version_num = 'ffffffffffff'"))

    result = flask_cli("db", "upgrade")
    assert result.exit_code == 1
    assert "ffffffffffff 不在 migrations/versions 中" in result.output
    assert flask_cli("db", "stamp", "--purge", "head").exit_code == 0
    assert version_rows(db.engine) == [head()]


def test_downgrading_the_baseline_to_base_drops_every_table(db, flask_cli):
    migrate.upgrade(db)

    refused = flask_cli("db", "downgrade", "base", input="n\n")
    assert refused.exit_code == 1 and "确定吗" in refused.output
    assert migrate.PRE_MIGRATION_TABLES <= set(inspect(db.engine).get_table_names())

    result = flask_cli("db", "downgrade", "base", "--yes")
    assert result.exit_code == 0, result.output
    assert set(inspect(db.engine).get_table_names()) == {migrate.VERSION_TABLE}
    assert version_rows(db.engine) == []
    if not db.is_sqlite:
        with db.engine.connect() as connection:
            left = connection.execute(text(
                "SELECT relname FROM pg_class JOIN pg_namespace n ON n.oid = relnamespace "
                "WHERE nspname = 'public' AND relkind IN ('S', 'i') AND relname <> 'alembic_version_pkc'"))
            assert left.scalars().all() == []  # no sequence or index outlives its table
    assert "已创建数据库结构" in flask_cli("db", "upgrade").output


@pytest.fixture
def own_migrations(monkeypatch, tmp_path) -> Path:
    """A copy of migrations/ that a test may add revisions to."""
    monkeypatch.setattr(migrate, "MIGRATIONS_DIR", tmp_path / "migrations")
    shutil.copytree(REPO_ROOT / "migrations", migrate.MIGRATIONS_DIR,
                    ignore=shutil.ignore_patterns("__pycache__"))
    return migrate.MIGRATIONS_DIR


def add_revision(directory: Path, revision: str, upgrade: str) -> None:
    """Adds a revision after the current head whose upgrade() has the body `upgrade`."""
    down = head()
    (directory / "versions" / f"{revision}_test.py").write_text(
        "import sqlalchemy as sa\nfrom alembic import op\n\n"
        f"revision = {revision!r}\ndown_revision = {down!r}\n"
        "branch_labels = depends_on = None\n\n\n"
        f"def upgrade():\n{upgrade}\n\n\ndef downgrade():\n    pass\n")


def test_a_failing_upgrade_leaves_nothing_behind(db, flask_cli, own_migrations):
    add_revision(own_migrations, "b0rken000001", (
        "    op.create_table('scratch', sa.Column('id', sa.Integer(), primary_key=True))\n"
        "    op.execute('SELECT no_such_column FROM village')"))

    result = flask_cli("db", "upgrade")
    assert result.exit_code == 1
    assert "数据库迁移失败，已回滚" in result.output and "Traceback" not in result.output
    assert inspect(db.engine).get_table_names() == []  # not even the baseline's tables


def test_a_batch_migration_may_copy_a_table_other_tables_refer_to(
        bare_app, db, flask_cli, own_migrations):
    migrate.upgrade(db)
    backend = bare_app.extensions["portal"]
    create_village(backend, SYSTEM, VillageInput(code="testcun", name="测试村", township="测试镇"))
    create_asset(backend, STAFF, "testcun", AssetInput(number="P1", name="东洋1号地", kind="land", area="10.00"))
    # On SQLite a type change copies `village` and drops the old one, which asset refers to.
    add_revision(own_migrations, "c0a1e5ce0001", (
        "    with op.batch_alter_table('village') as batch:\n"
        "        batch.alter_column('county', type_=sa.String(120))"))

    result = flask_cli("db", "upgrade")
    assert result.exit_code == 0, result.output
    assert "升级到 c0a1e5ce0001" in result.output
    with db.read() as session:
        assert [v.code for v in list_villages(session)] == ["testcun"]
        assert session.scalars(select(Asset.number)).all() == ["P1"]
    [county] = [c for c in inspect(db.engine).get_columns("village") if c["name"] == "county"]
    assert county["type"].length == 120


def test_db_revision_writes_a_revision_in_plain_column_types_and_none_without_changes(
        db, flask_cli, monkeypatch, own_migrations):
    migrate.upgrade(db)
    before = head()
    revisions = set((own_migrations / "versions").glob("*.py"))
    nothing = flask_cli("db", "revision", "-m", "nothing")
    assert nothing.exit_code == 0 and "没有生成迁移" in nothing.output
    assert set((own_migrations / "versions").glob("*.py")) == revisions

    models = migrate.target_metadata()
    changed = MetaData(naming_convention=models.naming_convention)
    for table in models.tables.values():
        table.to_metadata(changed)
    Table("ledger_note", changed, Column("id", Integer, primary_key=True),
          Column("amount", ScaledDecimal(2), nullable=False), Column("saved_at", UTCDateTime()),
          Column("village_id", BigInteger, index=True))
    monkeypatch.setattr(migrate, "target_metadata", lambda: changed)

    assert flask_cli("db", "check").exit_code == 1
    written = flask_cli("db", "revision", "-m", "add ledger notes")
    assert written.exit_code == 0, written.output
    [revision] = (own_migrations / "versions").glob("*_add_ledger_notes.py")
    source = revision.read_text()
    assert "sa.Column('amount', sa.BigInteger(), nullable=False)" in source
    assert "sa.Column('saved_at', sa.DateTime(timezone=True), nullable=True)" in source
    assert "portal" not in source  # revisions never import model code, which moves
    upgraded = flask_cli("db", "upgrade")
    assert f"从 {before} 升级到" in upgraded.output
    assert flask_cli("db", "check").exit_code == 0
    assert "ix_ledger_note_village_id" in {i["name"] for i in inspect(db.engine).get_indexes("ledger_note")}


def test_the_migrations_folder_is_found_next_to_the_package():
    assert migrate.MIGRATIONS_DIR == REPO_ROOT / "migrations"
    assert (migrate.MIGRATIONS_DIR / "versions" / f"{migrate.BASELINE}_baseline.py").is_file()
    config = migrate.alembic_config("sqlite://")
    assert config.get_main_option("script_location") == str(REPO_ROOT / "migrations")


def test_the_instalments_revision_derives_the_rows_of_the_contracts_already_there(bare_app, db, flask_cli):
    from portal.contracts.derived import verify_derived
    from portal.contracts.models import StoredInstalment
    from portal.contracts.services import (
        ContractInput,
        create_contract,
        terminate_contract,
    )

    migrate.upgrade(db)
    backend = bare_app.extensions["portal"]
    create_village(backend, SYSTEM, VillageInput(code="testcun", name="测试村", township="测试镇"))
    for number, area in (("P1", "10.00"), ("S1", "80")):
        create_asset(backend, STAFF, "testcun", AssetInput(number=number, name=number, area=area,
                                                           kind="land" if number == "P1" else "shop"))
    create_contract(backend, STAFF, "testcun", ContractInput(
        number="HT-001", title="东洋1号地", lessee_kind="company", lessee_name="测试农业有限公司",
        start_date="2024-01-01", end_date="2038-12-31", rent_rate="500.50", rent_unit="mu_year",
        escalation_percent="5", escalation_every_years="5", assets=[("P1", "7.25")]))
    create_contract(backend, STAFF, "testcun", ContractInput(
        number="HT-002", title="店面", lessee_kind="company", lessee_name="测试商贸有限公司",
        start_date="2025-03-31", end_date="2028-02-29", rent_rate="18", rent_unit="m2_month",
        payment_interval_months="3", assets=[("S1", None)]))
    terminate_contract(backend, STAFF, "testcun", "HT-002", "2027-05-15", "退租")

    def rows() -> list[tuple]:
        with db.read() as session:
            return [(r.contract_id, r.seq, r.village_id, r.period_start, r.period_end, r.due_date, r.amount,
                     r.cumulative) for r in session.scalars(select(StoredInstalment).order_by(
                         StoredInstalment.contract_id, StoredInstalment.seq))]

    written = rows()
    assert len(written) == 15 + 9
    result = flask_cli("db", "downgrade", migrate.BASELINE, "--yes")
    assert result.exit_code == 0, result.output
    assert "instalment" not in inspect(db.engine).get_table_names()

    upgraded = flask_cli("db", "upgrade")
    assert upgraded.exit_code == 0, upgraded.output
    assert rows() == written
    with db.read() as session:
        assert verify_derived(session, session.scalar(select(Asset.village_id).limit(1))) == []
    assert flask_cli("audit", "verify").exit_code == 0
