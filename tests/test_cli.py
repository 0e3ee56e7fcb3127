"""The flask commands: schema, demo (twice), audit verify on the demo (ensure-demo: tests/test_migrations.py)."""
from __future__ import annotations

import pytest


def test_init_db_is_idempotent(runner):
    assert runner.invoke(args=["init-db"]).exit_code == 0
    assert "已存在" in runner.invoke(args=["init-db"]).output


# On SQLite: the PostgreSQL demo is built by every run (the template its PostgreSQL tests copy)
# and by test_migrations' ensure-demo.
@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
def test_demo_builds_the_village_once_and_refuses_a_second_time(runner, backend):
    first = runner.invoke(args=["demo"])
    assert first.exit_code == 0, first.output
    for account in ("demo-staff", "demo-committee", "demo-township", "demo-2026"):
        assert account in first.output
    second = runner.invoke(args=["demo"])
    assert second.exit_code == 1
    assert "已存在" in second.output
    verify = runner.invoke(args=["audit", "verify", "--village", "lianban"])
    assert verify.exit_code == 0, verify.output
    assert verify.output.startswith("OK lianban size=")


def test_unknown_village_is_a_clear_error(runner, backend):
    result = runner.invoke(args=["audit", "verify", "--village", "nowhere"])
    assert result.exit_code != 0 and "nowhere" in result.output
