"""The log as outsiders see it: HTTP endpoints, export + offline verifier, tamper detection."""
from __future__ import annotations

import base64
import hashlib
import json
import subprocess
import sys

import pytest
from sqlalchemy import text

from audit import merkle
from audit.checkpoint import parse_checkpoint
from audit.note import open_note
from portal.auditlog import store as audit_log
from portal.contracts.services import create_contract
from portal.receipts.services import ReceiptInput, record_receipt

from .conftest import REPO_ROOT, STAFF


@pytest.fixture
def log(backend, village, contract_input) -> str:
    """testcun with a contract and 12 receipts: 17 entries."""
    create_contract(backend, STAFF, village, contract_input())
    for i in range(12):
        record_receipt(backend, STAFF, village, ReceiptInput(
            number=f"R{i:03d}", amount="100.00", received_on="2024-03-01", payer_name="测试农业有限公司",
            contract_number="HT-001"))
    return village


def lines(client, code, query=""):
    response = client.get(f"/v/{code}/audit/entries.jsonl{query}")
    assert response.status_code == 200, response.get_data(as_text=True)
    return response.data.splitlines()


def test_checkpoint_is_signed_by_the_portal_and_covers_the_whole_log(client, backend, log):
    response = client.get(f"/v/{log}/audit/checkpoint")
    assert response.mimetype == "text/plain"
    body, signers = open_note(response.get_data(as_text=True), [backend.signer.verifier_key])
    checkpoint = parse_checkpoint(body)
    all_lines = lines(client, log)
    assert checkpoint.size == len(all_lines) == 17
    leaves = [merkle.leaf_hash(hashlib.sha256(line).digest()) for line in all_lines]
    assert checkpoint.root == merkle.root_from_leaf_hashes(leaves)
    assert checkpoint.origin.endswith(f"/v/{log}")


def test_entries_lines_chain_by_hash(client, log):
    previous = "0" * 64
    for seq, line in enumerate(lines(client, log)):
        entry = json.loads(line)
        assert entry["seq"] == seq and entry["prev"] == previous and entry["log"] == log
        assert "hash" not in entry
        previous = hashlib.sha256(line).hexdigest()


def test_entries_range_selects_start_to_end(client, log):
    assert [json.loads(l)["seq"] for l in lines(client, log, "?start=3&end=6")] == [3, 4, 5]


def test_every_inclusion_proof_verifies_against_the_served_root(client, log):
    all_lines = lines(client, log)
    for size in (1, 7, 17):
        for index in range(size):
            proof = client.get(f"/v/{log}/audit/proof/inclusion?index={index}&size={size}").get_json()
            leaf = merkle.leaf_hash(hashlib.sha256(all_lines[index]).digest())
            assert proof["leaf_hash"] == leaf.hex()
            merkle.verify_inclusion(index, size, leaf, [bytes.fromhex(p) for p in proof["path"]],
                                    bytes.fromhex(proof["root"]))


def test_every_consistency_proof_verifies(client, log):
    for old in range(0, 18):
        for new in (old, 17):
            proof = client.get(f"/v/{log}/audit/proof/consistency?old={old}&new={new}").get_json()
            merkle.verify_consistency(old, new, bytes.fromhex(proof["old_root"]), bytes.fromhex(proof["new_root"]),
                                      [bytes.fromhex(p) for p in proof["path"]])


@pytest.mark.parametrize("path", [
    "/proof/inclusion?index=17&size=17",
    "/proof/inclusion?index=0&size=18",
    "/proof/inclusion?index=-1&size=5",
    "/proof/inclusion?index=abc",
    "/proof/inclusion",
    "/proof/inclusion?index=0&size=0",
    "/proof/inclusion?index=99999999999999999999999&size=3",
    "/proof/consistency?old=5&new=3",
    "/proof/consistency?old=1&new=99",
    "/proof/consistency?new=3",
    "/entries.jsonl?start=5&end=2",
    "/entries.jsonl?end=100",
    "/entries.jsonl?start=x",
])
def test_bad_or_out_of_range_parameters_get_400_with_a_message(client, log, path):
    response = client.get(f"/v/{log}/audit{path}")
    assert response.status_code == 400
    assert response.get_json()["detail"]


def test_unknown_village_is_404(client, log):
    assert client.get("/v/nowhere/audit/checkpoint").status_code == 404


def test_export_verifies_offline_and_every_tamper_is_named(runner, log, tmp_path):
    out = tmp_path / "export"
    result = runner.invoke(args=["audit", "export", "--village", log, str(out)])
    assert result.exit_code == 0, result.output
    ok = subprocess.run([sys.executable, "-m", "audit.verify", str(out)], cwd=REPO_ROOT,
                        capture_output=True, text=True)
    assert ok.returncode == 0, ok.stdout + ok.stderr
    assert ok.stdout.startswith(f"OK {log} size=17 root=")

    original = (out / "entries.jsonl").read_bytes().splitlines(keepends=True)

    def verify_with(new_lines):
        (out / "entries.jsonl").write_bytes(b"".join(new_lines))
        run = subprocess.run([sys.executable, "-m", "audit.verify", str(out)], cwd=REPO_ROOT,
                             capture_output=True, text=True)
        return run.returncode, run.stdout + run.stderr

    edited = list(original)
    edited[5] = edited[5].replace(b'"100.00"', b'"1000.00"')
    assert verify_with(edited)[0] == 1 and "seq=5" in verify_with(edited)[1]
    assert "seq=8" in verify_with(original[:8] + original[9:])[1]
    assert "seq=16" in verify_with(original[:16])[1]
    assert "seq=5" in verify_with(original[:5] + [original[4]] + original[5:])[1]  # a repeated line
    assert "seq=10" in verify_with(original[:10] + [original[11], original[10]] + original[12:])[1]
    assert verify_with(original) == (0, verify_with(original)[1])


def test_live_verify_names_a_row_edited_directly_in_the_database(runner, backend, log):
    assert runner.invoke(args=["audit", "verify"]).exit_code == 0
    with backend.db.engine.begin() as conn:
        conn.execute(text("UPDATE contract SET rent_rate = 30000 WHERE number = 'HT-001'"))
    result = runner.invoke(args=["audit", "verify", "--village", log])
    assert result.exit_code == 1
    assert "contract" in result.output and "被直接修改" in result.output


def test_live_verify_names_personal_data_edited_directly(runner, backend, village, contract_input):
    create_contract(backend, STAFF, village, contract_input(
        lessee_kind="person", lessee_name="王秀英", lessee_id_number="35059919650312001X",
        lessee_phone="13912345678"))
    with backend.db.engine.begin() as conn:  # the phone is private only: just the commitment can tell
        conn.execute(text("UPDATE contract SET lessee_phone = '13900000000' WHERE number = 'HT-001'"))
    result = runner.invoke(args=["audit", "verify", "--village", village])
    assert result.exit_code == 1 and "个人信息" in result.output


def test_live_verify_names_deleted_and_inserted_rows(runner, backend, log):
    with backend.db.engine.begin() as conn:
        conn.execute(text("DELETE FROM receipt WHERE number = 'R003'"))
    result = runner.invoke(args=["audit", "verify", "--village", log])
    assert result.exit_code == 1 and "receipt" in result.output and "不存在" in result.output


def test_live_verify_catches_a_rewritten_log_entry(runner, backend, log):
    with backend.db.engine.begin() as conn:
        line = conn.execute(text("SELECT line FROM audit_entry WHERE seq = 6")).scalar_one()
        conn.execute(text("UPDATE audit_entry SET line = :l WHERE seq = 6"), {"l": line.replace("100.00", "1.00")})
    result = runner.invoke(args=["audit", "verify", "--village", log])
    assert result.exit_code == 1 and "seq=6" in result.output


def test_proofs_read_logarithmically_many_nodes(backend, log):
    with backend.db.read() as session:
        statements = []
        from sqlalchemy import event

        listener = lambda *args: statements.append(args[2])  # noqa: E731
        event.listen(backend.db.engine, "before_cursor_execute", listener)
        try:
            audit_log.inclusion(session, log, 3, 17)
        finally:
            event.remove(backend.db.engine, "before_cursor_execute", listener)
    assert len([s for s in statements if "audit_node" in s]) == 1


def test_checkpoint_command_keeps_and_prints_the_signed_checkpoint(runner, backend, log):
    result = runner.invoke(args=["audit", "checkpoint", "--village", log])
    assert result.exit_code == 0
    body, _ = open_note(result.output, [backend.signer.verifier_key])
    assert parse_checkpoint(body).size == 17
    assert base64.b64decode(body.splitlines()[2])
