"""Password hashes: Argon2id (argon2-cffi's RFC 9106 low-memory profile), at most a few at once.

Each hash takes 64 MiB for ~50 ms. Unbounded, 16–32 concurrent bad logins pushed one process
from 145 MiB to 1.1 GiB and public pages from 20 ms to 2–3 s; so every hash and verification
of a process waits for one of HASH_SLOTS, and gives up with HashingBusy after HASH_WAIT seconds.
"""
from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager

from argon2 import PasswordHasher, Type
from argon2.exceptions import InvalidHashError, VerificationError

from portal.kernel.errors import ServiceError
from portal.kernel.messages import say

HASHER = PasswordHasher(type=Type.ID)  # named, though it is the default: Argon2id is the point
HASH_SLOTS = 2
HASH_WAIT = 10.0  # seconds
MIN_PASSWORD = 8
MAX_PASSWORD = 200
_slots = threading.BoundedSemaphore(HASH_SLOTS)
# Verified against when the username is unknown, so both paths cost one argon2 hash.
_DUMMY_HASH = HASHER.hash("not-a-real-password")


class HashingBusy(ServiceError):
    """Every hashing slot stayed taken for HASH_WAIT seconds: too many logins at once."""

    def __init__(self) -> None:
        super().__init__("同时登录的人太多，请稍等片刻再试")

    def __reduce__(self) -> tuple[type[HashingBusy], tuple[()]]:
        # Its message is not an argument: rebuilt from nothing, or unpickling raises TypeError.
        return type(self), ()


@contextmanager
def hashing_slot() -> Iterator[None]:
    """Holds one of this process's HASH_SLOTS; raises HashingBusy when none frees in time."""
    if not _slots.acquire(timeout=HASH_WAIT):
        raise HashingBusy()
    try:
        yield
    finally:
        _slots.release()


def hash_password(password: str) -> str:
    """The Argon2id hash of `password` (HashingBusy when the slots stay taken)."""
    with hashing_slot():
        return HASHER.hash(password)


def verify_password(password_hash: str | None, password: str) -> bool:
    """Whether `password` matches the hash; None (no such account) costs a hash too."""
    with hashing_slot():
        try:
            return HASHER.verify(password_hash or _DUMMY_HASH, password) and password_hash is not None
        except (VerificationError, InvalidHashError):
            return False


def needs_rehash(password_hash: str) -> bool:
    """Whether the hash is of another type (argon2i, argon2d) or older parameters than HASHER's."""
    try:
        return HASHER.check_needs_rehash(password_hash)
    except InvalidHashError:
        return True


def password_problem(password: str, username: str = "") -> str | None:
    """Why a new password is refused (Chinese), or None. Length is what counts (ASVS V6.2):
    no composition rules, spaces and any characters allowed."""
    if len(password) < MIN_PASSWORD:
        return say("密码至少 %(least)s 位", least=MIN_PASSWORD)
    if len(password) > MAX_PASSWORD:
        return say("密码不能超过 %(most)s 位", most=MAX_PASSWORD)
    if username and password.strip().lower() == username.strip().lower():
        return "密码不能与用户名相同"
    if len(set(password)) < 3:
        return "密码太简单：请不要只用一两个重复的字符"
    return None
