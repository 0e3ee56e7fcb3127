"""What the township's pages show: every village with its accounts, and the township's own."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session, raiseload

from portal.accounts.models import User
from portal.accounts.services import find_user
from portal.contracts.arrears import ArrearsRow, arrears_list
from portal.contracts.models import Contract, ContractStatus
from portal.contracts.rent import add_months
from portal.kernel.errors import NotFound
from portal.kernel.messages import say
from portal.kernel.transaction import Backend
from portal.township import figures, kept
from portal.township.figures import VillageFigures
from portal.township.models import Township
from portal.township.ranking import Quarter, RankRow, parse_quarter, ranking
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


# ---- the township's figures ------------------------------------------------------------------

@dataclass(frozen=True)
class Scope:
    """The villages a township account oversees: its township's, or every village when the
    account has no township (accounts made before townships had codes)."""

    township: Township | None
    villages: list[Village]


def _scope(session: Session, township_code: str | None) -> Scope:
    township = session.get(Township, township_code) if township_code else None
    query = select(Village).order_by(Village.code)
    if township_code:
        query = query.where(Village.township == (township.name if township else None))
    return Scope(township, list(session.scalars(query)))


@dataclass(frozen=True)
class FiguresPage:
    scope: Scope
    rows: list[VillageFigures]
    totals: dict[str, Any]
    today: date


def township_figures(backend: Backend, township_code: str | None, sort: str) -> FiguresPage:
    """各村一览 of the account's township, sorted by `sort` (BadSort for an unknown column)."""
    today = backend.today()
    with backend.db.read() as session:
        scope = _scope(session, township_code)
        found, fresh = kept.counted(session, scope.villages, today)
        rows = figures.sort_rows(figures.village_figures(session, scope.villages, found), sort)
    kept.keep(backend, fresh)
    return FiguresPage(scope, rows, figures.totals(rows), today)


@dataclass(frozen=True)
class VillageDetail:
    village: Village
    row: VillageFigures
    expiring: list[Contract]
    arrears: list[ArrearsRow]
    today: date


def village_detail(backend: Backend, township_code: str | None, code: str) -> VillageDetail:
    """One village's figures with its expiring contracts and its arrears; NotFound (404) for a
    village not in the account's township."""
    today = backend.today()
    with backend.db.read() as session:
        scope = _scope(session, township_code)
        village = next((v for v in scope.villages if v.code == code), None)
        if village is None:
            raise NotFound(say("没有找到村“%(code)s”", code=code))
        found, fresh = kept.counted(session, [village], today)
        row = figures.village_figures(session, [village], found)[0]
        expiring = list(session.scalars(
            select(Contract).where(Contract.village_id == village.id, Contract.status == ContractStatus.ACTIVE,
                                   Contract.start_date <= today, Contract.end_date >= today,
                                   Contract.end_date <= add_months(today, figures.EXPIRING_MONTHS))
            .order_by(Contract.end_date, Contract.number).options(raiseload("*"))))
        owing = arrears_list(session, village.id, today)
    kept.keep(backend, fresh)
    return VillageDetail(village, row, expiring, owing, today)


@dataclass(frozen=True)
class RankingPage:
    township: Township
    quarter: Quarter
    rows: list[RankRow]
    today: date
    as_of: date


def township_ranking(backend: Backend, code: str, quarter_text: str | None) -> RankingPage:
    """每季一晾晒 of township `code` (NotFound: 404); BadQuarter for a bad ?q=."""
    today = backend.today()
    with backend.db.read() as session:
        township = session.get(Township, code)
        if township is None:
            raise NotFound(say("没有找到乡镇“%(code)s”", code=code))
        quarter = parse_quarter(quarter_text, today)
        scope = _scope(session, township.code)
        rows = ranking(session, scope.villages, quarter, today)
    return RankingPage(township, quarter, rows, today, min(quarter.end, today))
