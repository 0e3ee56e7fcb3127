"""audit.merkle: RFC 6962/9162 known answers, proofs from stored nodes against the textbook
recursive definitions, streaming roots, appends, and the O(log n) node reads."""
import math
from functools import cache

import pytest

from audit import ProofError, merkle

# RFC 6962 test leaves and the roots of their first 1..8 (transparency-dev/merkle proof tests).
LEAVES = [b"", b"\x00", b"\x10", b"\x20\x21", b"\x30\x31", b"\x40\x41\x42\x43",
          b"\x50\x51\x52\x53\x54\x55\x56\x57",
          b"\x60\x61\x62\x63\x64\x65\x66\x67\x68\x69\x6a\x6b\x6c\x6d\x6e\x6f"]
ROOTS = [bytes.fromhex(h) for h in (
    "6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d",
    "fac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125",
    "aeb6bcfe274b70a14fb067a5e5578264db0fa9b51af5e0ba159158f329e06e77",
    "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7",
    "4e3bbb1f7b478dcfe71fb631631519a3bca12c9aefca1612bfce4c13a86264d4",
    "76e67dadbcdf1e10e1b74ddc608abd2f98dfb16fbce75277b5232a127f2087ef",
    "ddb89be403809e325750d3d263cd78929c2942b7942a34b77e122c9594a74c8c",
    "5dc9da79a70659a9ad559cb701ded9a2ab9d823aad2f4960cfe370eff4604328",
)]
# (leaf index, tree size, proof) and (old, new, proof) from the same source.
INCLUSION_PROOFS = [
    (0, 8, ["96a296d224f285c67bee93c30f8a309157f0daa35dc5b87e410b78630a09cfc7",
            "5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e",
            "6b47aaf29ee3c2af9af889bc1fb9254dabd31177f16232dd6aab035ca39bf6e4"]),
    (5, 8, ["bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b",
            "ca854ea128ed050b41b35ffc1b87b8eb2bde461e9e3b5596ece6b9d5975a0ae0",
            "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7"]),
    (2, 3, ["fac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125"]),
    (1, 5, ["6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d",
            "5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e",
            "bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b"]),
]
CONSISTENCY_PROOFS = [
    (1, 8, ["96a296d224f285c67bee93c30f8a309157f0daa35dc5b87e410b78630a09cfc7",
            "5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e",
            "6b47aaf29ee3c2af9af889bc1fb9254dabd31177f16232dd6aab035ca39bf6e4"]),
    (6, 8, ["0ebc5d3437fbe2db158b9f126a1d118e308181031d0a949f8dededebc558ef6a",
            "ca854ea128ed050b41b35ffc1b87b8eb2bde461e9e3b5596ece6b9d5975a0ae0",
            "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7"]),
    (2, 5, ["5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e",
            "bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b"]),
    (6, 7, ["0ebc5d3437fbe2db158b9f126a1d118e308181031d0a949f8dededebc558ef6a",
            "b08693ec2e721597130641e8211e7eedccb4c26413963eee6c1e2ed16ffb1a5f",
            "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7"]),
]
MAX_SIZE = 70


def stored_nodes(leaf_hashes: list[bytes]) -> dict[tuple[int, int], bytes]:
    """Every complete-subtree hash of the tree, as CompactRange.append reports them."""
    tree = merkle.CompactRange()
    return {(level, index): node for leaf in leaf_hashes for level, index, node in tree.append(leaf)}


def reader(nodes: dict[tuple[int, int], bytes]) -> merkle.NodeReader:
    return lambda level, index: nodes[level, index]


KAT_HASHES = [merkle.leaf_hash(leaf) for leaf in LEAVES]
KAT_NODES = stored_nodes(KAT_HASHES)
HASHES = [merkle.leaf_hash(bytes([i]) * 32) for i in range(MAX_SIZE)]
NODES = stored_nodes(HASHES)


# -- the textbook recursive definitions of RFC 9162 §2.1.1, §2.1.3.1 and §2.1.4.1 --------------

def split(n: int) -> int:
    k = 1
    while k * 2 < n:
        k *= 2
    return k


@cache
def mth(start: int, end: int) -> bytes:
    if end - start == 1:
        return HASHES[start]
    k = split(end - start)
    return merkle.node_hash(mth(start, start + k), mth(start + k, end))


def path(m: int, start: int, end: int) -> list[bytes]:
    if end - start == 1:
        return []
    k = split(end - start)
    if m < k:
        return path(m, start, start + k) + [mth(start + k, end)]
    return path(m - k, start + k, end) + [mth(start, start + k)]


def subproof(m: int, start: int, end: int, b: bool) -> list[bytes]:
    if m == end - start:
        return [] if b else [mth(start, end)]
    k = split(end - start)
    if m <= k:
        return subproof(m, start, start + k, b) + [mth(start + k, end)]
    return subproof(m - k, start + k, end, False) + [mth(start, start + k)]


# -- known answers ------------------------------------------------------------------------------

def test_empty_root_is_sha256_of_nothing():
    assert merkle.EMPTY_ROOT.hex() == "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"
    assert merkle.root_from_leaf_hashes([]) == merkle.EMPTY_ROOT
    assert merkle.CompactRange().root() == merkle.EMPTY_ROOT
    assert merkle.root_hash(0, reader({})) == merkle.EMPTY_ROOT


@pytest.mark.parametrize("size", range(1, 9))
def test_rfc6962_roots_of_the_test_leaves(size):
    assert merkle.root_from_leaf_hashes(KAT_HASHES[:size]) == ROOTS[size - 1]
    assert merkle.root_hash(size, reader(KAT_NODES)) == ROOTS[size - 1]
    tree = merkle.CompactRange()
    for leaf in KAT_HASHES[:size]:
        tree.append(leaf)
    assert tree.root() == ROOTS[size - 1]


@pytest.mark.parametrize("index,size,proof", INCLUSION_PROOFS)
def test_known_inclusion_proofs_are_generated_and_verify(index, size, proof):
    expected = [bytes.fromhex(h) for h in proof]
    assert merkle.inclusion_proof(index, size, reader(KAT_NODES)) == expected
    merkle.verify_inclusion(index, size, KAT_HASHES[index], expected, ROOTS[size - 1])


@pytest.mark.parametrize("old,new,proof", CONSISTENCY_PROOFS)
def test_known_consistency_proofs_are_generated_and_verify(old, new, proof):
    expected = [bytes.fromhex(h) for h in proof]
    assert merkle.consistency_proof(old, new, reader(KAT_NODES)) == expected
    merkle.verify_consistency(old, new, ROOTS[old - 1], ROOTS[new - 1], expected)


# -- generated proofs equal the textbook ones, and verify ---------------------------------------

@pytest.mark.parametrize("size", range(1, MAX_SIZE + 1))
def test_inclusion_proofs_match_the_recursive_definition(size):
    root = mth(0, size)
    assert merkle.root_hash(size, reader(NODES)) == root
    for index in range(size):
        proof = merkle.inclusion_proof(index, size, reader(NODES))
        assert proof == path(index, 0, size)
        merkle.verify_inclusion(index, size, HASHES[index], proof, root)


@pytest.mark.parametrize("new", range(1, MAX_SIZE + 1))
def test_consistency_proofs_match_the_recursive_definition(new):
    for old in range(0, new + 1):
        proof = merkle.consistency_proof(old, new, reader(NODES))
        assert proof == (subproof(old, 0, new, True) if 0 < old < new else [])
        old_root = mth(0, old) if old else merkle.EMPTY_ROOT
        merkle.verify_consistency(old, new, old_root, mth(0, new), proof)


def test_a_proof_for_another_leaf_or_root_is_refused():
    proof = merkle.inclusion_proof(5, 13, reader(NODES))
    with pytest.raises(ProofError, match="expected root .* computed"):
        merkle.verify_inclusion(5, 13, HASHES[6], proof, mth(0, 13))
    proof = merkle.consistency_proof(5, 13, reader(NODES))
    with pytest.raises(ProofError, match="expected root1"):
        merkle.verify_consistency(5, 13, mth(0, 6), mth(0, 13), proof)


@pytest.mark.parametrize("call,message", [
    (lambda: merkle.verify_inclusion(3, 3, HASHES[0], [], HASHES[0]), "not in a tree of size 3"),
    (lambda: merkle.verify_inclusion(0, 2, HASHES[0], [], mth(0, 2)), "expected 1 proof hashes"),
    (lambda: merkle.verify_inclusion(0, 1, HASHES[0], [HASHES[1]], HASHES[0]), "expected 0 proof"),
    (lambda: merkle.verify_inclusion(0, 1, HASHES[0][:31], [], HASHES[0]), "leaf hash must be 32"),
    (lambda: merkle.verify_inclusion(0, 1, HASHES[0], [], HASHES[0] + b"!"), "root must be 32"),
    (lambda: merkle.verify_consistency(4, 4, mth(0, 4), mth(0, 4), [HASHES[0]]), "empty proof"),
    (lambda: merkle.verify_consistency(0, 4, merkle.EMPTY_ROOT, mth(0, 4), [HASHES[0]]), "empty"),
    (lambda: merkle.verify_consistency(4, 4, mth(0, 4), mth(0, 5), []), "root2 equal to root1"),
    (lambda: merkle.verify_consistency(5, 4, mth(0, 5), mth(0, 4), []), "size1 <= size2"),
    (lambda: merkle.verify_consistency(3, 4, mth(0, 3), mth(0, 4), []), "expected 3 proof hashes"),
])
def test_edge_cases_raise_proof_errors_saying_what_was_expected(call, message):
    with pytest.raises(ProofError, match=message):
        call()


def test_generating_a_proof_outside_the_tree_is_a_value_error():
    with pytest.raises(ValueError):
        merkle.inclusion_proof(4, 4, reader(NODES))
    with pytest.raises(ValueError):
        merkle.consistency_proof(5, 4, reader(NODES))


# -- stored nodes, appends and streaming roots --------------------------------------------------

def test_peaks_cover_the_tree_left_to_right():
    assert merkle.peaks(0) == []
    assert merkle.peaks(13) == [(3, 0), (2, 2), (0, 12)]
    assert merkle.range_nodes(8, 13) == [(2, 2), (0, 12)]


def test_ranges_that_are_not_subtrees_are_refused():
    with pytest.raises(ValueError, match="subtree"):
        merkle.range_nodes(1, 4)
    with pytest.raises(ValueError, match="subtree"):
        merkle.subtree_hash(2, 7, reader(NODES))


def test_append_reports_exactly_the_subtrees_it_completes():
    tree = merkle.CompactRange()
    assert tree.append(HASHES[0]) == [(0, 0, HASHES[0])]
    assert tree.append(HASHES[1]) == [(0, 1, HASHES[1]), (1, 0, mth(0, 2))]
    tree = merkle.CompactRange.from_peaks(7, [mth(0, 4), mth(4, 6), HASHES[6]])
    assert tree.append(HASHES[7]) == [(0, 7, HASHES[7]), (1, 3, mth(6, 8)), (2, 1, mth(4, 8)),
                                      (3, 0, mth(0, 8))]
    assert tree.size == 8 and tree.peak_hashes() == [mth(0, 8)]


@pytest.mark.parametrize("size", range(MAX_SIZE))
def test_nodes_after_append_match_compact_range(size):
    tree = merkle.CompactRange.from_peaks(size, [NODES[key] for key in merkle.peaks(size)])
    assert set(merkle.append_nodes_needed(size)) <= set(merkle.peaks(size))
    expected = merkle.nodes_after_append(size, HASHES[size], reader(NODES))
    assert tree.append(HASHES[size]) == expected
    assert tree.root() == mth(0, size + 1)


def test_resuming_needs_one_hash_per_peak():
    with pytest.raises(ValueError, match="1 peak hashes cannot resume a tree of size 7"):
        merkle.CompactRange.from_peaks(7, [HASHES[0]])


@pytest.mark.parametrize("count", [1, 4095, 4096, 4097, 3 * 4096 + 5, 4 * 4096])
def test_streamed_root_equals_compact_range_root_across_chunks(count):
    leaves = [merkle.leaf_hash(i.to_bytes(4, "big")) for i in range(count)]
    tree = merkle.CompactRange()
    for leaf in leaves:
        tree.append(leaf)
    assert merkle.root_from_leaf_hashes(iter(leaves)) == tree.root()


# -- O(log n) node reads ------------------------------------------------------------------------

class CountingReader:
    """A node reader that records the keys it is asked for."""

    def __init__(self) -> None:
        self.keys: list[tuple[int, int]] = []

    def __call__(self, level: int, index: int) -> bytes:
        self.keys.append((level, index))
        return merkle.leaf_hash(f"{level}/{index}".encode())


BIG = 1_000_003
BOUND = 2 * math.log2(BIG) + 2


@pytest.mark.parametrize("index", [0, 1, 2 ** 19, BIG // 2, BIG - 2, BIG - 1])
def test_inclusion_proofs_read_o_log_n_nodes_all_named_in_advance(index):
    read = CountingReader()
    proof = merkle.inclusion_proof(index, BIG, read)
    assert len(read.keys) <= BOUND
    assert len(set(read.keys)) == len(read.keys)
    assert set(read.keys) == merkle.inclusion_nodes(index, BIG)
    assert len(proof) <= math.ceil(math.log2(BIG))


@pytest.mark.parametrize("old", [1, 2, 3, 2 ** 19, 2 ** 19 + 1, BIG // 2, BIG - 1])
def test_consistency_proofs_read_o_log_n_nodes_all_named_in_advance(old):
    read = CountingReader()
    merkle.consistency_proof(old, BIG, read)
    assert len(read.keys) <= BOUND
    assert set(read.keys) == merkle.consistency_nodes(old, BIG)


def test_roots_read_exactly_the_peaks():
    read = CountingReader()
    merkle.root_hash(BIG, read)
    assert read.keys == merkle.peaks(BIG)
