"""Accounts and passwords (argon2, verified and rehashed at login)."""
from __future__ import annotations

import re
from dataclasses import dataclass

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy import select

from portal.accounts.models import Role, User
from portal.kernel.errors import ValidationError
from portal.kernel.transaction import Actor, Backend
from portal.kernel.validate import Checker

USERNAME_PATTERN = re.compile(r"^[a-z0-9][a-z0-9._-]{2,63}$")
MIN_PASSWORD = 8
HASHER = PasswordHasher()
# Verified against when the username is unknown, so both paths cost one argon2 hash.
_DUMMY_HASH = HASHER.hash("not-a-real-password")


@dataclass
class UserInput:
    """An account as it is created: `role` a Role value ("staff", "committee", "township"; a Role
    is one too), `village_code` the village of a staff or committee account (None for the
    township). The service checks every field and converts the role (ValidationError with a
    message each); the password is stored only as its argon2 hash."""

    username: str
    display_name: str
    password: str
    role: str
    village_code: str | None = None


def create_user(backend: Backend, actor: Actor, data: UserInput) -> User:
    """Creates an account; staff and committee accounts are logged in their village's log."""
    check = Checker()
    username = check.text("username", data.username, "用户名", max_len=64)
    if username and not USERNAME_PATTERN.match(username):
        check.fail("username", "用户名只能用小写字母、数字和 . _ -，3–64 个字符")
    display_name = check.text("display_name", data.display_name, "姓名", max_len=64)
    if len(data.password or "") < MIN_PASSWORD:
        check.fail("password", f"密码至少 {MIN_PASSWORD} 位")
    role = check.choice("role", data.role, "角色", Role)
    if role in (Role.STAFF, Role.COMMITTEE) and not data.village_code:
        check.fail("village", "村干部和监委会成员必须属于一个村")
    role = check.result(role)
    log = data.village_code or "_township"
    with backend.change(log, actor, "user.create") as change:
        if change.session.scalar(select(User.id).where(User.username == username)):
            raise ValidationError({"username": f"用户名“{username}”已被使用"})
        village_id = change.village().id if data.village_code else None
        user = User(username=username, display_name=display_name, password_hash=HASHER.hash(data.password),
                    role=role, village_id=village_id, created_at=change.now())
        change.session.add(user)
        if village_id is not None:
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
