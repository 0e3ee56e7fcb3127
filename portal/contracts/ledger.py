"""Paid, due and overdue per instalment: receipts are applied to the oldest instalment first."""
from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from portal.contracts.rent import Instalment

ZERO = Decimal("0.00")


@dataclass(frozen=True)
class InstalmentStatus:
    instalment: Instalment
    paid: Decimal
    outstanding: Decimal
    state: str              # "paid" 已缴清 · "partly" 部分缴纳 · "overdue" 逾期 · "due" 今日到期 · "future" 未到期
    days_overdue: int


@dataclass(frozen=True)
class ContractBalance:
    """Where a contract stands on `as_of`: due so far, paid so far, arrears and their age."""

    as_of: date
    due: Decimal
    paid: Decimal
    arrears: Decimal
    days_overdue: int
    instalments: list[InstalmentStatus]


def balance(schedule: list[Instalment], payments: Iterable[tuple[date, Decimal]], as_of: date) -> ContractBalance:
    """Applies the payments received by `as_of` to the schedule, oldest instalment first."""
    pool = sum((amount for day, amount in payments if day <= as_of), ZERO)
    paid_total = pool
    statuses: list[InstalmentStatus] = []
    for item in schedule:
        applied = min(pool, item.amount)
        pool -= applied
        outstanding = item.amount - applied
        statuses.append(InstalmentStatus(item, applied, outstanding, _state(item, applied, outstanding, as_of),
                                         (as_of - item.due_date).days if outstanding and item.due_date < as_of else 0))
    due = sum((i.amount for i in schedule if i.due_date <= as_of), ZERO)
    arrears = max(ZERO, due - paid_total)
    return ContractBalance(as_of, due, paid_total, arrears, max((s.days_overdue for s in statuses), default=0),
                           statuses)


def _state(item: Instalment, paid: Decimal, outstanding: Decimal, as_of: date) -> str:
    if not outstanding:
        return "paid"
    if item.due_date > as_of:
        return "partly" if paid else "future"
    if item.due_date == as_of:
        return "due"
    return "overdue" if not paid else "partly"
