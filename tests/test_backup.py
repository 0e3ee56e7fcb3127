"""`flask --app portal village export CODE FILE` and `village import FILE`: the demo village
round-trips into an empty database (SQLite → SQLite, SQLite → PostgreSQL), its log verifies
with the same size and root, its files come along, and the restored portal keeps writing."""
from __future__ import annotations

import re
import shutil

import pytest

from portal.auditlog.signing import KEY_FILE
from portal.receipts.services import ReceiptInput, record_receipt

from .conftest import DEMO_STAFF, _fresh_postgres, make_app


def _state(runner, code: str) -> str:
    result = runner.invoke(args=["audit", "verify", "--village", code])
    assert result.exit_code == 0, result.output
    found = re.search(rf"^OK {code} size=\d+ root=\S+$", result.output, re.M)
    assert found, result.output
    return found.group(0)


@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
@pytest.mark.parametrize("target", ["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def test_a_village_round_trips_into_an_empty_database(request, runner, demo, tmp_path, target):
    assert runner.invoke(args=["audit", "checkpoint", "--village", demo]).exit_code == 0
    before = _state(runner, demo)
    backup = tmp_path / "lianban.json"
    result = runner.invoke(args=["village", "export", demo, str(backup)])
    assert result.exit_code == 0, result.output

    restored_dir = tmp_path / "restored"
    (restored_dir / "instance").mkdir(parents=True)
    shutil.copy(tmp_path / "instance" / KEY_FILE, restored_dir / "instance" / KEY_FILE)  # kept apart
    url = (f"sqlite:///{restored_dir / 'portal.db'}" if target == "sqlite"
           else _fresh_postgres(request.getfixturevalue("postgres_database")))
    restored = make_app(url, restored_dir)
    try:
        restored_runner = restored.test_cli_runner()
        result = restored_runner.invoke(args=["village", "import", str(backup)])
        assert result.exit_code == 0, result.output
        assert _state(restored_runner, demo) == before  # same size, same root, files on disk too
        scans = list((restored_dir / "instance").rglob("*"))
        assert any(path.is_file() and path.name != KEY_FILE for path in scans)

        again = restored_runner.invoke(args=["village", "import", str(backup)])
        assert again.exit_code == 1 and "空数据库" in again.output

        # the restored village takes new writes (ids continue after the restored rows)
        record_receipt(restored.extensions["portal"], DEMO_STAFF, demo, ReceiptInput(
            number="SK-2026-8888", amount="10.00", received_on="2026-11-23", payer_name="测试农业有限公司"))
        assert _state(restored_runner, demo) != before
        page = restored.test_client().get(f"/v/{demo}/contracts/LB-HT-2016-001")
        assert page.status_code == 200 and "LB-HT-2016-001" in page.get_data(as_text=True)
    finally:
        restored.extensions["portal"].db.dispose()


def test_exporting_an_unknown_village_or_importing_a_stranger_file_fails_cleanly(runner, tmp_path):
    result = runner.invoke(args=["village", "export", "nowhere", str(tmp_path / "x.json")])
    assert result.exit_code == 1 and "没有编码为" in result.output and not (tmp_path / "x.json").exists()
    (tmp_path / "junk.json").write_text('{"hello": 1}', encoding="utf-8")
    result = runner.invoke(args=["village", "import", str(tmp_path / "junk.json")])
    assert result.exit_code == 1 and "不是本系统导出的村数据备份文件" in result.output
