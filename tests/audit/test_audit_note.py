"""audit.note: C2SP signed notes, checked against golang.org/x/mod/sumdb/note's test vectors."""
import base64
import hashlib

import pytest

from audit import NoteError, note

# golang.org/x/mod/sumdb/note note_test.go
PETER_KEY = "PeterNeumann+c74f20a3+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW"
PETER_SIGNER = "PRIVATE+KEY+PeterNeumann+c74f20a3+AYEKFALVFGyNhPJEMzD1QIDr+Y7hfZx09iUvxdXHKDFz"
ENOCH_KEY = "EnochRoot+af0cfe78+ATtqJ7zOtqQtYqOo0CpvDXNlMhV3HeJDpjrASKGLWdop"
TEXT = "If you think cryptography is the answer to your problem,\nthen you don't know what your problem is.\n"
PETER_SIG = ("\u2014 PeterNeumann x08go/ZJkuBS9UG/SffcvIAQxVBtiFupLLr8pAcElZInNIuGUgYN1FFYC2pZSNXgKvqfqd"
             "ngotpRZb6KE6RyyBwJnAM=\n")
ENOCH_SIG = ("\u2014 EnochRoot rwz+eBzmZa0SO3NbfRGzPCpDckykFXSdeX+MNtCOXm2/5n2tiOHp+vAF1aGrQ5ovTG01oOTG"
             "wnWLox33WWd1RvMc+QQ=\n")


def test_signature_equals_gos_byte_for_byte():
    assert note.sign(TEXT, [PETER_SIGNER]) == TEXT + "\n" + PETER_SIG


def test_verifier_key_is_derived_from_the_signer_key():
    assert note.verifier_from_signer(PETER_SIGNER) == PETER_KEY


def test_key_id_is_the_start_of_sha256_of_name_newline_algorithm_and_key():
    verifier = note.parse_verifier(PETER_KEY)
    assert verifier.name == "PeterNeumann" and len(verifier.public_key) == 32
    assert verifier.key_id == hashlib.sha256(b"PeterNeumann\n\x01" + verifier.public_key).digest()[:4]
    assert verifier.key_id.hex() == "c74f20a3"


def test_open_returns_text_and_names_of_known_signers_only():
    signed = TEXT + "\n" + PETER_SIG + ENOCH_SIG
    assert note.open_note(signed, [PETER_KEY]) == (TEXT, ["PeterNeumann"])
    assert note.open_note(signed, [PETER_KEY, ENOCH_KEY]) == (TEXT, ["PeterNeumann", "EnochRoot"])
    assert note.open_note(signed, [ENOCH_KEY]) == (TEXT, ["EnochRoot"])


def test_a_note_without_a_known_signature_is_refused():
    with pytest.raises(NoteError, match="no signature by a known key"):
        note.open_note(TEXT + "\n" + PETER_SIG + ENOCH_SIG, [])


def test_a_bad_signature_by_a_known_key_is_refused():
    bad = TEXT + "\n" + PETER_SIG[:60] + "ABCD" + PETER_SIG[60:]
    with pytest.raises(NoteError, match="invalid signature for key PeterNeumann\\+c74f20a3"):
        note.open_note(bad, [PETER_KEY])
    with pytest.raises(NoteError, match="invalid signature"):
        note.open_note(TEXT.replace("answer", "question") + "\n" + PETER_SIG, [PETER_KEY])


def test_repeated_and_unknown_signatures_are_ignored():
    enoch_bad = ENOCH_SIG[:60] + "ABCD" + ENOCH_SIG[60:]
    signed = TEXT + "\n" + PETER_SIG + PETER_SIG + ENOCH_SIG + ENOCH_SIG + enoch_bad
    assert note.open_note(signed, [PETER_KEY]) == (TEXT, ["PeterNeumann"])


@pytest.mark.parametrize("message", [
    TEXT,
    TEXT + "\n",
    TEXT + "\n" + PETER_SIG[:-1],
    "\x01" + TEXT + "\n" + PETER_SIG,
    TEXT + "\n" + "\u2014 Bad Name x08go/ZJkuBS9UG/SffcvIAQxVBtiFupLLr8pAcElZInNIuGUgYN1FFYC2pZSNXgKv"
                  "qfqdngotpRZb6KE6RyyBwJnAM=",
    TEXT + "\n" + PETER_SIG + "Unexpected line.\n",
    TEXT + "\n" + PETER_SIG * 101,
    "",
], ids=["no signatures", "blank line only", "no final newline", "control character",
        "name with a space", "unexpected line", "101 signatures", "empty"])
def test_malformed_notes_are_refused(message):
    with pytest.raises(NoteError, match="malformed"):
        note.open_note(message, [PETER_KEY])


def mangled(key: str) -> list[str]:
    """Every proper substring of `key` and every one-character increment, as Go's tests try."""
    cuts = {key[i:j] for i in range(len(key) + 1) for j in range(i + 1, len(key) + 1)} - {key}
    bumps = {key[:i] + chr(ord(key[i]) + 1) + key[i + 1:] for i in range(len(key))}
    return sorted(cuts | bumps)


def test_mangled_verifier_keys_are_refused():
    bad_keys = mangled(PETER_KEY) + [
        "PeterNeumann+cc469956+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TWBADKEY==",
        "PeterNeumann+173116ae+ZRpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW",
    ]
    for key in bad_keys:
        with pytest.raises(NoteError):
            note.parse_verifier(key)


def test_mangled_signer_keys_are_refused_without_being_quoted():
    for key in mangled(PETER_SIGNER):
        with pytest.raises(NoteError) as caught:
            note.verifier_from_signer(key)
        assert "AYEKFALVFGyN" not in str(caught.value)


def test_generated_keys_sign_and_verify():
    signer = note.generate_signer("alice")
    verifier = note.verifier_from_signer(signer)
    assert verifier.startswith("alice+") and signer.startswith("PRIVATE+KEY+alice+")
    assert note.open_note(note.sign("hello\n", [signer]), [verifier]) == ("hello\n", ["alice"])


@pytest.mark.parametrize("name", ["", "two words", "a+b", "tab\there"])
def test_key_names_with_spaces_or_plus_are_refused(name):
    with pytest.raises(NoteError):
        note.generate_signer(name)


@pytest.mark.parametrize("text", ["no newline", "", "bell\x07\n"])
def test_text_must_end_in_a_newline_without_control_characters(text):
    with pytest.raises(NoteError):
        note.sign(text, [PETER_SIGNER])


def test_signing_needs_a_key():
    with pytest.raises(NoteError):
        note.sign(TEXT, [])


def test_cosigning_keeps_existing_lines_and_adds_one():
    alice = note.generate_signer("alice")
    cosigned = note.add_signature(TEXT + "\n" + PETER_SIG, alice)
    assert cosigned.startswith(TEXT + "\n" + PETER_SIG)
    assert cosigned.count("\n\u2014 ") == 2
    alice_key = note.verifier_from_signer(alice)
    assert note.open_note(cosigned, [PETER_KEY, alice_key]) == (TEXT, ["PeterNeumann", "alice"])
    assert note.open_note(cosigned, [PETER_KEY]) == (TEXT, ["PeterNeumann"])


def test_cosigning_twice_with_one_key_leaves_one_signature():
    alice = note.generate_signer("alice")
    once = note.add_signature(TEXT + "\n" + PETER_SIG + ENOCH_SIG, alice)
    assert note.add_signature(once, alice) == once
    assert note.add_signature(TEXT + "\n" + PETER_SIG, PETER_SIGNER) == TEXT + "\n" + PETER_SIG


def test_cosigning_a_malformed_note_is_refused():
    with pytest.raises(NoteError):
        note.add_signature(TEXT, PETER_SIGNER)


def test_split_note_needs_no_keys():
    text, signatures = note.split_note(TEXT + "\n" + PETER_SIG + ENOCH_SIG)
    assert text == TEXT
    assert [(s.name, s.key_id.hex()) for s in signatures] == [("PeterNeumann", "c74f20a3"),
                                                               ("EnochRoot", "af0cfe78")]
    assert base64.b64encode(signatures[0].key_id + signatures[0].signature).decode() in PETER_SIG


def test_key_fingerprint_is_64_bits_of_the_key_in_four_groups():
    import hashlib
    import re

    from audit.note import generate_signer, key_fingerprint, parse_verifier, verifier_from_signer

    verifier = verifier_from_signer(generate_signer("sanzi-portal"))
    fingerprint = key_fingerprint(verifier)
    assert re.fullmatch(r"[0-9A-F]{4}( [0-9A-F]{4}){3}", fingerprint)
    raw = b"\x01" + parse_verifier(verifier).public_key
    assert fingerprint.replace(" ", "").lower() == hashlib.sha256(raw).hexdigest()[:16]
    # The name is not part of it: renaming a key does not change what paper says.
    import base64

    key_id = hashlib.sha256(b"other\n" + raw).digest()[:4]
    renamed = f"other+{key_id.hex()}+{base64.b64encode(raw).decode()}"
    assert key_fingerprint(renamed) == fingerprint
    assert key_fingerprint(verifier_from_signer(generate_signer("sanzi-portal"))) != fingerprint
