"""What the township's pages show: every village with its accounts, and the township's own."""
from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select

from portal.accounts.models import User
from portal.accounts.services import find_user
from portal.kernel.transaction import Backend
from portal.villages.models import Village
from portal.villages.services import find_village, list_villages


@dataclass(frozen=True)
class VillageAccounts:
    village: Village
    accounts: list[User]


@dataclass(frozen=True)
class Overview:
    villages: list[VillageAccounts]
    township: list[User]  # accounts of no village


def overview(backend: Backend) -> Overview:
    """Every village (by code) with its accounts (by username), then the township's accounts."""
    with backend.db.read() as session:
        users = list(session.scalars(select(User).order_by(User.username)))
        by_village: dict[int | None, list[User]] = {}
        for user in users:
            by_village.setdefault(user.village_id, []).append(user)
        villages = [VillageAccounts(v, by_village.get(v.id, [])) for v in list_villages(session)]
        return Overview(villages, by_village.get(None, []))


def village(backend: Backend, code: str) -> Village:
    """The village (NotFound: 404)."""
    with backend.db.read() as session:
        return find_village(session, code)


def account(backend: Backend, username: str) -> User:
    """The account with its village loaded (NotFound: 404)."""
    with backend.db.read() as session:
        user = find_user(session, username)
        if user.village_id:
            user.village  # loaded before the session closes
        return user
