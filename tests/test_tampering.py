"""The tamper kinds test_integrity's direct edits do not cover, on SQLite and PostgreSQL: a row
inserted into every audited table, entries and records reordered, the log truncated, and the
signing key replaced. Each must be named by `audit verify` (exit 1), never pass."""
from __future__ import annotations

import hashlib
import json
import shutil
from typing import Any

import pytest
from sqlalchemy import Table, insert, select, text

from audit import note
from audit.verify import verify_dir
from portal.auditlog.signing import KEY_FILE
from portal.kernel.base import Base

from portal.receipts.services import ReceiptInput, record_receipt

from .conftest import DEMO_STAFF, make_app
from .test_integrity import direct, keep_checkpoint, verify

# Every table holding audited state, with the column made unique in the copy and what the
# report must say about the copied row.
INSERTED: dict[str, tuple[str | None, tuple[str, ...]]] = {
    "village": ("code", ("FAIL forged", "日志为空")),
    "user_account": ("username", ("user", "日志中却没有")),
    "asset": ("number", ("asset", "日志中却没有")),
    "contract": ("number", ("contract", "日志中却没有")),
    "contract_asset": (None, ("contract", "被直接修改")),
    "instalment": (None, ("缴款计划",)),
    "receipt": ("number", ("receipt", "日志中却没有")),
    "notice": ("number", ("notice", "日志中却没有")),
    "plan": ("number", ("plan ", "日志中却没有")),
    "plan_comment": ("number", ("plan_comment", "日志中却没有")),
    "consent_vote": ("number", ("consent_vote", "日志中却没有")),
    "audit_entry": (None, ("audit_head 的 size",)),
    "audit_node": (None, ("Merkle 节点",)),
    "private_record": (None, ("private_record",)),
    "audit_checkpoint": (None, ("保存的检查点",)),
}
UNIQUE_KEYS = {"instalment": ("seq",),
               "audit_entry": ("seq",), "audit_node": ("idx",), "private_record": ("entry_id",),
               "audit_checkpoint": ("size",)}


def _copied_row(backend, name: str) -> dict[str, Any]:
    """A row of `name` in the demo village copied, changed just enough to be new."""
    table: Table = Base.metadata.tables[name]
    with backend.db.engine.connect() as conn:
        if name == "private_record":  # onto an entry that commits to no personal data
            entry = conn.execute(text("SELECT min(id) FROM audit_entry WHERE line LIKE '%\"private\"\\:null%' "
                                      "AND log = 'lianban'")).scalar_one()
            return dict(conn.execute(select(table).limit(1)).mappings().one(), entry_id=entry)
        query = select(table)
        if "log" in table.c:
            query = query.where(table.c.log == "lianban")
        order = [c for c in table.primary_key.columns] + ([table.c.seq] if "seq" in table.c else [])
        row = dict(conn.execute(query.order_by(*[c.desc() for c in order]).limit(1)).mappings().one())
        first_asset = conn.execute(text("SELECT min(id) FROM asset")).scalar_one()
    if len(table.primary_key.columns) == 1 and "id" in table.primary_key.columns:
        row.pop("id")  # the database numbers the copy
    unique, _ = INSERTED[name]
    if unique:
        row[unique] = "forged" if name == "village" else (
            row[unique] + 1000 if isinstance(row[unique], int) else f"{row[unique]}-X")
    if name == "audit_entry":  # a well-formed entry appended after the last, head left alone
        entry = json.loads(row["line"]) | {"seq": row["seq"] + 1, "prev": row["hash"], "reason": "伪造"}
        row["line"] = json.dumps(entry, ensure_ascii=False, sort_keys=True, separators=(",", ":"))
        row["hash"], row["prev"], row["reason"] = (hashlib.sha256(row["line"].encode()).hexdigest(),
                                                   entry["prev"], entry["reason"])
    for key in UNIQUE_KEYS.get(name, ()):
        row[key] = row[key] + 1
    if name == "contract_asset":  # the last contract but one leases one more asset
        row["asset_id"], row["contract_id"] = first_asset, row["contract_id"] - 1
    return row


@pytest.mark.parametrize("table", INSERTED)
def test_a_row_inserted_into_any_audited_table_is_named(runner, backend, demo, table):
    keep_checkpoint(runner, demo)
    row = _copied_row(backend, table)
    with backend.db.engine.begin() as conn:
        if not backend.db.is_sqlite:
            conn.exec_driver_sql("SET LOCAL session_replication_role = replica")
        conn.execute(insert(Base.metadata.tables[table]), row)
    result = verify(runner)
    assert result.exit_code == 1, result.output
    for words in INSERTED[table][1]:
        assert words in result.output, result.output


SWAP_ENTRIES = ("UPDATE audit_entry SET seq = -1 WHERE log = 'lianban' AND seq = 5",
                "UPDATE audit_entry SET seq = 5 WHERE log = 'lianban' AND seq = 6",
                "UPDATE audit_entry SET seq = 6 WHERE log = 'lianban' AND seq = -1")
# a later receipt's date given to the first, so the list reads in another order
REDATED = ("UPDATE receipt SET received_on = (SELECT max(received_on) FROM receipt) "
           "WHERE id = (SELECT min(id) FROM receipt)",)
# the log cut just before its last record created, so that record is in the database but not the log
# ('%%': psycopg's escape of '%', and in LIKE as on SQLite two wildcards match as one)
CUT = "(SELECT max(seq) FROM audit_entry WHERE log = 'lianban' AND action LIKE '%%.create')"
ORDERED: dict[str, tuple[tuple[str, ...], bool, tuple[str, ...]]] = {
    "entries swapped": (SWAP_ENTRIES, False, ("seq=5", "prev")),
    "receipts reordered": (REDATED, False, ("receipt", "被直接修改")),
    "log cut short": ((f"DELETE FROM private_record WHERE entry_id IN (SELECT id FROM audit_entry "
                       f"WHERE log = 'lianban' AND seq >= {CUT})",
                       f"DELETE FROM audit_node WHERE log = 'lianban' AND level = 0 AND idx >= {CUT}",
                       f"DELETE FROM audit_entry WHERE log = 'lianban' AND seq >= {CUT}"),
                      False, ("超出了日志", "日志中却没有")),
    "log cut short, head rewound": (
        (f"DELETE FROM private_record WHERE entry_id IN (SELECT id FROM audit_entry "
         f"WHERE log = 'lianban' AND seq >= {CUT})",
         f"DELETE FROM audit_entry WHERE log = 'lianban' AND seq >= {CUT}",
         "UPDATE audit_head SET size = (SELECT count(*) FROM audit_entry WHERE log = 'lianban'), "
         "last_hash = (SELECT hash FROM audit_entry WHERE log = 'lianban' AND seq = "
         "(SELECT max(seq) FROM audit_entry WHERE log = 'lianban')) WHERE log = 'lianban'"),
        False, ("超出了日志",)),
    "receipt table emptied": (("DELETE FROM receipt",), True, ("receipt", "数据库中却不存在")),
    # rows deleted from the audited tables test_integrity does not delete from
    "contract deleted": (("DELETE FROM contract WHERE id = (SELECT max(id) FROM contract)",), True,
                         ("contract", "数据库中却不存在")),
    "notice deleted": (("DELETE FROM notice WHERE id = (SELECT min(id) FROM notice)",), True,
                       ("notice", "数据库中却不存在")),
    "consent_vote deleted": (("DELETE FROM consent_vote WHERE id = (SELECT min(id) FROM consent_vote)",), True,
                             ("consent_vote", "数据库中却不存在")),
    "contract_asset deleted": (("DELETE FROM contract_asset WHERE contract_id = (SELECT min(contract_id) "
                                "FROM contract_asset)",), False, ("contract", "被直接修改")),
    "instalment deleted": (("DELETE FROM instalment WHERE seq = 1 AND contract_id = (SELECT min(contract_id) "
                            "FROM instalment)",), False, ("缴款计划",)),
    "audit_entry emptied": (("DELETE FROM private_record", "DELETE FROM audit_entry WHERE log = 'lianban'"),
                            False, ("日志为空",)),
}


@pytest.mark.parametrize("case", ORDERED)
def test_reordered_or_truncated_state_is_named(runner, backend, demo, case):
    statements, foreign_keys_off, expected = ORDERED[case]
    keep_checkpoint(runner, demo)
    for sql in statements:
        direct(backend, sql, foreign_keys_off=foreign_keys_off)
    result = verify(runner)
    assert result.exit_code == 1, result.output
    assert f"FAIL {demo}" in result.output
    for words in expected:
        assert words in result.output, result.output


def test_a_replaced_signing_key_is_named(runner, backend, demo, app, tmp_path):
    """The instance key swapped for another of the same name: every checkpoint signed before no
    longer verifies against the key the portal now has, and the committee's exported copy of the
    old key rejects everything the new key signs."""
    keep_checkpoint(runner, demo)
    assert runner.invoke(args=["audit", "export", "--village", demo, str(tmp_path / "before")]).exit_code == 0
    key_file = tmp_path / "instance" / KEY_FILE
    key_file.write_text(note.generate_signer(app.config["AUDIT_KEY_NAME"]) + "\n", encoding="ascii")
    replaced = make_app(backend.db.url, tmp_path)
    try:
        result = verify(replaced.test_cli_runner())
        assert result.exit_code == 1, result.output
        assert "签名检查点无效" in result.output and "保存的检查点" in result.output, result.output
        # the new key signs what comes next: an export checked with the keys held before fails
        record_receipt(replaced.extensions["portal"], DEMO_STAFF, demo, ReceiptInput(
            number="SK-NEWKEY-1", amount="1.00", received_on="2026-11-23", payer_name="测试农业有限公司"))
        after = tmp_path / "after"
        assert replaced.test_cli_runner().invoke(args=["audit", "export", "--village", demo, str(after)]).exit_code == 0
        shutil.copy(tmp_path / "before" / "keys", after / "keys")
        with pytest.raises(Exception, match="(?i)signature|key"):
            verify_dir(after)
    finally:
        replaced.extensions["portal"].db.dispose()
