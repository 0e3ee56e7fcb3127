"""Accounts: creating them, logging in (throttled, Argon2id, rehashed when outdated), and what
the township does to them (reset a password, disable, enable), each an entry of the account's log.

Staff and committee accounts are logged in their village's log; township accounts in the log
TOWNSHIP_LOG. Password hashes never go into any log (User.public_state leaves them out).
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field

from sqlalchemy import select
from sqlalchemy.orm import Session

from portal.accounts import throttle
from portal.accounts.models import TOWNSHIP_LOG, Role, User
from portal.accounts.passwords import HashingBusy, hash_password, needs_rehash, password_problem, verify_password
from portal.accounts.sessions import end_sessions
from portal.auditlog.models import AuditEntry
from portal.kernel.errors import NotFound, PermissionDenied, ValidationError
from portal.kernel.messages import say
from portal.kernel.transaction import SYSTEM, Actor, Backend
from portal.kernel.validate import REASON_MAX, Checker
from portal.township.models import Township
from portal.villages.models import Village

USERNAME_PATTERN = re.compile(r"^[a-z0-9][a-z0-9._-]{2,63}$")


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
    township_code: str | None = None  # the township a township account oversees (None: all)


@dataclass
class LoginAttempt:
    """Who tries to log in, from where; `limits` are the throttle's."""

    username: str
    password: str
    address: str
    limits: throttle.Limits = field(default_factory=throttle.Limits)


def create_user(backend: Backend, actor: Actor, data: UserInput) -> User:
    """Creates an account and logs `user.create` in its log (its village's, or the township's)."""
    check = Checker()
    username = check.text("username", data.username, "用户名", max_len=64)
    if username and not USERNAME_PATTERN.match(username):
        check.fail("username", say("用户名只能用小写字母、数字和 . _ -，3–64 个字符"))
    display_name = check.text("display_name", data.display_name, "姓名", max_len=64)
    problem = password_problem(data.password or "", username)
    if problem:
        check.fail("password", problem)
    role = check.choice("role", data.role, "角色", Role)
    village_code = (data.village_code or "").strip() or None
    if role in (Role.STAFF, Role.COMMITTEE) and not village_code:
        check.fail("village", say("村干部和监委会成员必须属于一个村"))
    if role is Role.TOWNSHIP and village_code:
        check.fail("village", say("镇干部账号不属于任何村"))
    township_code = (data.township_code or "").strip() or None
    if township_code and role is not Role.TOWNSHIP:
        check.fail("township", say("只有镇干部账号属于乡镇"))
    role = check.result(role)
    password_hash = hash_password(data.password)  # before the transaction: it holds the log's lock
    with backend.change(village_code or TOWNSHIP_LOG, actor, "user.create") as change:
        if change.session.scalar(select(User.id).where(User.username == username)):
            raise ValidationError({"username": say("用户名“%(username)s”已被使用", username=username)})
        village_id = change.village().id if village_code else None
        if township_code and change.session.get(Township, township_code) is None:
            raise ValidationError({"township": say("没有编码为“%(code)s”的乡镇", code=township_code)})
        user = User(username=username, display_name=display_name, password_hash=password_hash,
                    role=role, village_id=village_id, township_code=township_code, created_at=change.now())
        change.session.add(user)
        change.record("user.create", user)
    return user


def log_of(session: Session, user: User) -> str:
    """The log an account's changes go into: its village's, or TOWNSHIP_LOG."""
    if user.village_id is None:
        return TOWNSHIP_LOG
    code: str = session.scalars(select(Village.code).where(Village.id == user.village_id)).one()
    return code


def authenticate(backend: Backend, attempt: LoginAttempt) -> User | None:
    """The active account with this password, or None (the failure is counted).

    Raises TooManyFailedLogins, before any hash is computed, while the account or the address
    is over its limit (even for the right password), and HashingBusy when too many hashes run.
    An outdated hash (another argon2 type, older parameters) is replaced in place.
    """
    db = backend.db
    attempt_id = throttle.begin_attempt(db, attempt.limits, attempt.username, attempt.address, backend.clock())
    with db.read() as session:
        user = session.scalar(select(User).where(User.username == (attempt.username or "").strip()))
        log = log_of(session, user) if user is not None else None
    try:
        ok = verify_password(user.password_hash if user else None, attempt.password or "")
    except BaseException:
        throttle.forgive(db, attempt_id, None)  # not checked at all: not a failure
        raise
    if not ok or user is None or log is None or not user.active:
        return None
    throttle.forgive(db, attempt_id, user.username)
    if needs_rehash(user.password_hash):
        _rehash(backend, log, user, attempt.password)
    loaded = load_user(backend, user.id)
    # changed since the password was checked (reset, disabled): that password no longer opens it
    return loaded if loaded is not None and loaded.version == user.version and loaded.active else None


def _rehash(backend: Backend, log: str, user: User, password: str) -> None:
    """Stores the password's hash by today's parameters, under the lock of the account's log. No
    entry: the hash is not public state, and the version stays. Skipped when the hashing slots
    are busy (the next login will do it)."""
    try:
        new_hash = hash_password(password)
    except HashingBusy:
        return
    with backend.db.write(log) as session:
        row = session.get(User, user.id)
        if row is not None and row.password_hash == user.password_hash:
            row.password_hash = new_hash


def load_user(backend: Backend, user_id: int) -> User | None:
    with backend.db.read() as session:
        user = session.get(User, user_id)
        if user is not None and user.village_id:
            user.village  # loaded now: the session closes before the request uses it
        return user


def find_user(session: Session, username: str) -> User:
    user = session.scalar(select(User).where(User.username == username))
    if user is None:
        raise NotFound(say("没有用户名为“%(username)s”的账号", username=username))
    return user


def _account_change(backend: Backend, actor: Actor, username: str, action: str, reason: str | None,
                    apply: dict[str, object]) -> User:
    """One logged change of an account (a new version): sets `apply`, ends its sessions."""
    with backend.db.read() as session:
        log = log_of(session, find_user(session, username))
    with backend.change(log, actor, action) as change:
        user = find_user(change.session, username)
        _refuse_self(actor, user)
        for name, value in apply.items():
            setattr(user, name, value)
        user.version += 1
        end_sessions(change.session, user.id)
        change.record(action, user, reason)
    return user


def _refuse_self(actor: Actor, user: User) -> None:
    if actor.user_id is not None and actor.user_id == user.id:
        raise PermissionDenied(say("不能在这里修改自己的账号：请用“修改密码”"))


def reset_password(backend: Backend, actor: Actor, username: str, new_password: str) -> User:
    """The township (or the system) sets a new password: logged as `user.reset_password`, every
    session of the account ends, and its failed logins are forgotten."""
    problem = password_problem(new_password or "", username)
    if problem:
        raise ValidationError({"password": problem})
    user = _account_change(backend, actor, username, "user.reset_password", None,
                           {"password_hash": hash_password(new_password)})
    throttle.clear_failures(backend.db, username)
    return user


def set_active(backend: Backend, actor: Actor, username: str, active: bool, reason: str) -> User:
    """Disables (`user.disable`, every session ends) or re-enables (`user.enable`) an account;
    the reason is required and logged."""
    check = Checker()
    reason = check.text("reason", reason, "原因", max_len=REASON_MAX)
    check.done()
    with backend.db.read() as session:
        if find_user(session, username).active == active:
            raise ValidationError({"reason": say("该账号已是启用状态") if active else say("该账号已是停用状态")})
    return _account_change(backend, actor, username, "user.enable" if active else "user.disable", reason,
                           {"active": active})


def change_password(backend: Backend, actor: Actor, old_password: str, new_password: str,
                    address: str, limits: throttle.Limits | None = None) -> User:
    """The logged-in account changes its own password (the old one required, and throttled like
    a login): logged as `user.change_password`; every session of the account ends (the caller
    starts a new one). Raises ValidationError, TooManyFailedLogins or HashingBusy."""
    if actor.user_id is None:
        raise PermissionDenied(say("请先登录"))
    with backend.db.read() as session:
        user = session.get(User, actor.user_id)
        if user is None:
            raise NotFound(say("账号不存在"))
        log, current_hash = log_of(session, user), user.password_hash
    check = Checker()
    attempt = throttle.begin_attempt(backend.db, limits or throttle.Limits(), actor.username, address, backend.clock())
    try:
        right = verify_password(current_hash, old_password or "")
    except BaseException:
        throttle.forgive(backend.db, attempt, None)
        raise
    if right:
        throttle.forgive(backend.db, attempt, actor.username)
    else:
        check.fail("old_password", say("原密码不正确"))
    problem = password_problem(new_password or "", actor.username)
    if problem:
        check.fail("new_password", problem)
    elif old_password == new_password:
        check.fail("new_password", say("新密码不能与原密码相同"))
    check.done()
    new_hash = hash_password(new_password)
    with backend.change(log, actor, "user.change_password") as change:
        row = change.session.get(User, actor.user_id)
        if row is None or row.password_hash != current_hash:  # changed meanwhile: ask again
            raise ValidationError({"old_password": say("原密码不正确")})
        row.password_hash = new_hash
        row.version += 1
        end_sessions(change.session, row.id)
        change.record("user.change_password", row)
    return row


def log_unlogged_township_accounts(backend: Backend) -> list[str]:
    """Logs `user.create` (by the system, with a reason saying so) for every township account
    made before township accounts had a log; returns their usernames. Safe to repeat."""
    with backend.db.read() as session:
        logged = set(session.scalars(select(AuditEntry.entity_id).where(
            AuditEntry.log == TOWNSHIP_LOG, AuditEntry.entity == "user")))
        unlogged = [u.username for u in session.scalars(select(User).where(User.village_id.is_(None)).order_by(User.id))
                    if str(u.id) not in logged]
    for username in unlogged:
        with backend.change(TOWNSHIP_LOG, SYSTEM, "user.create") as change:
            user = find_user(change.session, username)
            if change.session.scalar(select(AuditEntry.id).where(  # logged meanwhile by another process
                    AuditEntry.log == TOWNSHIP_LOG, AuditEntry.entity == "user", AuditEntry.entity_id == str(user.id))):
                continue
            change.record("user.create", user, "补记：账号建立于镇干部账号入日志之前")
    return unlogged


def actor_for(user: User) -> Actor:
    village = user.village.code if user.village_id and user.village else None  # no lazy load when None
    return Actor(user.username, user.role.value, user.id, village)
