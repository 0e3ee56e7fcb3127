"""成效 — what the village's records show the consolidation changed, computed from the data:
the rent per 亩 of the leases begun before the first awarded tender against those begun since,
and the rent the collective received each year with its change."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import ROUND_HALF_UP, Decimal

from sqlalchemy import func, select

from portal.contracts.models import Contract, ContractStatus, RentUnit
from portal.kernel.status import RecordStatus
from portal.kernel.transaction import Backend
from portal.receipts.models import Receipt
from portal.tenders.models import Tender, TenderStatus
from portal.villages.services import find_village

YEARS_SHOWN = 4


@dataclass(frozen=True)
class YearIncome:
    year: int
    amount: Decimal
    change: Decimal | None  # percent against the year before, one decimal; None for the first


@dataclass(frozen=True)
class Outcomes:
    since: date | None              # when the first awarded tender's leases began
    rent_before: Decimal | None     # 元/亩/年, weighted by area
    rent_after: Decimal | None
    rent_change: Decimal | None     # percent
    area_after: Decimal
    income: list[YearIncome]


def percent(new: Decimal, old: Decimal) -> Decimal | None:
    if not old:
        return None
    return ((new - old) * 100 / old).quantize(Decimal("0.1"), ROUND_HALF_UP)


def _weighted(contracts: list[Contract]) -> tuple[Decimal | None, Decimal]:
    area = sum((c.total_area for c in contracts), Decimal(0))
    if not area:
        return None, area
    return (sum((c.rent_rate * c.total_area for c in contracts), Decimal(0)) / area).quantize(
        Decimal("0.01"), ROUND_HALF_UP), area


def outcomes(backend: Backend, code: str, as_of: date) -> Outcomes:
    with backend.db.read() as session:
        village = find_village(session, code)
        since = session.scalar(select(func.min(Tender.term_start)).where(
            Tender.village_id == village.id, Tender.status == TenderStatus.AWARDED))
        before = after = None
        change = None
        area_after = Decimal(0)
        if since is not None:
            leases = list(session.scalars(select(Contract).where(
                Contract.village_id == village.id, Contract.status != ContractStatus.WITHDRAWN,
                Contract.rent_unit == RentUnit.PER_MU_YEAR)))
            before, _ = _weighted([c for c in leases if c.start_date < since])
            after, area_after = _weighted([c for c in leases if c.start_date >= since])
            change = percent(after, before) if before and after else None
        totals = session.execute(select(Receipt.received_on, Receipt.amount).where(
            Receipt.village_id == village.id, Receipt.status == RecordStatus.ACTIVE,
            Receipt.received_on < date(as_of.year, 1, 1))).all()
        by_year: dict[int, Decimal] = {}
        for day, amount in totals:
            by_year[day.year] = by_year.get(day.year, Decimal("0.00")) + amount
        years = sorted(by_year)[-(YEARS_SHOWN + 1):]
        income = [YearIncome(y, by_year[y], percent(by_year[y], by_year[years[i - 1]]) if i else None)
                  for i, y in enumerate(years)][-YEARS_SHOWN:]
        return Outcomes(since, before, after, change, area_after, income)
