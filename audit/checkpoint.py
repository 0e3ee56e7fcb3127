"""Log checkpoints: C2SP tlog-checkpoint (https://c2sp.org/tlog-checkpoint).

A checkpoint is the text of a signed note: "<origin>\\n<tree size>\\n<base64 root hash>\\n". The
portal's origins read "<host-or-name>/v/<village code>", and the village code is the log name.
"""
import base64
import binascii
import re
from typing import NamedTuple

from audit import NoteError

_SIZE = re.compile(r"0|[1-9][0-9]*")
_MAX_SIZE = (1 << 64) - 1  # the spec's tree sizes are uint64
_ROOT_SIZE = 32


class Checkpoint(NamedTuple):
    """A parsed checkpoint: the log's origin line, tree size and Merkle root."""

    origin: str
    size: int
    root: bytes


def format_checkpoint(origin: str, size: int, root: bytes) -> str:
    """Return the checkpoint text, ready to sign.

    Raises NoteError for an empty origin or one with a newline, a size outside 0..2^64-1, or a
    root that is not 32 bytes.
    """
    if not origin or "\n" in origin or not 0 <= size <= _MAX_SIZE or len(root) != _ROOT_SIZE:
        raise NoteError(f"cannot make a checkpoint of origin {origin!r}, size {size} and a "
                        f"{len(root)}-byte root")
    return f"{origin}\n{size}\n{base64.b64encode(root).decode('ascii')}\n"


def parse_checkpoint(text: str) -> Checkpoint:
    """Return the checkpoint in a note's text (its signatures already checked and removed).

    Extension lines after the root are allowed and ignored, as the spec says. Raises NoteError
    unless there are at least three non-empty lines, each ending in a newline, the size is
    decimal without leading zeros and the root is the canonical base64 of 32 bytes.
    """
    lines = text.split("\n")
    if len(lines) < 4 or lines[-1] or "" in lines[:-1]:
        raise NoteError("a checkpoint is at least three non-empty lines, each ending in a newline: "
                        "origin, tree size, root hash")
    origin, size, root = lines[:3]
    if not _SIZE.fullmatch(size) or int(size) > _MAX_SIZE:
        raise NoteError(f"checkpoint tree size {size!r} is not a decimal number without leading "
                        "zeros")
    return Checkpoint(origin, int(size), _parse_root(root))


def _parse_root(text: str) -> bytes:
    try:
        root = base64.b64decode(text, validate=True)
    except binascii.Error:
        root = b""
    # Re-encoding refuses the variants (stray low bits) that would make one root two texts.
    if len(root) != _ROOT_SIZE or base64.b64encode(root).decode("ascii") != text:
        raise NoteError(f"checkpoint root {text!r} is not the base64 of 32 bytes")
    return root


def log_of_origin(origin: str) -> str:
    """Return the log name (village code) of a portal origin "<host-or-name>/v/<village code>".

    Raises NoteError for any other origin.
    """
    host, separator, code = origin.rpartition("/v/")
    if not host or not separator or not code or "/" in code:
        raise NoteError(f"origin {origin!r} is not of the form <host-or-name>/v/<village code>")
    return code
