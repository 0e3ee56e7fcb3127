"""audit.verify: the offline verifier finds every tamper and names the first bad seq."""
import base64
import json
import subprocess
import sys
from contextlib import redirect_stdout
from io import StringIO
from pathlib import Path

import pytest

from audit import LogError, NoteError
from audit.canonical import canonical_bytes
from audit.entry import ZERO_HASH, entry_hash
from audit.merkle import EMPTY_ROOT
from audit.verify import main, verify_dir, verify_lines

REPO = Path(__file__).resolve().parents[2]
COUNT = 10


def edited(line: bytes, **changes) -> bytes:
    """The line with some fields changed, still canonical."""
    return canonical_bytes({**json.loads(line), **changes})


def forged(after: bytes, seq: int) -> bytes:
    """A well-formed entry claiming `seq`, linked to the line `after`."""
    return edited(after, seq=seq, prev=entry_hash(after), reason="伪造")


def two_forged(after: bytes) -> list[bytes]:
    first = forged(after, json.loads(after)["seq"] + 1)
    return [first, forged(first, json.loads(first)["seq"] + 1)]


def run(directory: Path) -> tuple[int, str]:
    """Run the command-line verifier in-process; return its exit status and output."""
    out = StringIO()
    with redirect_stdout(out):
        status = main([str(directory)])
    return status, out.getvalue()


def test_a_valid_log_verifies(make_log_dir):
    log_dir = make_log_dir(COUNT)
    result = verify_dir(log_dir.path)
    assert (result.log, result.size) == ("330102001", COUNT)
    assert result.signatures == [("sanzi.example.cn", True), ("alice", True), ("bob", False)]
    status, output = run(log_dir.path)
    assert status == 0
    assert output.splitlines() == [
        f"OK 330102001 size={COUNT} root={base64.b64encode(result.root).decode()}",
        "signed by the portal key sanzi.example.cn",
        "co-signed by committee key alice",
        "not co-signed by committee key bob",
    ]


def test_an_empty_log_verifies(make_log_dir):
    log_dir = make_log_dir(0)
    assert verify_dir(log_dir.path).size == 0


def put(lines: list[bytes], index: int, *new: bytes, drop: int = 1) -> list[bytes]:
    """The lines with `drop` of them at `index` replaced by `new`."""
    return [*lines[:index], *new, *lines[index + drop:]]


def swap(lines: list[bytes], a: int, b: int) -> list[bytes]:
    return put(put(lines, a, lines[b]), b, lines[a])


def without_actor(line: bytes) -> bytes:
    return canonical_bytes({k: v for k, v in json.loads(line).items() if k != "actor"})


TAMPERS = {
    "edit a middle line": (lambda ls: put(ls, 4, edited(ls[4], reason="改过")), 4),
    "edit the first line": (lambda ls: put(ls, 0, edited(ls[0], actor="staff:2")), 0),
    "edit the line before the last": (lambda ls: put(ls, 8, edited(ls[8], version=9)), 8),
    "edit the last line": (lambda ls: put(ls, 9, edited(ls[9], data={"rent_fen": 1})), 9),
    "edit a middle line's prev": (lambda ls: put(ls, 4, edited(ls[4], prev=ZERO_HASH)), 4),
    "edit a middle line's seq": (lambda ls: put(ls, 4, edited(ls[4], seq=40)), 4),
    "edit the first line's prev": (lambda ls: put(ls, 0, edited(ls[0], prev="1" * 64)), 0),
    "delete a middle line": (lambda ls: put(ls, 4), 4),
    "delete the first line": (lambda ls: put(ls, 0), 0),
    "delete the last line": (lambda ls: put(ls, 9), 9),
    "insert a forged line": (lambda ls: put(ls, 4, forged(ls[3], 4), drop=0), 4),
    "insert two forged lines": (lambda ls: put(ls, 4, *two_forged(ls[3]), drop=0), 4),
    "insert a copy of a line": (lambda ls: put(ls, 4, ls[3], drop=0), 4),
    "insert garbage": (lambda ls: put(ls, 4, b"not json", drop=0), 4),
    "append a forged line": (lambda ls: [*ls, forged(ls[9], 10)], 10),
    "swap two lines": (lambda ls: swap(ls, 3, 6), 3),
    "swap neighbours": (lambda ls: swap(ls, 4, 5), 4),
    "change the log name": (lambda ls: put(ls, 4, edited(ls[4], log="330102002")), 4),
    "add a key": (lambda ls: put(ls, 4, edited(ls[4], extra=1)), 4),
    "drop a key": (lambda ls: put(ls, 4, without_actor(ls[4])), 4),
    "break the timestamp": (lambda ls: put(ls, 4, edited(ls[4], ts="2024-03-01 08:34")), 4),
    "add a float": (lambda ls: put(ls, 4, ls[4].replace(b'"version":', b'"x":1.0,"version":')), 4),
    "write invalid UTF-8": (lambda ls: put(ls, 4, ls[4].replace("张".encode(), b"\xff\xfe")), 4),
}


@pytest.mark.parametrize("tamper", TAMPERS.values(), ids=TAMPERS.keys())
def test_a_tampered_log_names_the_first_bad_seq(make_log_dir, tamper):
    change, bad_seq = tamper
    log_dir = make_log_dir(COUNT)
    log_dir.write_lines(change(log_dir.lines))
    with pytest.raises(LogError) as caught:
        verify_dir(log_dir.path)
    assert caught.value.seq == bad_seq
    status, output = run(log_dir.path)
    assert status == 1
    assert output.startswith(f"FAIL seq={bad_seq}: ") and output.count("\n") == 1


def test_an_edited_line_is_blamed_in_the_words_of_the_link_it_broke(make_log_dir):
    log_dir = make_log_dir(COUNT)
    log_dir.write_lines(TAMPERS["edit a middle line"][0](log_dir.lines))
    assert run(log_dir.path)[1] == \
        "FAIL seq=4: the hash of seq 4 does not match the prev recorded by seq 5\n"


CHECKPOINT_TAMPERS = {
    "truncated checkpoint": (lambda d, s: (d.path / "checkpoint").write_text(
        (d.path / "checkpoint").read_text()[:-30]), "malformed"),
    "checkpoint cut before its signatures": (lambda d, s: (d.path / "checkpoint").write_text(
        (d.path / "checkpoint").read_text().split("\n\n")[0] + "\n"), "malformed"),
    "signed by an unknown key": (lambda d, s: d.write_checkpoint(signers=[s["mallory"]]),
                                 "no signature by a known key"),
    "signed by a committee member only": (lambda d, s: d.write_checkpoint(signers=[s["alice"]]),
                                          "checkpoint: not signed by the portal key sanzi.example.cn"),
    "text changed under the signature": (lambda d, s: (d.path / "checkpoint").write_text(
        (d.path / "checkpoint").read_text().replace(f"\n{COUNT}\n", f"\n{COUNT - 1}\n")),
        "invalid signature"),
    "checkpoint of a different log": (lambda d, s: d.write_checkpoint(
        origin="sanzi.example.cn/v/330102999"), "for log '330102999'"),
    "checkpoint of a smaller tree": (lambda d, s: d.write_checkpoint(size=COUNT - 1),
                                     "FAIL seq=9: the checkpoint covers only 9 entries"),
    "checkpoint with another root": (lambda d, s: d.write_checkpoint(root=bytes(32)),
                                     "FAIL seq=9: the Merkle root"),
    "origin that names no log": (lambda d, s: d.write_checkpoint(origin="sanzi.example.cn"),
                                 "is not of the form"),
    "checkpoint that is not UTF-8": (lambda d, s: (d.path / "checkpoint").write_bytes(b"\xff\n"),
                                     "checkpoint: not UTF-8 text"),
    "malformed keys file": (lambda d, s: (d.path / "keys").write_text("alice+00000000+AAAA\n"),
                            "keys line 1"),
    "empty keys file": (lambda d, s: (d.path / "keys").write_text("\n"), "keys: no verifier keys"),
    "missing entries": (lambda d, s: (d.path / "entries.jsonl").unlink(),
                        "cannot read " + "{dir}/entries.jsonl: No such file or directory"),
    "missing checkpoint": (lambda d, s: (d.path / "checkpoint").unlink(),
                           "cannot read {dir}/checkpoint: No such file or directory"),
}


@pytest.mark.parametrize("tamper", CHECKPOINT_TAMPERS.values(), ids=CHECKPOINT_TAMPERS.keys())
def test_a_bad_checkpoint_or_keys_file_fails(make_log_dir, signers, tamper):
    change, message = tamper
    log_dir = make_log_dir(COUNT)
    change(log_dir, signers)
    with pytest.raises((LogError, NoteError, OSError)):
        verify_dir(log_dir.path)
    status, output = run(log_dir.path)
    assert status == 1
    assert output.startswith("FAIL") and output.count("\n") == 1
    assert message.format(dir=log_dir.path) in output


def test_verify_lines_returns_log_size_and_root_of_lines_with_or_without_newlines(make_log_dir):
    log_dir = make_log_dir(COUNT)
    expected = verify_dir(log_dir.path)
    assert verify_lines(log_dir.lines) == (expected.log, COUNT, expected.root)
    assert verify_lines(line + b"\n" for line in log_dir.lines) == (expected.log, COUNT, expected.root)
    assert verify_lines([]) == (None, 0, EMPTY_ROOT)


def python(*args: str) -> subprocess.CompletedProcess[str]:
    """Run Python in the repository root, as a user of the export would."""
    return subprocess.run([sys.executable, *args], cwd=REPO, capture_output=True, text=True,
                          check=False)


def test_the_command_line_verifier_runs_as_a_module(make_log_dir):
    log_dir = make_log_dir(COUNT)
    ok = python("-m", "audit.verify", str(log_dir.path))
    assert ok.returncode == 0 and ok.stdout.startswith(f"OK 330102001 size={COUNT} root=")
    log_dir.write_lines(put(log_dir.lines, 4))
    bad = python("-m", "audit.verify", str(log_dir.path))
    assert bad.returncode == 1 and bad.stdout.startswith("FAIL seq=4: ")
    usage = python("-m", "audit.verify")
    assert usage.returncode == 2 and "usage: python -m audit.verify" in usage.stderr


def test_without_cryptography_the_chain_is_checked_and_signatures_skipped(make_log_dir):
    log_dir = make_log_dir(COUNT)
    script = ("import sys; sys.modules['cryptography'] = None\n"
              "from audit.verify import main; sys.exit(main(sys.argv[1:]))")
    ok = python("-c", script, str(log_dir.path))
    assert ok.returncode == 0, ok.stdout + ok.stderr
    assert ok.stdout.splitlines()[1] == "signatures not checked"
    assert "WARNING: cryptography is not installed" in ok.stderr
    log_dir.write_lines(log_dir.lines[:9])
    bad = python("-c", script, str(log_dir.path))
    assert bad.returncode == 1 and bad.stdout.startswith("FAIL seq=9: ")
