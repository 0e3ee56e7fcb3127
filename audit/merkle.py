"""The audit log's Merkle tree: RFC 9162 §2.1 (the tree of RFC 6962 §2.1).

Each leaf is the 32 raw bytes of an entry hash; leaf hash = SHA-256(0x00 ‖ leaf), node hash =
SHA-256(0x01 ‖ left ‖ right). Verification follows RFC 9162 §2.1.3.2 (inclusion) and §2.1.4.2
(consistency) step by step; proofs are those of §2.1.3.1 and §2.1.4.1.

Proofs are generated from stored complete-subtree hashes, never by rebuilding the tree. A node
key (level, index) names the complete subtree over leaves [index·2^level, (index+1)·2^level).
`peaks`, `inclusion_nodes` and `consistency_nodes` say which O(log n) keys `root_hash`,
`inclusion_proof` and `consistency_proof` will read, so a caller fetches them in one query and
passes a dict lookup as `node`; `append_nodes_needed` and `nodes_after_append` say what to read
and store when a leaf is appended.
"""
import hashlib
from collections.abc import Callable, Iterable, Sequence
from itertools import islice

from audit import ProofError

LEAF_PREFIX = b"\x00"
NODE_PREFIX = b"\x01"
HASH_SIZE = 32
EMPTY_ROOT = hashlib.sha256(b"").digest()

NodeKey = tuple[int, int]
Node = tuple[int, int, bytes]
NodeReader = Callable[[int, int], bytes]

# Streaming roots hash this many leaves level by level at a time: fast, and memory stays small.
_CHUNK = 1 << 12


def leaf_hash(leaf: bytes) -> bytes:
    """Return the leaf hash SHA-256(0x00 ‖ leaf)."""
    return hashlib.sha256(LEAF_PREFIX + leaf).digest()


def node_hash(left: bytes, right: bytes) -> bytes:
    """Return the interior node hash SHA-256(0x01 ‖ left ‖ right)."""
    return hashlib.sha256(NODE_PREFIX + left + right).digest()


# -- roots -------------------------------------------------------------------------------------

def _fold(hashes: Sequence[bytes]) -> bytes:
    """Return the root over complete subtrees listed left to right, largest first.

    RFC 9162 splits a tree at its largest complete left subtree, so the root nests to the right.
    """
    if not hashes:
        return EMPTY_ROOT
    root = hashes[-1]
    for left in reversed(hashes[:-1]):
        root = node_hash(left, root)
    return root


def _reduce(level: list[bytes]) -> bytes:
    """Return the root over a non-empty list of leaf hashes, one tree level at a time."""
    while len(level) > 1:
        pairs = zip(level[::2], level[1::2], strict=False)
        paired = [node_hash(left, right) for left, right in pairs]
        level = paired + level[-1:] if len(level) % 2 else paired
    return level[0]


def root_from_leaf_hashes(hashes: Iterable[bytes]) -> bytes:
    """Return the root of the tree over `hashes` (any iterable; streamed in O(log n) memory)."""
    # Above the chunk level the tree is the same RFC tree with chunk roots as its leaves.
    chunks = CompactRange()
    leaves = iter(hashes)
    while chunk := list(islice(leaves, _CHUNK)):
        if len(chunk) < _CHUNK:
            return _fold([*chunks.peak_hashes(), _reduce(chunk)])
        chunks.append(_reduce(chunk))
    return chunks.root()


def _trailing_ones(n: int) -> int:
    """Return how many low bits of n are set: the subtrees that leaf number n completes."""
    return (~n & (n + 1)).bit_length() - 1


def _completed(index: int, leaf: bytes, siblings: Sequence[bytes]) -> list[Node]:
    """Return the leaf `index` and each parent it completes, given left siblings bottom up."""
    nodes = [(0, index, leaf)]
    for level, sibling in enumerate(siblings, start=1):
        leaf = node_hash(sibling, leaf)
        nodes.append((level, index >> level, leaf))
    return nodes


class CompactRange:
    """The peak hashes of the tree over leaves [0, size): enough to append and to get the root."""

    def __init__(self) -> None:
        """Start with the empty tree."""
        self.size = 0
        self._peaks: list[bytes] = []

    @classmethod
    def from_peaks(cls, size: int, peak_hashes: Sequence[bytes]) -> "CompactRange":
        """Resume from a size and the hashes of peaks(size), left to right.

        Raises ValueError if the number of hashes does not match the size.
        """
        if size < 0 or len(peak_hashes) != size.bit_count():
            raise ValueError(f"{len(peak_hashes)} peak hashes cannot resume a tree of size {size}")
        tree = cls()
        tree.size, tree._peaks = size, list(peak_hashes)
        return tree

    def peak_hashes(self) -> list[bytes]:
        """Return the hashes of peaks(size), left to right (what from_peaks needs to resume)."""
        return list(self._peaks)

    def append(self, leaf_hash: bytes) -> list[Node]:
        """Add leaf number `size`; return the complete subtrees this completes as
        (level, index, hash), the leaf itself first."""
        keep = len(self._peaks) - _trailing_ones(self.size)
        created = _completed(self.size, leaf_hash, self._peaks[keep:][::-1])
        del self._peaks[keep:]
        self._peaks.append(created[-1][2])
        self.size += 1
        return created

    def root(self) -> bytes:
        """Return the root of the tree over leaves [0, size)."""
        return _fold(self._peaks)


# -- stored complete subtrees ------------------------------------------------------------------

def range_nodes(start: int, end: int) -> list[NodeKey]:
    """Return the complete subtrees whose concatenation is [start, end), left to right.

    Raises ValueError unless [start, end) is a subtree of an RFC 9162 tree, i.e. start is a
    multiple of the largest power of two not above end - start (every range a proof uses is).
    """
    size = end - start
    if start < 0 or size < 0 or (size and start % (1 << (size.bit_length() - 1))):
        raise ValueError(f"leaves [{start}, {end}) do not form a subtree of a Merkle tree")
    keys = []
    for level in range(size.bit_length() - 1, -1, -1):
        if size >> level & 1:
            keys.append((level, start >> level))
            start += 1 << level
    return keys


def peaks(size: int) -> list[NodeKey]:
    """Return the complete subtrees whose concatenation is [0, size), left to right: the keys
    root_hash(size, node) reads. Raises ValueError for a negative size."""
    return range_nodes(0, size)


def subtree_hash(start: int, end: int, node: NodeReader) -> bytes:
    """Return the hash of leaves [start, end) from stored complete-subtree hashes
    (EMPTY_ROOT for an empty range). Raises ValueError as range_nodes does."""
    return _fold([node(level, index) for level, index in range_nodes(start, end)])


def root_hash(size: int, node: NodeReader) -> bytes:
    """Return the root of the tree over leaves [0, size), reading exactly peaks(size)."""
    return subtree_hash(0, size, node)


def append_nodes_needed(size: int) -> list[NodeKey]:
    """Return the left siblings, bottom up, that appending leaf number `size` merges with."""
    return [(level, (size >> level) - 1) for level in range(_trailing_ones(size))]


def nodes_after_append(size: int, leaf_hash: bytes, node: NodeReader) -> list[Node]:
    """Return what to store when leaf number `size` is appended: (level, index, hash) of the leaf
    and of every parent it completes, reading the keys of append_nodes_needed(size)."""
    return _completed(size, leaf_hash, [node(*key) for key in append_nodes_needed(size)])


# -- proofs ------------------------------------------------------------------------------------

def _split(n: int) -> int:
    """Return RFC 9162's k for n > 1: the largest power of two smaller than n."""
    return 1 << ((n - 1).bit_length() - 1)


def _inclusion_ranges(index: int, size: int) -> list[tuple[int, int]]:
    """Return the leaf ranges whose hashes form PATH(index, D[0:size]), bottom up."""
    if not 0 <= index < size:
        raise ValueError(f"leaf index {index} is not in a tree of size {size}")
    ranges = []
    start, end = 0, size
    while end - start > 1:
        middle = start + _split(end - start)
        if index < middle:
            ranges.append((middle, end))
            end = middle
        else:
            ranges.append((start, middle))
            start = middle
    return ranges[::-1]


def _consistency_ranges(old: int, new: int) -> list[tuple[int, int]]:
    """Return the leaf ranges whose hashes form PROOF(old, D[0:new]), bottom up."""
    if not 0 <= old <= new:
        raise ValueError(f"sizes must satisfy 0 <= old <= new, got old={old}, new={new}")
    if old in (0, new):
        return []
    ranges = []
    start, end, known = 0, new, True  # known: SUBPROOF's b, the old root is this whole subtree
    while old != end:
        middle = start + _split(end - start)
        if old <= middle:
            ranges.append((middle, end))
            end = middle
        else:
            ranges.append((start, middle))
            start, known = middle, False
    if not known:
        ranges.append((start, end))
    return ranges[::-1]


def _keys(ranges: Iterable[tuple[int, int]]) -> set[NodeKey]:
    return {key for start, end in ranges for key in range_nodes(start, end)}


def inclusion_nodes(index: int, size: int) -> set[NodeKey]:
    """Return the keys inclusion_proof(index, size, node) reads. Raises ValueError unless
    0 <= index < size."""
    return _keys(_inclusion_ranges(index, size))


def consistency_nodes(old: int, new: int) -> set[NodeKey]:
    """Return the keys consistency_proof(old, new, node) reads. Raises ValueError unless
    0 <= old <= new."""
    return _keys(_consistency_ranges(old, new))


def inclusion_proof(index: int, size: int, node: NodeReader) -> list[bytes]:
    """Return the RFC 9162 §2.1.3.1 inclusion proof of leaf `index` in the tree of `size` leaves.
    Raises ValueError unless 0 <= index < size."""
    return [subtree_hash(start, end, node) for start, end in _inclusion_ranges(index, size)]


def consistency_proof(old: int, new: int, node: NodeReader) -> list[bytes]:
    """Return the RFC 9162 §2.1.4.1 consistency proof from `old` to `new` leaves (empty when
    old is 0 or equals new). Raises ValueError unless 0 <= old <= new."""
    return [subtree_hash(start, end, node) for start, end in _consistency_ranges(old, new)]


# -- verification ------------------------------------------------------------------------------

def _check_size(what: str, value: bytes) -> None:
    if len(value) != HASH_SIZE:
        raise ProofError(f"{what} must be {HASH_SIZE} bytes, got {len(value)}")


def _check_match(what: str, expected: bytes, computed: bytes) -> None:
    if computed != expected:
        raise ProofError(f"expected {what} {expected.hex()}, computed {computed.hex()} from the "
                         "proof")


def _inclusion_length_error(leaf_index: int, tree_size: int, got: int) -> ProofError:
    expected = len(_inclusion_ranges(leaf_index, tree_size))
    return ProofError(f"expected {expected} proof hashes for leaf {leaf_index} in a tree of size "
                      f"{tree_size}, got {got}")


def _consistency_length_error(size1: int, size2: int, got: int) -> ProofError:
    expected = len(_consistency_ranges(size1, size2))
    return ProofError(f"expected {expected} proof hashes from size {size1} to {size2}, got {got}")


def verify_inclusion(leaf_index: int, tree_size: int, leaf_hash: bytes, proof: Sequence[bytes],
                     root: bytes) -> None:
    """Return None if `proof` shows `leaf_hash` is leaf `leaf_index` of the tree with `root`.

    Raises ProofError for an index outside the tree, a hash that is not 32 bytes, a proof of the
    wrong length, or a root that does not match (RFC 9162 §2.1.3.2).
    """
    if not 0 <= leaf_index < tree_size:
        raise ProofError(f"leaf index {leaf_index} is not in a tree of size {tree_size}")
    _check_size("the leaf hash", leaf_hash)
    _check_size("the root", root)
    for item in proof:
        _check_size("each proof hash", item)
    fn, sn, r = leaf_index, tree_size - 1, leaf_hash
    for p in proof:
        if sn == 0:
            raise _inclusion_length_error(leaf_index, tree_size, len(proof))
        if fn & 1 or fn == sn:
            r = node_hash(p, r)
            while fn and not fn & 1:
                fn, sn = fn >> 1, sn >> 1
        else:
            r = node_hash(r, p)
        fn, sn = fn >> 1, sn >> 1
    if sn != 0:
        raise _inclusion_length_error(leaf_index, tree_size, len(proof))
    _check_match("root", root, r)


def verify_consistency(size1: int, size2: int, root1: bytes, root2: bytes,
                       proof: Sequence[bytes]) -> None:
    """Return None if `proof` shows the tree of `size1` leaves with `root1` is a prefix of the
    tree of `size2` leaves with `root2`.

    Raises ProofError if size1 > size2, for a non-empty proof when size1 is 0 or equals size2,
    for unequal roots when the sizes are equal, for a root1 other than EMPTY_ROOT when size1 is 0,
    for a hash that is not 32 bytes, a proof of the wrong length, or a root that does not match
    (RFC 9162 §2.1.4.2).
    """
    if not 0 <= size1 <= size2:
        raise ProofError(f"sizes must satisfy 0 <= size1 <= size2, got {size1} and {size2}")
    if proof and size1 in (0, size2):
        raise ProofError(f"expected an empty proof from size {size1} to {size2}, got "
                         f"{len(proof)} hashes")
    if size1 == 0 and root1 != EMPTY_ROOT:
        raise ProofError(f"expected root1 of the empty tree {EMPTY_ROOT.hex()}, got {root1.hex()}")
    if size1 == size2:
        # Compared as given: transparency-dev's vectors accept equal roots of any length here.
        if root2 != root1:
            raise ProofError(f"expected root2 equal to root1 {root1.hex()} for equal sizes, got "
                             f"{root2.hex()}")
        return
    _check_size("root2", root2)
    if size1 == 0:
        return
    _check_size("root1", root1)
    for item in proof:
        _check_size("each proof hash", item)
    if not proof:
        raise _consistency_length_error(size1, size2, 0)
    path = [root1, *proof] if size1 & (size1 - 1) == 0 else list(proof)
    fn, sn = size1 - 1, size2 - 1
    while fn & 1:
        fn, sn = fn >> 1, sn >> 1
    fr = sr = path[0]
    for c in path[1:]:
        if sn == 0:
            raise _consistency_length_error(size1, size2, len(proof))
        if fn & 1 or fn == sn:
            fr, sr = node_hash(c, fr), node_hash(c, sr)
            while fn and not fn & 1:
                fn, sn = fn >> 1, sn >> 1
        else:
            sr = node_hash(sr, c)
        fn, sn = fn >> 1, sn >> 1
    if sn != 0:
        raise _consistency_length_error(size1, size2, len(proof))
    _check_match("root1", root1, fr)
    _check_match("root2", root2, sr)
