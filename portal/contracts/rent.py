"""Rent terms and the payment schedule (缴款计划) they imply; pure functions, no database."""
from __future__ import annotations

import calendar
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal

from portal.kernel.money import round_fen

UNITS = {"mu_year": "元/亩/年", "m2_month": "元/㎡/月"}


@dataclass(frozen=True)
class RentTerms:
    start: date
    end: date                      # inclusive: 2020-01-01 至 2029-12-31
    rate: Decimal                  # 元 per unit
    unit: str                      # "mu_year" or "m2_month"
    area: Decimal                  # 亩 or ㎡ leased
    escalation_percent: Decimal = Decimal(0)
    escalation_every_years: int = 0
    interval_months: int = 12
    share_percent: Decimal = Decimal(0)          # 保底 + 分成: the share of declared revenue
    revenues: dict[int, Decimal] = field(default_factory=dict)  # declared revenue by calendar year
    rent_free: bool = False                      # 无偿使用: no instalments at all


@dataclass(frozen=True)
class Instalment:
    """One payment due under a contract: rent for [period_start, period_end], due in advance."""

    seq: int
    period_start: date
    period_end: date
    due_date: date
    amount: Decimal

    def as_public(self) -> dict[str, str | int]:
        return {
            "seq": self.seq,
            "period_start": self.period_start.isoformat(),
            "period_end": self.period_end.isoformat(),
            "due_date": self.due_date.isoformat(),
            "amount": str(self.amount),
        }


def add_months(day: date, months: int) -> date:
    """Same day of month `months` later, clamped to the month's end (1月31日 + 1 → 2月28/29日)."""
    month_index = day.month - 1 + months
    year, month = day.year + month_index // 12, month_index % 12 + 1
    return date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def rate_in_year(terms: RentTerms, year_index: int) -> Decimal:
    """The rate in contract year `year_index` (0-based): +p% every n years, compounded, to the fen."""
    rate = terms.rate
    if terms.escalation_every_years and terms.escalation_percent:
        factor = 1 + terms.escalation_percent / 100
        for _ in range(year_index // terms.escalation_every_years):
            rate = round_fen(rate * factor)
    return rate


def annual_rent(terms: RentTerms, year_index: int) -> Decimal:
    """Rent for one whole contract year."""
    months_per_rate_period = 12 if terms.unit == "m2_month" else 1
    return round_fen(rate_in_year(terms, year_index) * terms.area * months_per_rate_period)


def revenue_share_due(minimum: Decimal, share_percent: Decimal, revenue: Decimal | None) -> Decimal:
    """保底 + 分成: the year's rent is the larger of the guaranteed minimum and the share of the
    declared revenue; until the revenue is declared, the minimum."""
    if revenue is None:
        return minimum
    return max(minimum, round_fen(revenue * share_percent / 100))


def payment_schedule(terms: RentTerms) -> list[Instalment]:
    """Every instalment from start to end; a shorter last period is charged by its days.

    Rent-free use has none. Under a revenue share (paid yearly) each year's instalment is
    `revenue_share_due` of the minimum and the revenue declared for the calendar year it starts in."""
    schedule: list[Instalment] = []
    if terms.rent_free:
        return schedule
    months, seq = 0, 1
    while True:
        period_start = add_months(terms.start, months)
        if period_start > terms.end:
            return schedule
        full_end = add_months(terms.start, months + terms.interval_months) - timedelta(days=1)
        period_end = min(full_end, terms.end)
        yearly = annual_rent(terms, months // 12)
        if period_end == full_end:
            amount = round_fen(yearly * terms.interval_months / 12)
        else:
            full_days = (full_end - period_start).days + 1
            part = Decimal((period_end - period_start).days + 1) / full_days
            amount = round_fen(yearly * terms.interval_months / 12 * part)
        if terms.share_percent:
            amount = revenue_share_due(amount, terms.share_percent, terms.revenues.get(period_start.year))
        schedule.append(Instalment(seq, period_start, period_end, period_start, amount))
        months += terms.interval_months
        seq += 1
