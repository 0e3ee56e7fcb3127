"""联署: committee witness keys and cosignatures (C2SP tlog-cosignature v1), the verifier's k of n,
the CLI's refusal of a rewritten log, and the /committee/cosign page, on SQLite and PostgreSQL."""
from __future__ import annotations

import base64
import hashlib
import re
import struct
from pathlib import Path

import pytest
from sqlalchemy import select, text

from audit import NoteError, cosignature, merkle
from audit.checkpoint import format_checkpoint
from audit.note import generate_signer, open_note, sign, split_note, verifier_from_signer
from audit.verify import main as verify_main
from portal.accounts.services import UserInput, create_user
from portal.auditlog import store as audit_log
from portal.auditlog.models import AuditEntry
from portal.kernel.errors import PermissionDenied, ValidationError
from portal.kernel.transaction import SYSTEM, Actor
from portal.witnessing.models import CommitteeKey
from portal.witnessing.services import key_name, register_key, revoke_key, store_cosignature

from .conftest import DATABASES

# c2sp.org/tlog-cosignature, the example: a checkpoint with the log's signature and a witness's.
SPEC_NOTE = ("example.com/behind-the-sofa\n20852163\nCsUYapGGPo4dkMgIAUqom/Xajj7h2fB2MPA3j2jxq2I=\n\n"
             "— example.com/behind-the-sofa Az3grlgtzPICa5OS8npVmf1Myq/5IZniMp+ZJurmRDeOoRDe4URYN7u5/Zhcyv2q1gGz"
             "Gku9nTo+zyWE+xeMcTOAYQ8=\n"
             "— witness.example.com/w1 jWbPPwAAAABkGFDLEZMHwSRaJNiIDoe9DYn/zXcrtPHeolMI5OWXEhZCB9dlrDJsX3b2oyin1"
             "nPZqhf5nNo0xUe+mbIUBkBIfZ+qnA==\n")
SPEC_MESSAGE = ("cosignature/v1\ntime 1679315147\nexample.com/behind-the-sofa\n20852163\n"
                "CsUYapGGPo4dkMgIAUqom/Xajj7h2fB2MPA3j2jxq2I=\n")


def test_the_spec_example_line_frames_a_timestamped_ed25519_cosignature():
    """The spec publishes no key for its example, so what is checked is its framing and message."""
    text, signatures = split_note(SPEC_NOTE)
    witness = signatures[1]
    name, key_id, timestamp, signature = cosignature.parse_line(witness.line)
    assert (name, key_id.hex(), timestamp, len(signature)) == ("witness.example.com/w1", "8d66cf3f", 1679315147, 64)
    assert cosignature.message(text, timestamp).decode() == SPEC_MESSAGE
    # The key id is SHA-256(name ‖ "\n" ‖ 0x04 ‖ key)[:4], type 0x04 unlike the log's 0x01.
    public = bytes(range(32))
    assert cosignature.key_id("w", public) == hashlib.sha256(b"w\n\x04" + public).digest()[:4]


def test_a_cosignature_round_trips_and_replaces_the_same_keys_earlier_line():
    portal = generate_signer("example.com")
    note = sign(format_checkpoint("example.com/v/x", 3, b"\x01" * 32), [portal])
    member = cosignature.generate_signer("example.com/v/x/committee/1")
    vkey = cosignature.verifier_from_signer(member)
    text = split_note(note)[0]
    first = cosignature.add_line(note, cosignature.cosign(text, member, 1_700_000_000))
    again = cosignature.add_line(first, cosignature.cosign(text, member, 1_700_000_100))
    assert again.count("committee/1") == 1
    [found] = cosignature.cosignatures(again, [vkey])
    assert found.timestamp == 1_700_000_100
    raw = base64.b64decode(found.line.rsplit(" ", 1)[1])
    assert struct.unpack(">Q", raw[4:12])[0] == 1_700_000_100 and len(raw) == 76
    # The log's own signature still opens as a signed note; the cosignature is ignored there.
    assert open_note(again, [verifier_from_signer(portal)])[1] == ["example.com"]
    # A cosignature is not a log signature: the same key's note-style signature does not verify.
    with pytest.raises(NoteError):
        cosignature.parse_cosigner(verifier_from_signer(portal))


def test_a_forged_cosignature_is_an_error_and_an_unknown_key_is_ignored():
    note = sign(format_checkpoint("example.com/v/x", 3, b"\x01" * 32), [generate_signer("example.com")])
    member = cosignature.generate_signer("example.com/v/x/committee/1")
    line = cosignature.cosign(split_note(note)[0], member, 1_700_000_000)
    raw = bytearray(base64.b64decode(line.rsplit(" ", 1)[1]))
    raw[-1] ^= 1
    forged = cosignature.add_line(note, line.rsplit(" ", 1)[0] + " " + base64.b64encode(bytes(raw)).decode())
    with pytest.raises(NoteError, match="invalid cosignature"):
        cosignature.cosignatures(forged, [cosignature.verifier_from_signer(member)])
    stranger = cosignature.verifier_from_signer(cosignature.generate_signer("example.com/v/x/committee/9"))
    assert cosignature.cosignatures(cosignature.add_line(note, line), [stranger]) == []


# -- the portal -----------------------------------------------------------------------------------

def _members(backend, count: int) -> list[tuple[Actor, str]]:
    """`count` committee members of the demo village, each with a registered key: (actor, signer)."""
    made = []
    for n in range(count):
        user = create_user(backend, SYSTEM, UserInput(username=f"jianwei-{n}", display_name=f"监委{n}",
                                                      password="long-enough-1", role="committee",
                                                      village_code="lianban"))
        actor = Actor(user.username, "committee", user.id, "lianban")
        with backend.db.read() as session:
            number = (session.scalar(select(CommitteeKey.number).order_by(CommitteeKey.number.desc()).limit(1)) or 0) + 1
        signer = cosignature.generate_signer(key_name(backend, "lianban", number))
        register_key(backend, actor, "lianban", cosignature.verifier_from_signer(signer))
        made.append((actor, signer))
    return made


def _cosign(backend, actor: Actor, signer: str) -> None:
    with backend.db.read() as session:
        note = audit_log.head(session, "lianban").checkpoint
    line = cosignature.cosign(split_note(note)[0], signer, int(backend.clock().timestamp()))
    store_cosignature(backend, actor, "lianban", note, line)


def _export(runner, tmp_path: Path) -> Path:
    out = tmp_path / "export"
    result = runner.invoke(args=["audit", "export", "--village", "lianban", str(out)])
    assert result.exit_code == 0, result.output
    return out


@pytest.mark.parametrize("database_url", DATABASES, indirect=True)
def test_the_verifier_requires_k_of_n_committee_cosignatures(backend, runner, demo, tmp_path, capsys):
    members = _members(backend, 3)
    for actor, signer in members[:2]:
        _cosign(backend, actor, signer)
    out = _export(runner, tmp_path)
    keys = (out / "keys").read_text().splitlines()
    assert keys[0] == backend.signer.verifier_key and len(keys) == 1 + 4  # the demo member's key, and three
    assert verify_main([str(out), "--require", "2"]) == 0
    report = capsys.readouterr().out.splitlines()
    assert sum(line.startswith("co-signed by committee key") for line in report) == 2, report
    assert sum(line.startswith("not co-signed by committee key") for line in report) == 2, report
    assert verify_main([str(out), "--require", "3"]) == 1
    assert "co-signed by 2 of the 4 committee keys" in capsys.readouterr().out
    # Keys the reader got elsewhere: only those count.
    (tmp_path / "committee").write_text(keys[1] + "\n" + keys[3] + "\n")
    assert verify_main([str(out), "--witness-keys", str(tmp_path / "committee"), "--require", "2"]) == 1
    assert "co-signed by 1 of the 2 committee keys" in capsys.readouterr().out


@pytest.mark.parametrize("database_url", DATABASES, indirect=True)
def test_the_verifier_refuses_a_forged_cosignature(backend, runner, demo, tmp_path, capsys):
    [(actor, signer)] = _members(backend, 1)
    _cosign(backend, actor, signer)
    out = _export(runner, tmp_path)
    note = (out / "checkpoint").read_text()
    name = signer.split("+")[2]
    line = next(s.line for s in split_note(note)[1] if s.name == name)
    raw = bytearray(base64.b64decode(line.rsplit(" ", 1)[1]))
    raw[20] ^= 0xFF
    (out / "checkpoint").write_text(note.replace(line, line.rsplit(" ", 1)[0] + " " + base64.b64encode(bytes(raw)).decode()))
    assert verify_main([str(out)]) == 1
    assert "invalid cosignature by committee key" in capsys.readouterr().out


@pytest.mark.parametrize("database_url", DATABASES, indirect=True)
def test_the_public_checkpoint_and_keys_carry_the_committee(backend, client, demo):
    checkpoint = client.get("/v/lianban/audit/checkpoint").get_data(as_text=True)
    keys = client.get("/v/lianban/audit/keys").get_data(as_text=True).splitlines()
    # The demo's committee member co-signed the demo's checkpoint with key 1.
    assert keys[0] == backend.signer.verifier_key and len(keys) == 2
    assert [c.name for c in cosignature.cosignatures(checkpoint, keys[1:])] == [key_name(backend, "lianban", 1)]
    bundle = client.get("/v/lianban/audit/bundle/0.json").get_json()
    assert [k["number"] for k in bundle["committee_keys"]] == [1]


@pytest.mark.parametrize("database_url", DATABASES, indirect=True)
def test_only_a_registered_active_key_of_the_member_may_cosign(backend, demo):
    (alice, alice_key), (bob, _) = _members(backend, 2)
    with backend.db.read() as session:
        note = audit_log.head(session, "lianban").checkpoint
    text_ = split_note(note)[0]
    now = int(backend.clock().timestamp())
    stranger = cosignature.generate_signer(key_name(backend, "lianban", 99))
    with pytest.raises(ValidationError, match="不是用您登记的有效公钥签的"):
        store_cosignature(backend, alice, "lianban", note, cosignature.cosign(text_, stranger, now))
    with pytest.raises(ValidationError, match="不是用您登记的有效公钥签的"):  # another member's key
        store_cosignature(backend, bob, "lianban", note, cosignature.cosign(text_, alice_key, now))
    with pytest.raises(ValidationError, match="晚于现在"):
        store_cosignature(backend, alice, "lianban", note, cosignature.cosign(text_, alice_key, now + 3600))
    with pytest.raises(PermissionDenied):
        store_cosignature(backend, Actor("demo-staff", "staff", 1, "lianban"), "lianban", note,
                          cosignature.cosign(text_, alice_key, now))
    with backend.db.read() as session:
        number = session.scalar(select(CommitteeKey.number).where(CommitteeKey.holder_id == alice.user_id))
    revoke_key(backend, alice, "lianban", number, "手机丢失")
    with pytest.raises(ValidationError, match="不是用您登记的有效公钥签的"):
        store_cosignature(backend, alice, "lianban", note, cosignature.cosign(text_, alice_key, now))
    with backend.db.read() as session:
        actions = session.scalars(select(AuditEntry.action).where(AuditEntry.entity == "committee_key")).all()
    assert actions.count("committee_key.create") == 3 and actions.count("committee_key.revoke") == 1


@pytest.mark.parametrize("database_url", DATABASES, indirect=True)
def test_registering_refuses_bad_keys_and_other_villages(backend, demo):
    [(alice, _)] = _members(backend, 1)
    for bad in ("", "x" * 400, "<script>alert(1)</script>", "abc\x00def", verifier_from_signer(generate_signer("n"))):
        with pytest.raises(ValidationError):
            register_key(backend, alice, "lianban", bad)
    wrong_name = cosignature.verifier_from_signer(cosignature.generate_signer("elsewhere/committee/1"))
    with pytest.raises(ValidationError, match="公钥名称应为"):
        register_key(backend, alice, "lianban", wrong_name)
    with pytest.raises(PermissionDenied):
        register_key(backend, Actor(alice.username, "committee", alice.user_id, "other"), "lianban", wrong_name)


def _rewrite_log(backend, keep: int) -> None:
    """A log rewritten behind the committee's back: everything after the first `keep` entries is
    replaced by other entries, with nodes and head recomputed so the portal signs the new tree."""
    with backend.db.write("lianban") as session:
        lines = [row[0] for row in session.execute(text(
            "SELECT line FROM audit_entry WHERE log = 'lianban' AND seq < :k ORDER BY seq"), {"k": keep})]
        session.execute(text("DELETE FROM private_record WHERE entry_id IN "
                             "(SELECT id FROM audit_entry WHERE log = 'lianban' AND seq >= :k)"), {"k": keep})
        session.execute(text("DELETE FROM audit_entry WHERE log = 'lianban' AND seq >= :k"), {"k": keep})
        session.execute(text("DELETE FROM audit_node WHERE log = 'lianban'"))
        tree = merkle.CompactRange()
        for line in lines:
            for level, index, node in tree.append(merkle.leaf_hash(hashlib.sha256(line.encode()).digest())):
                session.execute(text("INSERT INTO audit_node (log, level, idx, hash) VALUES ('lianban', :l, :i, :h)"),
                                {"l": level, "i": index, "h": node})
        session.execute(text("UPDATE audit_head SET size = :s, last_hash = :h, root = :r, peaks = :p "
                             "WHERE log = 'lianban'"),
                        {"s": keep, "h": hashlib.sha256(lines[-1].encode()).hexdigest(), "r": tree.root(),
                         "p": b"".join(tree.peak_hashes())})
        for n in range(25):  # other entries, so the log is longer than before
            audit_log.append(session, backend.signer, log="lianban", ts=backend.clock(), actor="system:portal",
                             action="village.create", entity="village", entity_id="lianban", version=None,
                             reason=f"改写 {n}", data={"n": n}, personal=None)


@pytest.mark.parametrize("database_url", DATABASES, indirect=True)
def test_the_cli_cosigns_and_refuses_a_log_rewritten_behind_the_members_back(backend, runner, demo, tmp_path):
    key_file = tmp_path / "member.key"
    created = runner.invoke(args=["committee", "keygen", "--village", "lianban", "--user", "demo-committee",
                                  "--out", str(key_file)])
    assert created.exit_code == 0, created.output
    assert key_file.read_text().startswith("PRIVATE+KEY+") and "已登记公钥 2" in created.output
    again = runner.invoke(args=["committee", "keygen", "--village", "lianban", "--user", "demo-committee",
                                "--out", str(key_file)])
    assert again.exit_code != 0 and "从不覆盖" in again.output
    first = runner.invoke(args=["committee", "cosign", "--village", "lianban", "--key", str(key_file)])
    assert first.exit_code == 0, first.output
    with backend.db.read() as session:
        size = audit_log.head(session, "lianban").size
    # The log grows honestly: co-signing again checks the proof and succeeds.
    _members(backend, 1)
    grown = runner.invoke(args=["committee", "cosign", "--village", "lianban", "--key", str(key_file)])
    assert grown.exit_code == 0, grown.output
    # Rewritten behind the member's back, then longer than before: refused, nothing stored.
    _rewrite_log(backend, size - 5)
    with backend.db.read() as session:
        before = audit_log.latest_checkpoint(session, "lianban")
    refused = runner.invoke(args=["committee", "cosign", "--village", "lianban", "--key", str(key_file)])
    assert refused.exit_code != 0 and "拒绝联署" in refused.output and "rewritten" in refused.output, refused.output
    with backend.db.read() as session:
        assert audit_log.latest_checkpoint(session, "lianban") == before
    # Even with the server's copies of the member's cosignatures deleted, the key file's memory refuses it.
    with backend.db.write("lianban") as session:
        session.execute(text("DELETE FROM audit_checkpoint"))
    refused = runner.invoke(args=["committee", "cosign", "--village", "lianban", "--key", str(key_file)])
    assert refused.exit_code != 0 and "拒绝联署" in refused.output, refused.output


@pytest.mark.parametrize("database_url", DATABASES, indirect=True)
def test_the_page_registers_revokes_and_takes_a_pasted_cosignature(backend, client, auth, demo):
    assert client.get("/committee/cosign/").status_code == 302  # to the login page
    auth.login("demo-staff")
    assert client.get("/committee/cosign/").status_code == 403
    auth.logout()
    auth.login("demo-committee")
    page = client.get("/committee/cosign/").get_data(as_text=True)
    assert "公钥 1" in page and key_name(backend, "lianban", 2) in page
    bad = client.post("/committee/cosign/keys", data={"verifier_key": "<script>alert(1)</script>"})
    assert bad.status_code == 400 and "<script>alert(1)" not in bad.get_data(as_text=True)
    signer = cosignature.generate_signer(key_name(backend, "lianban", 2))
    done = client.post("/committee/cosign/keys", data={"verifier_key": cosignature.verifier_from_signer(signer)})
    assert done.status_code == 302
    with backend.db.read() as session:
        note = audit_log.head(session, "lianban").checkpoint
    line = cosignature.cosign(split_note(note)[0], signer, int(backend.clock().timestamp()))
    assert client.post("/committee/cosign/", data={"checkpoint": note, "cosignature": line}).status_code == 302
    public = client.get("/v/lianban/audit/checkpoint").get_data(as_text=True)
    assert line in public
    revoked = client.post("/committee/cosign/keys/2/revoke", data={"reason": "换手机"})
    assert revoked.status_code == 302
    assert "已吊销" in client.get("/committee/cosign/").get_data(as_text=True)


def test_the_complaint_desks_assignee_select_reads_english_in_english(backend, client, auth, demo):
    from portal.complaints.services import ComplaintInput, file_complaint

    filed = file_complaint(backend, Actor("villager", "villager"), "lianban",
                           ComplaintInput(kind="complaint", body="村道路灯坏了三盏，晚上看不见路。"))
    auth.login("demo-committee")
    client.get("/prefs/lang/en?next=/committee/")
    page = client.get(f"/committee/complaints/{filed.complaint.number}").get_data(as_text=True)
    select_html = re.search(r"<select[^>]*assignee.*?</select>", page, re.S)
    assert select_html and "(choose)" in select_html.group(0) and "（请选择）" not in page, page[-3000:]


@pytest.mark.parametrize("database_url", DATABASES, indirect=True)
def test_audit_verify_names_a_forged_cosignature_in_the_database(backend, runner, demo):
    from portal.auditlog.models import AuditCheckpoint

    from .test_integrity import verify

    assert verify(runner).exit_code == 0
    with backend.db.write("lianban") as session:
        kept = session.scalar(select(AuditCheckpoint).where(AuditCheckpoint.log == "lianban"))
        line = next(s.line for s in split_note(kept.note)[1] if "/committee/" in s.name)
        raw = bytearray(base64.b64decode(line.rsplit(" ", 1)[1]))
        raw[40] ^= 1
        kept.note = kept.note.replace(line, line.rsplit(" ", 1)[0] + " " + base64.b64encode(bytes(raw)).decode())
    result = verify(runner)
    assert result.exit_code == 1 and "监委会联署无效" in result.output, result.output
