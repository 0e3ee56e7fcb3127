"""Canonical JSON bytes of audit entries (DESIGN.md, "The audit log — format v1").

Canonical bytes are the UTF-8 of json.dumps(obj, ensure_ascii=False, sort_keys=True,
separators=(",", ":")). No floats anywhere: money is integer fen or a decimal string, and float
text differs between JSON implementations, so a float would make hashes irreproducible.
"""
import json
from typing import Any


def canonical_bytes(obj: Any) -> bytes:
    """Return the canonical UTF-8 JSON encoding of `obj`.

    Raises TypeError for a float (NaN and infinities included) anywhere in `obj`, for an object key
    that is not a string, or for a value JSON cannot encode; UnicodeEncodeError (a ValueError) for
    a string holding a lone surrogate.
    """
    _refuse_floats(obj)
    text = json.dumps(obj, ensure_ascii=False, sort_keys=True, separators=(",", ":"))
    return text.encode("utf-8")


def _refuse_floats(obj: Any) -> None:
    """Raise TypeError at the first float or non-string key inside `obj`."""
    if isinstance(obj, float):
        raise TypeError(f"floats are not allowed in canonical JSON, got {obj!r}: "
                        "use integer fen or a decimal string")
    if isinstance(obj, dict):
        for key, value in obj.items():
            # json.dumps would silently turn 1 or 1.5 into the key "1" or "1.5".
            if not isinstance(key, str):
                raise TypeError(f"object keys must be strings, got {key!r}")
            _refuse_floats(value)
    elif isinstance(obj, (list, tuple)):
        for item in obj:
            _refuse_floats(item)
