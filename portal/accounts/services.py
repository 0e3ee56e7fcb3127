"""Accounts and passwords (argon2, verified and rehashed at login)."""
from __future__ import annotations

import re

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy import select

from portal.accounts.models import Role, User
from portal.kernel.errors import ValidationError
from portal.kernel.transaction import Actor, Backend
from portal.kernel.validate import Checker
from portal.villages.models import Village

USERNAME_PATTERN = re.compile(r"^[a-z0-9][a-z0-9._-]{2,63}$")
MIN_PASSWORD = 8
HASHER = PasswordHasher()
# Verified against when the username is unknown, so both paths cost one argon2 hash.
_DUMMY_HASH = HASHER.hash("not-a-real-password")


def create_user(backend: Backend, actor: Actor, *, username: str, display_name: str, password: str,
                role: Role | str, village_code: str | None) -> User:
    """Creates an account; staff and committee accounts are logged in their village's log."""
    check = Checker()
    username = check.text("username", username, "用户名", max_len=64)
    if username and not USERNAME_PATTERN.match(username):
        check.fail("username", "用户名只能用小写字母、数字和 . _ -，3–64 个字符")
    display_name = check.text("display_name", display_name, "姓名", max_len=64)
    if len(password or "") < MIN_PASSWORD:
        check.fail("password", f"密码至少 {MIN_PASSWORD} 位")
    role_value = check.choice("role", role, "角色", Role)
    if role_value in (Role.STAFF, Role.COMMITTEE) and not village_code:
        check.fail("village", "村干部和监委会成员必须属于一个村")
    check.done()
    log = village_code or "_township"
    with backend.change(log, actor, "user.create") as change:
        if change.session.scalar(select(User.id).where(User.username == username)):
            raise ValidationError({"username": f"用户名“{username}”已被使用"})
        village: Village | None = change.village() if village_code else None
        user = User(username=username, display_name=display_name, password_hash=HASHER.hash(password),
                    role=role_value, village_id=village.id if village else None, created_at=change.now())
        change.session.add(user)
        if village is not None:
            change.record("user.create", user)
        else:
            change.session.flush()
    return user


def authenticate(backend: Backend, username: str, password: str) -> User | None:
    """The active user with this password, or None; upgrades an outdated hash in place."""
    with backend.db.read() as session:
        user = session.scalar(select(User).where(User.username == (username or "").strip()))
        try:
            HASHER.verify(user.password_hash if user else _DUMMY_HASH, password or "")
        except (VerificationError, InvalidHashError):
            return None
        if user is None or not user.active:
            return None
        needs_rehash = HASHER.check_needs_rehash(user.password_hash)
        user_id = user.id
    if needs_rehash:
        with backend.db.write("_accounts") as session:
            row = session.get(User, user_id)
            if row is not None:
                row.password_hash = HASHER.hash(password)
    with backend.db.read() as session:
        return session.get(User, user_id)


def load_user(backend: Backend, user_id: str) -> User | None:
    if not user_id.isdigit():
        return None
    with backend.db.read() as session:
        user = session.get(User, int(user_id))
        if user is not None and user.village_id:
            user.village  # loaded now: the session closes before the request uses it
        return user


def actor_for(user: User) -> Actor:
    return Actor(user.username, user.role.value, user.id, user.village.code if user.village else None)
