"""The flask commands: schema, demo (twice), ensure-demo, audit verify on the demo."""
from __future__ import annotations

from sqlalchemy import select

from portal.villages.models import Village


def test_init_db_is_idempotent(runner):
    assert runner.invoke(args=["init-db"]).exit_code == 0
    assert "已存在" in runner.invoke(args=["init-db"]).output


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


def test_ensure_demo_creates_once_and_then_leaves_data_alone(runner, backend):
    backend.db.drop_schema()
    assert runner.invoke(args=["ensure-demo"]).exit_code == 0
    with backend.db.read() as session:
        assert session.scalars(select(Village.code)).all() == ["lianban"]
    again = runner.invoke(args=["ensure-demo"])
    assert again.exit_code == 0 and again.output == ""


def test_unknown_village_is_a_clear_error(runner, backend):
    result = runner.invoke(args=["audit", "verify", "--village", "nowhere"])
    assert result.exit_code != 0 and "nowhere" in result.output
