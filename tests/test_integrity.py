"""`flask --app portal audit verify` on the demo: every direct edit of a table that holds audited
state (bypassing the portal, as an attacker with the database would) is named, with exit 1 and
never a traceback; the untouched demo passes."""
from __future__ import annotations

import hashlib

import pytest
from sqlalchemy import text

from portal.auditlog.files import path_for

from .conftest import DEMO_STAFF

# Each case: the statements (one string, or per dialect), whether foreign keys are off while
# they run (a direct delete does not care what refers to the row), and what the report must say.
# The demo has two logs (lianban, and _township for its township officer): subqueries name one.
Case = tuple[str | dict[str, str], bool, tuple[str, ...]]

FIRST_ASSET = "(SELECT min(id) FROM asset)"
CASES: dict[str, Case] = {
    # the log's own tables
    "audit_node level 0": (
        "UPDATE audit_node SET hash = (SELECT hash FROM audit_node WHERE log = 'lianban' AND level = 0 AND idx = 1) "
        "WHERE log = 'lianban' AND level = 0 AND idx = 0", False, ("Merkle 节点（第 0 层，序号 0）",)),
    "audit_node level 3": (
        "UPDATE audit_node SET hash = (SELECT hash FROM audit_node WHERE log = 'lianban' AND level = 3 AND idx = 1) "
        "WHERE log = 'lianban' AND level = 3 AND idx = 2", False, ("Merkle 节点（第 3 层，序号 2）",)),
    "audit_node deleted": (
        "DELETE FROM audit_node WHERE level = 2 AND idx = 7", False, ("第 2 层应有",)),
    "audit_head size": ("UPDATE audit_head SET size = size - 1", False, ("audit_head 的 size",)),
    "audit_head last_hash": (
        "UPDATE audit_head SET last_hash = (SELECT prev FROM audit_entry WHERE log = 'lianban' AND seq = 1)", False,
        ("last_hash",)),
    "audit_head root": (
        "UPDATE audit_head SET root = (SELECT hash FROM audit_node WHERE log = 'lianban' AND level = 0 AND idx = 0)",
        False,
        ("根哈希（root）",)),
    "audit_head peaks": (
        "UPDATE audit_head SET peaks = (SELECT hash FROM audit_node WHERE log = 'lianban' AND level = 0 AND idx = 0)",
        False,
        ("peaks",)),
    "audit_head checkpoint": (
        "UPDATE audit_head SET checkpoint = replace(checkpoint, '/v/lianban', '/v/lianbam')", False,
        ("audit_head 中的签名检查点无效",)),
    "audit_head updated_at": (
        "UPDATE audit_head SET updated_at = '2020-01-01 00:00:00.000000'", False, ("updated_at",)),
    "audit_head log": ("UPDATE audit_head SET log = 'elsewhere' WHERE log = 'lianban'", False,
                       ("audit_head 中没有此日志的行", "FAIL elsewhere")),
    "audit_head deleted": ("DELETE FROM audit_head", False, ("audit_head 中没有此日志的行",)),
    "audit_checkpoint size": ("UPDATE audit_checkpoint SET size = size - 1", False, ("audit_checkpoint",)),
    "audit_checkpoint note": (
        "UPDATE audit_checkpoint SET note = replace(note, '—', '-')", False, ("audit_checkpoint", "无效")),
    "audit_entry line": (
        "UPDATE audit_entry SET line = replace(line, 'lianban', 'lianbam') WHERE seq = 5", False,
        ("seq=5: 条目内容（line）与其 hash 列不一致",)),
    "audit_entry entity_id": (
        "UPDATE audit_entry SET entity_id = '999999' WHERE seq = 5", False, ("seq=5", "entity_id")),
    "audit_entry deleted": ("DELETE FROM audit_entry WHERE seq = 10", True, ("seq=10: 日志中缺少",)),
    "stored_file size": (
        "UPDATE stored_file SET size = size + 1 WHERE sha256 = (SELECT min(sha256) FROM stored_file)",
        False, ("stored_file 中记载的大小",)),
    "stored_file media_type": (
        "UPDATE stored_file SET media_type = 'text/html' WHERE sha256 = (SELECT min(sha256) FROM stored_file)",
        False, ("text/html", "与文件内容不符")),
    "stored_file deleted": (
        "DELETE FROM stored_file WHERE sha256 = (SELECT min(sha256) FROM stored_file)", False,
        ("在 stored_file 中没有记录",)),
    "private_record deleted": (
        "DELETE FROM private_record WHERE entry_id = (SELECT min(entry_id) FROM private_record)", False,
        ("private_record 中缺少此条的个人信息记录",)),
    "private_record salt": (
        {"sqlite": "UPDATE private_record SET salt = 'tampered' "
                   "WHERE entry_id = (SELECT max(entry_id) FROM private_record)",
         "postgresql": "UPDATE private_record SET salt = convert_to('tampered', 'UTF8') "
                       "WHERE entry_id = (SELECT max(entry_id) FROM private_record)"},
        False, ("private_record 的盐或个人信息与日志的承诺不一致",)),
    "private_record personal": (
        "UPDATE private_record SET personal = replace(personal, '\"}', ' \"}') "
        "WHERE entry_id = (SELECT min(entry_id) FROM private_record)", False, ("承诺不一致",)),
    # the records: deleted rows
    "village deleted": ("DELETE FROM village", True, ("village lianban", "数据库中却不存在")),
    "asset deleted": ("DELETE FROM asset WHERE id = (SELECT min(asset_id) FROM contract_asset)", True,
                      ("asset", "数据库中却不存在", "contract")),
    "plan deleted": ("DELETE FROM plan WHERE id = (SELECT min(plan_id) FROM plan_comment)", True,
                     ("plan ", "数据库中却不存在", "plan_comment")),
    "plan_comment deleted": ("DELETE FROM plan_comment WHERE id = (SELECT min(id) FROM plan_comment)", True,
                             ("plan_comment", "数据库中却不存在")),
    "user deleted": ("DELETE FROM user_account WHERE username = 'demo-staff'", True,
                     ("user 1", "数据库中却不存在")),
    # the records: rows changed
    "village": ("UPDATE village SET name = name || '改'", False, ("village lianban", "被直接修改")),
    "user_account": ("UPDATE user_account SET username = 'someone-else' WHERE username = 'demo-staff'",
                     False, ("user 1", "被直接修改")),
    "user_account personal": (
        "UPDATE user_account SET display_name = '别人' WHERE username = 'demo-committee'", False,
        ("user 2", "个人信息")),
    "asset": (f"UPDATE asset SET name = name || '改' WHERE id = {FIRST_ASSET}", False, ("asset", "被直接修改")),
    "contract": ("UPDATE contract SET rent_rate = rent_rate + 1 WHERE id = (SELECT min(id) FROM contract)",
                 False, ("contract", "被直接修改")),
    "contract_asset": (
        "UPDATE contract_asset SET area = area + 100 WHERE contract_id = (SELECT min(contract_id) "
        "FROM contract_asset)", False, ("contract", "被直接修改")),
    "receipt": ("UPDATE receipt SET amount = amount + 100 WHERE id = (SELECT min(id) FROM receipt)", False,
                ("receipt", "被直接修改")),
    "receipt moved": ("UPDATE receipt SET village_id = 999 WHERE id = (SELECT min(id) FROM receipt)", True,
                      ("receipt", "另一个村")),
    "notice": ("UPDATE notice SET title = title || '改' WHERE id = (SELECT min(id) FROM notice)", False,
               ("notice", "被直接修改")),
    "plan": ("UPDATE plan SET title = title || '改' WHERE id = (SELECT min(id) FROM plan)", False,
             ("plan ", "被直接修改")),
    "plan_comment": ("UPDATE plan_comment SET body = body || '改' WHERE id = (SELECT min(id) FROM plan_comment)",
                     False, ("plan_comment", "被直接修改")),
    "consent_vote": ("UPDATE consent_vote SET yes_count = yes_count + 1", False, ("consent_vote", "被直接修改")),
    "receipt status unreadable": (
        "UPDATE receipt SET status = 'bogus' WHERE id = (SELECT min(id) FROM receipt)", False,
        ("receipt", "无法读取")),
}


def direct(backend, sql: str | dict[str, str], *, foreign_keys_off: bool = False) -> None:
    """Runs `sql` straight on the database, bypassing the portal."""
    db = backend.db
    if isinstance(sql, dict):
        sql = sql[db.engine.dialect.name]
    if db.is_sqlite:  # PRAGMA foreign_keys is ignored inside a transaction: use the raw connection
        raw = db.engine.raw_connection()
        try:
            cursor = raw.cursor()
            cursor.execute(f"PRAGMA foreign_keys={'OFF' if foreign_keys_off else 'ON'}")
            cursor.execute(sql)
            cursor.execute("PRAGMA foreign_keys=ON")
        finally:
            raw.close()
        return
    with db.engine.begin() as conn:
        if foreign_keys_off:  # as a superuser may: no triggers, so no foreign key checks
            conn.exec_driver_sql("SET LOCAL session_replication_role = replica")
        conn.exec_driver_sql(sql)


def verify(runner):
    result = runner.invoke(args=["audit", "verify"])
    assert result.exception is None or isinstance(result.exception, SystemExit), result.output
    assert "Traceback" not in result.output
    return result


def keep_checkpoint(runner, log: str) -> None:
    """Keeps the current checkpoint, as printing a notice or co-signing does (the demo has none)."""
    assert runner.invoke(args=["audit", "checkpoint", "--village", log]).exit_code == 0


def test_the_untouched_demo_verifies(runner, demo):
    assert verify(runner).exit_code == 0
    keep_checkpoint(runner, demo)
    result = verify(runner)
    assert result.exit_code == 0, result.output
    # the township accounts' log (the demo's township officer), then the village's
    assert result.output.startswith("OK _township size=1 ") and f"\nOK {demo} size=" in result.output


@pytest.mark.parametrize("case", CASES)
def test_every_direct_edit_is_named(runner, backend, demo, case):
    sql, foreign_keys_off, expected = CASES[case]
    keep_checkpoint(runner, demo)
    direct(backend, sql, foreign_keys_off=foreign_keys_off)
    result = verify(runner)
    assert result.exit_code == 1, result.output
    assert f"FAIL {demo}" in result.output
    for words in expected:
        assert words in result.output, result.output


def test_an_entry_rewritten_with_its_hash_breaks_the_chain_after_it(runner, backend, demo):
    with backend.db.engine.connect() as conn:
        line = conn.execute(text("SELECT line FROM audit_entry WHERE seq = 7")).scalar_one()
    forged = line.replace(demo, "forged")
    direct(backend, {dialect: f"UPDATE audit_entry SET line = '{forged}', "
                              f"hash = '{hashlib.sha256(forged.encode()).hexdigest()}' WHERE seq = 7"
                     for dialect in ("sqlite", "postgresql")})
    result = verify(runner)
    assert result.exit_code == 1
    assert "seq=8: prev 与 seq=7 的哈希不一致" in result.output, result.output
    assert "Merkle 节点（第 0 层，序号 7）" in result.output and "log" in result.output


def _scan(backend) -> tuple[str, str]:
    with backend.db.engine.connect() as conn:
        return conn.execute(text("SELECT scan_sha256, number FROM receipt WHERE scan_sha256 IS NOT NULL "
                                 "ORDER BY scan_sha256")).first()


@pytest.mark.parametrize("change", ["altered", "deleted"])
def test_a_scan_changed_on_disk_is_named(runner, backend, demo, change):
    sha256, number = _scan(backend)
    path = path_for(backend.files_dir, sha256)
    if change == "altered":
        path.write_bytes(path.read_bytes() + b"%")
    else:
        path.unlink()
    result = verify(runner)
    assert result.exit_code == 1, result.output
    assert f"编号 {number}" in result.output and sha256[:16] in result.output
    assert ("SHA-256 不符" if change == "altered" else "磁盘上不存在") in result.output


def test_one_log_can_be_verified_after_its_village_row_is_gone(runner, backend, demo):
    direct(backend, "DELETE FROM village", foreign_keys_off=True)
    result = runner.invoke(args=["audit", "verify", "--village", demo])
    assert result.exit_code == 1 and "village lianban" in result.output


def test_a_wholesale_rewrite_is_summarised_not_listed_line_by_line(runner, backend, demo):
    direct(backend, "UPDATE audit_node SET hash = (SELECT hash FROM audit_node WHERE log = 'lianban' AND level = 0 "
                    "AND idx = 0)")
    result = verify(runner)
    assert result.exit_code == 1 and "另有" in result.output and "个问题未列出" in result.output


def test_a_write_committed_while_verifying_is_not_reported(backend, demo, monkeypatch):
    from portal.auditlog import integrity_head
    from portal.auditlog.integrity import verify_log
    from portal.receipts.services import ReceiptInput, record_receipt

    check_head = integrity_head.check_head

    def write_then_check_head(*args):  # a villager's payment lands between the entries and the head
        record_receipt(backend, DEMO_STAFF, demo, ReceiptInput(
            number="SK-2026-9999", amount="100.00", received_on="2026-11-23", payer_name="测试农业有限公司"))
        return check_head(*args)

    monkeypatch.setattr(integrity_head, "check_head", write_then_check_head)
    with backend.db.read() as session:
        report = verify_log(session, demo, backend.signer, backend.files_dir, backend.registry)
    assert report.ok, report.problems
