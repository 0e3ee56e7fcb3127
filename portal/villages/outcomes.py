"""成效 — what the village's records show the consolidation changed, computed from the data:
the rent per 亩 of the leases begun before the first awarded tender against those begun since,
and the rent the collective received each year with its change."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import ROUND_HALF_UP, Decimal

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from portal.contracts.models import ContractStatus, RentUnit
from portal.contracts.reads import ContractLine
from portal.kernel.status import RecordStatus
from portal.receipts.models import Receipt
from portal.tenders.models import Tender, TenderStatus

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
    received_this_year: Decimal     # up to the day asked about


def percent(new: Decimal, old: Decimal) -> Decimal | None:
    if not old:
        return None
    return ((new - old) * 100 / old).quantize(Decimal("0.1"), ROUND_HALF_UP)


def _weighted(contracts: list[ContractLine]) -> tuple[Decimal | None, Decimal]:
    area = sum((c.total_area for c in contracts), Decimal(0))
    if not area:
        return None, area
    return (sum((c.rent_rate * c.total_area for c in contracts), Decimal(0)) / area).quantize(
        Decimal("0.01"), ROUND_HALF_UP), area


def outcomes(session: Session, village_id: int, contracts: list[ContractLine], as_of: date) -> Outcomes:
    """The figures, from the village's contract lines (as the village page reads them) and two
    queries: when the first awarded tender's leases began, and the receipts' totals per year."""
    since = session.scalar(select(func.min(Tender.term_start)).where(
        Tender.village_id == village_id, Tender.status == TenderStatus.AWARDED))
    before = after = change = None
    area_after = Decimal(0)
    if since is not None:
        leases = [c for c in contracts if c.status is not ContractStatus.WITHDRAWN
                  and c.rent_unit is RentUnit.PER_MU_YEAR]
        before, _ = _weighted([c for c in leases if c.start_date < since])
        after, area_after = _weighted([c for c in leases if c.start_date >= since])
        change = percent(after, before) if before and after else None
    received = received_by_year(session, village_id, as_of)
    by_year = {y: total for y, total in received.items() if y < as_of.year}  # whole years only
    years = sorted(by_year)[-(YEARS_SHOWN + 1):]
    income = [YearIncome(y, by_year[y], percent(by_year[y], by_year[years[i - 1]]) if i else None)
              for i, y in enumerate(years)][-YEARS_SHOWN:]
    return Outcomes(since, before, after, change, area_after, income, received.get(as_of.year, Decimal("0.00")))


def received_by_year(session: Session, village_id: int, as_of: date) -> dict[int, Decimal]:
    """Active receipts' totals per calendar year, up to and including `as_of`, in one query."""
    year = func.extract("year", Receipt.received_on)
    return {int(y): Decimal(total) for y, total in session.execute(
        select(year, func.sum(Receipt.amount)).where(
            Receipt.village_id == village_id, Receipt.status == RecordStatus.ACTIVE,
            Receipt.received_on <= as_of).group_by(year))}
