"""Sealed-bid commitments (密封报价承诺值): the exact bytes hashed, documented in docs/tenders.md.

    commitment = hex(SHA-256(UTF-8("{amount}|{village}/{tender}/{bidder}|{nonce}")))

`amount` is the bid in 元/亩/年 with exactly two decimal places and no grouping ("523.00");
`village` the village code, `tender` the tender number, `bidder` the bidder's registration
number in the tender (a decimal integer); `nonce` 32 lowercase hexadecimal characters (128
random bits). None of the parts can hold "|", so the bytes name one bid only; the village,
tender and bidder are inside, so a commitment cannot be replayed on another tender or bidder.
"""
from __future__ import annotations

import hashlib
import re
import secrets
from decimal import Decimal

NONCE = re.compile(r"^[0-9a-f]{32}$")
COMMITMENT = re.compile(r"^[0-9a-f]{64}$")


def canonical_amount(amount: Decimal) -> str:
    """523 → "523.00": the amount as the commitment's bytes hold it."""
    return f"{amount.quantize(Decimal('0.01')):f}"


def commitment_bytes(amount: Decimal, village: str, tender: str, bidder: int, nonce: str) -> bytes:
    return f"{canonical_amount(amount)}|{village}/{tender}/{bidder}|{nonce}".encode()


def commit(amount: Decimal, village: str, tender: str, bidder: int, nonce: str) -> str:
    """The lowercase hex SHA-256 commitment to one sealed bid."""
    return hashlib.sha256(commitment_bytes(amount, village, tender, bidder, nonce)).hexdigest()


def new_nonce() -> str:
    return secrets.token_hex(16)
