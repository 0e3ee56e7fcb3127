"""Signed notes: C2SP signed-note (https://c2sp.org/signed-note) with Ed25519 keys, written and
opened as golang.org/x/mod/sumdb/note does.

A note is UTF-8 text ending in a newline, then a blank line, then signature lines
"— <key name> <base64(4-byte key id ‖ 64-byte signature)>" (an EM DASH, U+2014). The key id is
the first four bytes of SHA-256(name ‖ 0x0A ‖ 0x01 ‖ public key). Verifier keys read
"<name>+<hex key id>+<base64(0x01 ‖ public key)>", signer keys
"PRIVATE+KEY+<name>+<hex key id>+<base64(0x01 ‖ 32-byte seed)>".

`cryptography` is imported only to make keys and signatures or check a signature, so notes can
be split and verifier keys parsed without it.
"""
import base64
import binascii
import hashlib
import re
import secrets
from collections.abc import Sequence
from typing import Any, NamedTuple

from audit import NoteError

ED25519 = b"\x01"  # the algorithm byte in front of every encoded key
_DASH = "\u2014 "
_MAX_SIGNATURES = 100  # as Go's note.Open, so a hostile note cannot make us verify forever
_CONTROL = re.compile(r"[\x00-\x09\x0b-\x1f]")
_HEX_ID = re.compile(r"[0-9a-fA-F]{8}")


class Verifier(NamedTuple):
    """A parsed verifier key."""

    name: str
    key_id: bytes  # 4 bytes
    public_key: bytes  # 32 bytes


class Signature(NamedTuple):
    """One signature line of a note, as written (`line`, without its newline) and decoded."""

    name: str
    key_id: bytes
    signature: bytes
    line: str


class _Signer(NamedTuple):
    name: str
    key_id: bytes
    seed: bytes


def _ed25519() -> Any:
    """Return cryptography's Ed25519 module, imported on first use (ImportError without it)."""
    from cryptography.hazmat.primitives.asymmetric import ed25519

    return ed25519


def _public_key(seed: bytes) -> bytes:
    private_key = _ed25519().Ed25519PrivateKey.from_private_bytes(seed)
    return bytes(private_key.public_key().public_bytes_raw())


def _signature_valid(public_key: bytes, signature: bytes, message: bytes) -> bool:
    from cryptography.exceptions import InvalidSignature

    try:
        _ed25519().Ed25519PublicKey.from_public_bytes(public_key).verify(signature, message)
    except (InvalidSignature, ValueError):
        return False
    return True


def _key_id(name: str, key: bytes) -> bytes:
    """Return the id of an encoded key (algorithm byte ‖ key bytes) held under `name`."""
    return hashlib.sha256(name.encode() + b"\n" + key).digest()[:4]


def _valid_name(name: str) -> bool:
    return bool(name) and "+" not in name and not any(c.isspace() for c in name)


def _b64(data: bytes) -> str:
    return base64.b64encode(data).decode("ascii")


def _unb64(text: str, what: str) -> bytes:
    try:
        return base64.b64decode(text, validate=True)
    except binascii.Error:
        raise NoteError(f"malformed {what}: bad base64") from None


def _encoded_key(name: str, key_id: bytes, key: bytes) -> str:
    return f"{name}+{key_id.hex()}+{_b64(ED25519 + key)}"


def parse_verifier(verifier_key: str) -> Verifier:
    """Return the parsed verifier key "<name>+<hex key id>+<base64(0x01 ‖ public key)>".

    Raises NoteError if it is malformed, its id does not match, or its algorithm is not Ed25519.
    """
    name, _, rest = verifier_key.partition("+")
    hex_id, _, key64 = rest.partition("+")
    key = _unb64(key64, "verifier key")
    if not _valid_name(name) or not _HEX_ID.fullmatch(hex_id) or not key:
        raise NoteError(f"malformed verifier key {verifier_key!r}")
    if _key_id(name, key) != bytes.fromhex(hex_id):
        raise NoteError(f"verifier key {verifier_key!r}: the key id does not match the name and "
                        "key")
    if key[:1] != ED25519 or len(key) != 33:
        raise NoteError(f"verifier key {verifier_key!r} is not a 32-byte Ed25519 key")
    return Verifier(name, bytes.fromhex(hex_id), key[1:])


def key_fingerprint(verifier_key: str) -> str:
    """Return the key's fingerprint as printed on paper: the first 8 bytes of
    SHA-256(0x01 ‖ public key) in upper-case hex, four groups of four ("3F2A 9C1B 77D0 E4A5").

    64 bits, so nobody can make a second key with the same fingerprint; the name is left out,
    so renaming a key does not change what the bulletin board says. Raises NoteError as
    parse_verifier does.
    """
    digest = hashlib.sha256(ED25519 + parse_verifier(verifier_key).public_key).hexdigest()[:16]
    return " ".join(digest[i:i + 4] for i in range(0, 16, 4)).upper()


def _parse_signer(signer_key: str) -> _Signer:
    """Return the parsed signer key. Raises NoteError, never quoting the secret key."""
    parts = signer_key.split("+", 4)
    if len(parts) != 5 or parts[:2] != ["PRIVATE", "KEY"]:
        raise NoteError("malformed signer key: expected PRIVATE+KEY+<name>+<id>+<key>")
    name, hex_id, key = parts[2], parts[3], _unb64(parts[4], "signer key")
    if not _valid_name(name) or not _HEX_ID.fullmatch(hex_id):
        raise NoteError(f"malformed signer key for {name!r}")
    if len(key) != 33 or key[:1] != ED25519:
        raise NoteError(f"signer key for {name!r} is not a 32-byte Ed25519 seed")
    seed = key[1:]
    if _key_id(name, ED25519 + _public_key(seed)) != bytes.fromhex(hex_id):
        raise NoteError(f"signer key for {name!r}: the key id does not match the name and key")
    return _Signer(name, bytes.fromhex(hex_id), seed)


def generate_signer(name: str) -> str:
    """Return a new random signer key for `name`; keep it secret.

    Raises NoteError for an empty name or one holding spaces or "+"; ImportError without
    cryptography.
    """
    if not _valid_name(name):
        raise NoteError(f"key name {name!r} must be non-empty, without spaces or '+'")
    seed = secrets.token_bytes(32)
    public = _public_key(seed)
    return "PRIVATE+KEY+" + _encoded_key(name, _key_id(name, ED25519 + public), seed)


def verifier_from_signer(signer_key: str) -> str:
    """Return the verifier key that checks signatures made with `signer_key`.

    Raises NoteError for a malformed signer key; ImportError without cryptography.
    """
    signer = _parse_signer(signer_key)
    return _encoded_key(signer.name, signer.key_id, _public_key(signer.seed))


def _check_text(text: str) -> None:
    if not text.endswith("\n") or _CONTROL.search(text):
        raise NoteError("note text must end with a newline and hold no control characters but "
                        "newlines")


def _signature_line(text: str, signer: _Signer) -> str:
    signature = _ed25519().Ed25519PrivateKey.from_private_bytes(signer.seed).sign(text.encode())
    return f"{_DASH}{signer.name} {_b64(signer.key_id + signature)}\n"


class Signer:
    """One signer key, parsed and turned into an Ed25519 key once, for signing many notes.

    `Signer(key).sign(text)` returns exactly what `sign(text, [key])` does; it only skips
    re-parsing the key and re-deriving the Ed25519 key on every call (what a log that signs a
    checkpoint per append would otherwise pay). Raises NoteError for a malformed key; ImportError
    without cryptography.
    """

    __slots__ = ("name", "key_id", "_private_key")

    def __init__(self, signer_key: str) -> None:
        parsed = _parse_signer(signer_key)
        self.name, self.key_id = parsed.name, parsed.key_id
        self._private_key = _ed25519().Ed25519PrivateKey.from_private_bytes(parsed.seed)

    def __repr__(self) -> str:  # never shows the secret key
        return f"Signer({self.name}+{self.key_id.hex()})"

    def signature_line(self, text: str) -> str:
        """The signature line of `text` (with its newline), as `sign` writes it."""
        signature = self._private_key.sign(text.encode())
        return f"{_DASH}{self.name} {_b64(self.key_id + signature)}\n"

    def sign(self, text: str) -> str:
        """Return the signed note: `text`, a blank line and this key's signature line.

        Raises NoteError if the text does not end in a newline or holds control characters.
        """
        _check_text(text)
        return text + "\n" + self.signature_line(text)


def sign(text: str, signer_keys: Sequence[str]) -> str:
    """Return the signed note: `text`, a blank line, one signature line per signer key.

    Raises NoteError if the text does not end in a newline or holds control characters, no key is
    given, or a key is malformed; ImportError without cryptography.
    """
    _check_text(text)
    if not signer_keys:
        raise NoteError("a note needs at least one signer key")
    return text + "\n" + "".join(_signature_line(text, _parse_signer(key)) for key in signer_keys)


def add_signature(note: str, signer_key: str) -> str:
    """Return `note` co-signed by `signer_key`: the existing signature lines kept as they are, one
    line appended (replacing an earlier signature by the same key). Open the note first: this
    signs whatever text it holds.

    Raises NoteError for a malformed note or key; ImportError without cryptography.
    """
    text, signatures = split_note(note)
    signer = _parse_signer(signer_key)
    same_key = (signer.name, signer.key_id)
    kept = "".join(s.line + "\n" for s in signatures if (s.name, s.key_id) != same_key)
    return text + "\n" + kept + _signature_line(text, signer)


def _parse_signature(line: str) -> Signature:
    if not line.startswith(_DASH):
        raise NoteError(f"malformed note: signature line {line!r} does not start with '— '")
    name, _, b64 = line[len(_DASH):].partition(" ")
    raw = _unb64(b64, "signature")
    if not _valid_name(name) or len(raw) < 5:
        raise NoteError(f"malformed note: bad signature line {line!r}")
    return Signature(name, raw[:4], raw[4:], line)


def split_note(note: str) -> tuple[str, list[Signature]]:
    """Return the note's text and its signature lines, checking no signature.

    Raises NoteError for a malformed note: control characters, no blank line before the
    signatures, no signatures, a bad signature line, or more than 100 of them.
    """
    if _CONTROL.search(note):
        raise NoteError("malformed note: control characters")
    split = note.rfind("\n\n")
    if split < 0 or not note.endswith("\n") or split + 2 == len(note):
        raise NoteError("malformed note: expected text, a blank line and signature lines")
    text, lines = note[:split + 1], note[split + 2:-1].split("\n")
    if len(lines) > _MAX_SIGNATURES:
        raise NoteError(f"malformed note: more than {_MAX_SIGNATURES} signatures")
    return text, [_parse_signature(line) for line in lines]


def open_note(note: str, verifiers: Sequence[str]) -> tuple[str, list[str]]:
    """Return the note's text and the names of the `verifiers` (verifier keys) whose signatures
    verified, in signature order. Signatures by other keys are ignored, as Go's note.Open does.

    Raises NoteError for a malformed note or verifier key, a bad signature by a known key, or no
    signature by a known key; ImportError without cryptography when a known key has signed.
    """
    text, signatures = split_note(note)
    known = {(v.name, v.key_id): v for v in map(parse_verifier, verifiers)}
    message = text.encode()
    verified: dict[tuple[str, bytes], str] = {}
    for signature in signatures:
        key = (signature.name, signature.key_id)
        verifier = known.get(key)
        if verifier is None or key in verified:
            continue
        if not _signature_valid(verifier.public_key, signature.signature, message):
            raise NoteError(f"invalid signature for key {signature.name}+{signature.key_id.hex()}")
        verified[key] = signature.name
    if not verified:
        raise NoteError("the note has no signature by a known key")
    return text, list(verified.values())
