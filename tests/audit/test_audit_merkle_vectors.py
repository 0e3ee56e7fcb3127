"""audit.merkle against every transparency-dev/merkle conformance fixture (tests/data/merkle-vectors,
Apache License 2.0): `wantErr` decides whether verification must raise ProofError."""
import base64
import json
from pathlib import Path

import pytest

from audit import ProofError
from audit.merkle import verify_consistency, verify_inclusion

VECTORS = Path(__file__).parent.parent / "data" / "merkle-vectors"
FILES = sorted(VECTORS.rglob("*.json"))


def decode(value: str) -> bytes:
    return base64.b64decode(value)


def check(case: dict) -> None:
    proof = [decode(item) for item in case["proof"] or []]
    if "leafIdx" in case:
        verify_inclusion(case["leafIdx"], case["treeSize"], decode(case["leafHash"]), proof,
                         decode(case["root"]))
    else:
        verify_consistency(case["size1"], case["size2"], decode(case["root1"]), decode(case["root2"]),
                           proof)


def test_all_fixtures_are_present():
    assert len(FILES) == 196
    assert (VECTORS / "LICENSE").exists()


@pytest.mark.parametrize("path", FILES, ids=[str(p.relative_to(VECTORS).with_suffix("")) for p in FILES])
def test_conformance_vector(path):
    case = json.loads(path.read_text())
    if case["wantErr"]:
        with pytest.raises(ProofError):
            check(case)
    else:
        check(case)
