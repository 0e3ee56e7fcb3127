"""Offline verifier of an exported audit log (DESIGN.md, "The audit log — format v1").

    python -m audit.verify DIR

    python -m audit.verify DIR --require K [--witness-keys FILE]

DIR holds `entries.jsonl` (one canonical line per entry, in seq order; an entry's hash is the
SHA-256 of its line, so lines are never re-encoded), `checkpoint` (a C2SP signed note) and `keys`
(verifier keys, one a line: the portal's first, then the supervisory committee members' witness
keys, C2SP tlog-cosignature vkeys of type 0x04). Checks every line and its link to the one
before, the Merkle root (RFC 9162) and size against the checkpoint, the portal's signature and
every committee cosignature. `--require K` fails unless at least K committee keys co-signed the
checkpoint; `--witness-keys FILE` takes the committee keys from FILE instead of `keys` (keys
the reader got elsewhere, e.g. from the committee itself). Prints `OK <log> size=<n>
root=<base64>` and exits 0, or prints one line naming the first bad seq and exits 1. Needs only
the standard library; without `cryptography` the signatures are skipped with a warning (and
`--require` fails).
"""
import argparse
import base64
import hashlib
import json
import sys
import warnings
from datetime import datetime, timezone
from collections.abc import Iterable, Iterator, Sequence
from pathlib import Path
from typing import Any, NamedTuple, NoReturn

from audit import LogError, NoteError
from audit import cosignature
from audit.checkpoint import Checkpoint, log_of_origin, parse_checkpoint
from audit.entry import ZERO_HASH, entry_defect, entry_hash
from audit.merkle import leaf_hash, root_from_leaf_hashes
from audit.note import open_note, parse_verifier, split_note

Signatures = list[tuple[str, bool]]  # (key name, signed?) per key, the portal's first


class Result(NamedTuple):
    """A verified log: its name, size and root, and for each signed-note key in the keys file (the
    portal's first) whether it signed the checkpoint; `signatures` is None when they were not
    checked. `cosigned` holds the committee cosignatures that verified (None: not checked) and
    `witnesses` the committee keys they were checked against."""

    log: str
    size: int
    root: bytes
    signatures: Signatures | None
    cosigned: list[cosignature.Cosignature] | None = None
    witnesses: tuple[str, ...] = ()


def _refuse_float(text: str) -> NoReturn:
    raise ValueError(f"floats are not allowed, found {text}")


_decode = json.JSONDecoder(parse_float=_refuse_float, parse_constant=_refuse_float).decode


def _parse(line: bytes, seq: int) -> dict[str, Any]:
    """Return the entry on `line`. Raises LogError naming `seq` if it is not a well-formed entry."""
    try:
        entry: dict[str, Any] = _decode(line.decode("utf-8"))
    except ValueError as error:
        raise LogError(f"not a JSON entry: {error}", seq) from None
    defect = entry_defect(entry)
    if defect:
        raise LogError(defect, seq)
    return entry


def _vouched(line: bytes, rest: Iterator[bytes]) -> bool:
    """Whether the next line's prev is the hash of `line`, or `line` is the last one: either way
    `line` is taken as original, so a broken link before it is blamed on the line before."""
    following = next(rest, None)
    if following is None:
        return True
    try:
        return bool(json.loads(following)["prev"] == entry_hash(line))
    except (ValueError, TypeError, KeyError):
        return False


def _misplaced(position: int, seq: int, line: bytes, previous: bytes,
               rest: Iterator[bytes]) -> LogError:
    """Blame the first line where the file departs from the log, given that its line number
    `position` carries `seq`."""
    if seq < position and line != previous and _vouched(line, rest):
        return LogError(f"entries were inserted: file line {position + 1} carries seq {seq} again "
                        "and the chain continues from it", seq)
    return LogError(f"expected seq {position}, found seq {seq}: entries are missing, repeated or "
                    "out of order", position)


def _broken_link(seq: int, line: bytes, rest: Iterator[bytes]) -> LogError:
    """Blame the entry whose change broke the link between seq - 1 and seq."""
    if seq == 0:
        return LogError("prev of seq 0 must be 64 zeros", 0)
    if _vouched(line, rest):
        return LogError(f"the hash of seq {seq - 1} does not match the prev recorded by seq {seq}",
                        seq - 1)
    return LogError(f"prev does not match the hash of seq {seq - 1}", seq)


class _Chain:
    """Walks entry lines in order, checking each line and its link to the one before."""

    def __init__(self) -> None:
        self.log: str | None = None
        self.size = 0

    def leaves(self, lines: Iterable[bytes]) -> Iterator[bytes]:
        """Yield the Merkle leaf hash of each line; raise LogError at the first defect."""
        rest = iter(lines)
        log, size, previous, prev_hash = None, 0, b"", ZERO_HASH
        for seq, raw in enumerate(rest):
            line = raw.removesuffix(b"\n")
            entry = _parse(line, seq)
            if entry["seq"] != seq:
                raise _misplaced(seq, entry["seq"], line, previous, rest)
            if entry["prev"] != prev_hash:
                raise _broken_link(seq, line, rest)
            if log is None:
                log = entry["log"]
            elif entry["log"] != log:
                raise LogError(f"log {entry['log']!r} differs from log {log!r} of seq 0", seq)
            digest = hashlib.sha256(line).digest()
            previous, prev_hash = line, digest.hex()
            size = seq + 1
            yield leaf_hash(digest)
        self.log, self.size = log, size


def verify_lines(lines: Iterable[bytes]) -> tuple[str | None, int, bytes]:
    """Check entry lines (canonical bytes without `hash`, in seq order; a trailing newline is
    ignored) and return (log name, number of entries, Merkle root); the log is None if there are
    no lines. Streams: memory stays small for any number of lines.

    Raises LogError naming the first bad seq.
    """
    chain = _Chain()
    root = root_from_leaf_hashes(chain.leaves(lines))
    return chain.log, chain.size, root


def _read_text(path: Path) -> str:
    try:
        return path.read_text(encoding="utf-8")
    except UnicodeDecodeError:
        raise NoteError(f"{path.name}: not UTF-8 text") from None


def _read_keys(path: Path, *, witnesses_only: bool = False) -> tuple[list[str], list[str]]:
    """Return the signed-note verifier keys and the committee cosigner keys in a keys file
    (blank lines and lines starting with "#" skipped). Raises NoteError naming a bad line, or if
    the file holds no key (no cosigner key, with `witnesses_only`)."""
    keys: list[str] = []
    witnesses: list[str] = []
    for number, raw in enumerate(_read_text(path).splitlines(), start=1):
        key = raw.strip()
        if not key or key.startswith("#"):
            continue
        try:
            if cosignature.is_cosigner_key(key):
                witnesses.append(cosignature.parse_cosigner(key).vkey)
            elif witnesses_only:
                raise NoteError("not a committee (cosigner) key of type 0x04")
            else:
                parse_verifier(key)
                keys.append(key)
        except NoteError as error:
            raise NoteError(f"{path.name} line {number}: {error}") from None
    if witnesses_only and not witnesses:
        raise NoteError(f"{path.name}: no committee keys")
    if not witnesses_only and not keys:
        raise NoteError(f"{path.name}: no verifier keys")
    return keys, witnesses


def _signatures(note: str, keys: list[str]) -> tuple[str, Signatures | None]:
    """Return the checkpoint text and, per key, whether it signed; None without cryptography.

    Raises NoteError for a bad note or signature, or if the portal's key (the first) did not sign.
    """
    try:
        text, signed = open_note(note, keys)
    except ImportError:
        warnings.warn("cryptography is not installed: checkpoint signatures were NOT checked",
                      RuntimeWarning, stacklevel=4)
        return split_note(note)[0], None
    names = [parse_verifier(key).name for key in keys]
    if names[0] not in signed:
        raise NoteError(f"not signed by the portal key {names[0]}")
    return text, [(name, name in signed) for name in names]


def _open_checkpoint(path: Path, keys: list[str]) -> tuple[Checkpoint, Signatures | None]:
    """Return the checkpoint in the signed note at `path` and, per key, whether it signed.

    Raises NoteError naming the file for a bad note, signature or checkpoint.
    """
    note = _read_text(path)
    try:
        text, signatures = _signatures(note, keys)
        return parse_checkpoint(text), signatures
    except NoteError as error:
        raise NoteError(f"{path.name}: {error}") from None


def _match(checkpoint: Checkpoint, log: str, entries_log: str | None, size: int,
           root: bytes) -> None:
    """Raise LogError unless the entries are the log, size and root the checkpoint names."""
    if entries_log not in (None, log):
        raise LogError(f"the checkpoint is for log {log!r}, the entries are log {entries_log!r}")
    if size < checkpoint.size:
        raise LogError(f"seq {size} is missing: the checkpoint covers {checkpoint.size} entries, "
                       f"the file has {size}", size)
    if size > checkpoint.size:
        raise LogError(f"the checkpoint covers only {checkpoint.size} entries, the file has {size}",
                       checkpoint.size)
    if root != checkpoint.root:
        raise LogError(f"the Merkle root of the {size} entries is {_b64(root)}, the signed "
                       f"checkpoint says {_b64(checkpoint.root)}", size - 1 if size else None)


def _b64(data: bytes) -> str:
    return base64.b64encode(data).decode("ascii")


def _cosigned(path: Path, witnesses: list[str]) -> list[cosignature.Cosignature] | None:
    """The committee cosignatures on the checkpoint at `path` that verify; None without
    cryptography. Raises NoteError naming the file for a forged cosignature by a known key."""
    if not witnesses:
        return []
    try:
        return cosignature.cosignatures(_read_text(path), witnesses)
    except ImportError:
        return None
    except NoteError as error:
        raise NoteError(f"{path.name}: {error}") from None


def verify_dir(path: str | Path, witness_keys: str | Path | None = None, require: int = 0) -> Result:
    """Verify the exported log in directory `path` (entries.jsonl, checkpoint, keys).

    Committee cosignatures are checked against the cosigner keys of `witness_keys` (a file)
    or, without it, those in `keys`; fewer than `require` of them raise NoteError.
    Raises LogError (its seq names the first bad entry when there is one), NoteError for a bad
    keys file, checkpoint, signature or cosignature, OSError for a missing or unreadable file.
    Warns (RuntimeWarning) and skips the signatures when cryptography is not installed.
    """
    directory = Path(path)
    keys, witnesses = _read_keys(directory / "keys")
    if witness_keys is not None:
        witnesses = _read_keys(Path(witness_keys), witnesses_only=True)[1]
    checkpoint, signatures = _open_checkpoint(directory / "checkpoint", keys)
    cosigned = _cosigned(directory / "checkpoint", witnesses)
    log = log_of_origin(checkpoint.origin)
    with open(directory / "entries.jsonl", "rb") as entries:
        entries_log, size, root = verify_lines(entries)
    _match(checkpoint, log, entries_log, size, root)
    if require > 0:
        _enough(cosigned, witnesses, require)
    return Result(log, size, root, signatures, cosigned, tuple(witnesses))


def _enough(cosigned: list[cosignature.Cosignature] | None, witnesses: list[str], require: int) -> None:
    """Raise NoteError unless at least `require` of the committee keys co-signed."""
    if cosigned is None:
        raise NoteError(f"{require} committee cosignatures required, but cryptography is not "
                        "installed: cosignatures cannot be checked")
    if require > len(witnesses):
        raise NoteError(f"{require} committee cosignatures required, but only {len(witnesses)} "
                        "committee keys are known")
    if len(cosigned) < require:
        names = ", ".join(c.name for c in cosigned) or "none"
        raise NoteError(f"the checkpoint is co-signed by {len(cosigned)} of the {len(witnesses)} "
                        f"committee keys ({names}), {require} required")


def _report(result: Result) -> list[str]:
    lines = [f"OK {result.log} size={result.size} root={_b64(result.root)}"]
    if result.signatures is None:
        return [*lines, "signatures not checked"]
    (portal, _), *committee = result.signatures
    lines.append(f"signed by the portal key {portal}")
    lines += [f"{'co-signed' if signed else 'not co-signed'} by committee key {name}"
              for name, signed in committee]
    if result.cosigned is None:
        return [*lines, "committee cosignatures not checked"]
    done = {c.name: c for c in result.cosigned}
    for key in result.witnesses:
        name = key.split("+", 1)[0]
        if name in done:
            when = datetime.fromtimestamp(done[name].timestamp, timezone.utc).strftime("%Y-%m-%d %H:%M:%S UTC")
            lines.append(f"co-signed by committee key {name} at {when}")
        else:
            lines.append(f"not co-signed by committee key {name}")
    return lines


def main(argv: Sequence[str] | None = None) -> int:
    """Run the verifier on the command line; return the exit status (0 OK, 1 defect, 2 usage)."""
    parser = argparse.ArgumentParser(prog="python -m audit.verify",
                                     description="Verify an exported village audit log.")
    parser.add_argument("dir", help="directory holding entries.jsonl, checkpoint and keys")
    parser.add_argument("--witness-keys", metavar="FILE", default=None,
                        help="committee keys (tlog-cosignature vkeys, one a line) to check the "
                             "cosignatures against, instead of those in DIR/keys")
    parser.add_argument("--require", metavar="K", type=int, default=0,
                        help="fail unless at least K committee keys co-signed the checkpoint")
    args = parser.parse_args(argv)
    if args.require < 0:
        parser.error("--require must be 0 or more")
    try:
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            result = verify_dir(args.dir, args.witness_keys, args.require)
    except LogError as error:
        print(f"FAIL seq={error.seq}: {error}" if error.seq is not None else f"FAIL: {error}")
        return 1
    except NoteError as error:
        print(f"FAIL: {error}")
        return 1
    except OSError as error:
        print(f"FAIL: cannot read {error.filename}: {error.strerror}")
        return 1
    for warning in caught:
        print(f"WARNING: {warning.message}", file=sys.stderr)
    print("\n".join(_report(result)))
    return 0


if __name__ == "__main__":
    sys.exit(main())
