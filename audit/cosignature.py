"""Witness cosignatures: C2SP tlog-cosignature v1 (https://c2sp.org/tlog-cosignature), Ed25519.

A committee member witnesses a checkpoint: having checked that it extends the last checkpoint
they co-signed, they add a note signature line "— <key name> <base64(key id ‖ timestamp ‖
signature)>" to it. The key id is the first four bytes of SHA-256(name ‖ 0x0A ‖ 0x04 ‖ public
key); the timestamp is 8 bytes, big-endian POSIX seconds; the Ed25519 signature is over

    cosignature/v1
    time <timestamp>
    <the checkpoint's text, signature lines excluded>

Verifier keys read "<name>+<hex key id>+<base64(0x04 ‖ public key)>" (a C2SP vkey of type
0x04), signer keys "PRIVATE+KEY+<name>+<hex key id>+<base64(0x04 ‖ 32-byte seed)>".
Standard library only, but for `cryptography` to make keys and to sign or check a signature.
"""
from __future__ import annotations

import base64
import binascii
import hashlib
import re
import secrets
import struct
from collections.abc import Sequence
from typing import Any, NamedTuple

from audit import NoteError, ProofError
from audit.checkpoint import Checkpoint
from audit.merkle import verify_consistency
from audit.note import _b64, _unb64, _valid_name, split_note  # one spelling of names and base64 for both

COSIGNATURE_V1 = b"\x04"  # the signature type byte in the key id and the vkey
_HEX_ID = re.compile(r"[0-9a-fA-F]{8}")
_MAX_TIMESTAMP = (1 << 63) - 1
_DASH = "\u2014 "


class Cosigner(NamedTuple):
    """A parsed cosigner verifier key."""

    name: str
    key_id: bytes     # 4 bytes
    public_key: bytes  # 32 bytes
    vkey: str          # as written


class Cosignature(NamedTuple):
    """A cosignature line that verified: who made it and when (POSIX seconds)."""

    name: str
    key_id: bytes
    timestamp: int
    line: str


def key_id(name: str, public_key: bytes) -> bytes:
    """SHA-256(name ‖ "\\n" ‖ 0x04 ‖ public key)[:4], as the spec computes Ed25519 cosigner ids."""
    return hashlib.sha256(name.encode() + b"\n" + COSIGNATURE_V1 + public_key).digest()[:4]


def vkey(name: str, public_key: bytes) -> str:
    """The verifier key of a cosigner `name` holding the 32-byte Ed25519 `public_key`.

    Raises NoteError for a name with spaces or "+", or a key that is not 32 bytes."""
    if not _valid_name(name) or len(public_key) != 32:
        raise NoteError(f"cannot make a cosigner key of name {name!r} and a {len(public_key)}-byte key")
    return f"{name}+{key_id(name, public_key).hex()}+{_b64(COSIGNATURE_V1 + public_key)}"


def is_cosigner_key(text: str) -> bool:
    """Whether `text` looks like a cosigner verifier key (type 0x04), unchecked otherwise."""
    parts = text.strip().split("+", 2)
    try:
        return len(parts) == 3 and base64.b64decode(parts[2], validate=True)[:1] == COSIGNATURE_V1
    except binascii.Error:
        return False


def parse_cosigner(text: str) -> Cosigner:
    """Return the parsed cosigner verifier key. Raises NoteError if it is malformed, not of type
    0x04 with a 32-byte key, or its id does not match its name and key."""
    text = text.strip()
    name, _, rest = text.partition("+")
    hex_id, _, key64 = rest.partition("+")
    raw = _unb64(key64, "cosigner key")
    if not _valid_name(name) or not _HEX_ID.fullmatch(hex_id):
        raise NoteError(f"malformed cosigner key {text!r}")
    if raw[:1] != COSIGNATURE_V1 or len(raw) != 33:
        raise NoteError(f"cosigner key {text!r} is not a 32-byte Ed25519 key of type 0x04")
    if key_id(name, raw[1:]) != bytes.fromhex(hex_id):
        raise NoteError(f"cosigner key {text!r}: the key id does not match the name and key")
    return Cosigner(name, bytes.fromhex(hex_id), raw[1:], text)


def fingerprint(public_key: bytes) -> str:
    """A key's fingerprint as pages print it: SHA-256(0x04 ‖ public key), first 8 bytes, upper-case
    hex in four groups of four (as audit.note.key_fingerprint does for the portal's key)."""
    digest = hashlib.sha256(COSIGNATURE_V1 + public_key).hexdigest()[:16]
    return " ".join(digest[i:i + 4] for i in range(0, 16, 4)).upper()


def message(text: str, timestamp: int) -> bytes:
    """The signed message: the header line, the time line and the checkpoint's text."""
    if not 0 <= timestamp <= _MAX_TIMESTAMP:
        raise NoteError(f"cosignature timestamp {timestamp} is outside 0..2^63-1")
    if not text.endswith("\n"):
        raise NoteError("the checkpoint text must end with a newline")
    return f"cosignature/v1\ntime {timestamp}\n{text}".encode()


def _ed25519() -> Any:
    from cryptography.hazmat.primitives.asymmetric import ed25519

    return ed25519


def generate_signer(name: str) -> str:
    """A new random cosigner signer key for `name`; keep it secret. ImportError without cryptography."""
    if not _valid_name(name):
        raise NoteError(f"key name {name!r} must be non-empty, without spaces or '+'")
    seed = secrets.token_bytes(32)
    public = _public_key(seed)
    return f"PRIVATE+KEY+{name}+{key_id(name, public).hex()}+{_b64(COSIGNATURE_V1 + seed)}"


def _public_key(seed: bytes) -> bytes:
    return bytes(_ed25519().Ed25519PrivateKey.from_private_bytes(seed).public_key().public_bytes_raw())


def _parse_signer(signer_key: str) -> tuple[str, bytes, bytes]:
    """(name, key id, seed) of a cosigner signer key; NoteError never quoting the secret."""
    parts = signer_key.strip().split("+", 4)
    if len(parts) != 5 or parts[:2] != ["PRIVATE", "KEY"]:
        raise NoteError("malformed cosigner signer key: expected PRIVATE+KEY+<name>+<id>+<key>")
    name, hex_id, raw = parts[2], parts[3], _unb64(parts[4], "cosigner signer key")
    if not _valid_name(name) or not _HEX_ID.fullmatch(hex_id) or len(raw) != 33 or raw[:1] != COSIGNATURE_V1:
        raise NoteError(f"malformed cosigner signer key for {name!r} (expected type 0x04 and a 32-byte seed)")
    if key_id(name, _public_key(raw[1:])) != bytes.fromhex(hex_id):
        raise NoteError(f"cosigner signer key for {name!r}: the key id does not match the name and key")
    return name, bytes.fromhex(hex_id), raw[1:]


def verifier_from_signer(signer_key: str) -> str:
    """The verifier key (vkey) checking cosignatures made with `signer_key`."""
    name, _, seed = _parse_signer(signer_key)
    return vkey(name, _public_key(seed))


def cosign(text: str, signer_key: str, timestamp: int) -> str:
    """The cosignature line (without its newline) of the checkpoint `text` at `timestamp`."""
    name, kid, seed = _parse_signer(signer_key)
    signature = _ed25519().Ed25519PrivateKey.from_private_bytes(seed).sign(message(text, timestamp))
    return f"{_DASH}{name} {_b64(kid + struct.pack('>Q', timestamp) + signature)}"


def parse_line(line: str) -> tuple[str, bytes, int, bytes]:
    """(name, key id, timestamp, signature) of a cosignature line, unverified; NoteError if the
    line is not a note signature line of 4 + 8 + 64 bytes."""
    line = line.rstrip("\n")
    if not line.startswith(_DASH):
        raise NoteError("a cosignature line starts with '— '")
    name, _, b64 = line[len(_DASH):].partition(" ")
    raw = _unb64(b64, "cosignature")
    if not _valid_name(name) or len(raw) != 76:
        raise NoteError(f"malformed cosignature line for {name!r}: expected 76 bytes (id, time, signature)")
    timestamp = struct.unpack(">Q", raw[4:12])[0]
    if timestamp > _MAX_TIMESTAMP:
        raise NoteError(f"cosignature of {name!r}: timestamp beyond 2^63-1")
    return name, raw[:4], timestamp, raw[12:]


def verify_line(text: str, line: str, cosigner: Cosigner) -> Cosignature:
    """Check the cosignature `line` on checkpoint `text` by `cosigner`; NoteError if it is not
    that key's line or its signature does not verify. ImportError without cryptography."""
    from cryptography.exceptions import InvalidSignature

    name, kid, timestamp, signature = parse_line(line)
    if (name, kid) != (cosigner.name, cosigner.key_id):
        raise NoteError(f"the cosignature is by {name}+{kid.hex()}, not by {cosigner.name}")
    try:
        _ed25519().Ed25519PublicKey.from_public_bytes(cosigner.public_key).verify(signature, message(text, timestamp))
    except (InvalidSignature, ValueError):
        raise NoteError(f"invalid cosignature by committee key {cosigner.name}+{kid.hex()}") from None
    return Cosignature(name, kid, timestamp, line.rstrip("\n"))


def cosignatures(note: str, cosigners: Sequence[str]) -> list[Cosignature]:
    """The cosignatures on `note` by the `cosigners` (verifier keys), in key order. Lines by other
    keys are ignored, as Go's note.Open ignores unknown keys.

    Raises NoteError for a malformed note or key, or a line by a known key that does not verify
    (a forged cosignature is an error, never silently skipped)."""
    text, signatures = split_note(note)
    keys = [parse_cosigner(key) for key in cosigners]
    found: list[Cosignature] = []
    for cosigner in keys:
        lines = [s.line for s in signatures if (s.name, s.key_id) == (cosigner.name, cosigner.key_id)]
        if lines:
            found.append(verify_line(text, lines[0], cosigner))
    return found


def add_line(note: str, line: str) -> str:
    """`note` with the cosignature `line` appended, replacing an earlier line by the same key."""
    text, signatures = split_note(note)
    name, kid, _, _ = parse_line(line)
    kept = "".join(s.line + "\n" for s in signatures if (s.name, s.key_id) != (name, kid))
    return text + "\n" + kept + line.rstrip("\n") + "\n"


def check_extends(old: Checkpoint | None, new: Checkpoint, proof: Sequence[bytes]) -> None:
    """What a witness checks before co-signing `new`: that it extends `old`, the last checkpoint
    it co-signed (RFC 9162 consistency proof `proof` from old.size to new.size). None: nothing
    co-signed yet, nothing to check. Raises NoteError in plain words for another log, a log that
    shrank or one rewritten behind the witness's back."""
    if old is None:
        return
    if old.origin != new.origin:
        raise NoteError(f"the checkpoint is of log {new.origin!r}, the last one co-signed of {old.origin!r}")
    if new.size < old.size:
        raise NoteError(f"the log shrank: {new.size} entries now, {old.size} when last co-signed")
    try:
        verify_consistency(old.size, new.size, old.root, new.root, proof)
    except ProofError as error:
        raise NoteError(f"the log was rewritten: the checkpoint of {new.size} entries does not extend "
                        f"the one of {old.size} entries co-signed before ({error})") from None
