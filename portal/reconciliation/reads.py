"""对账 — receipts ↔ contract schedules ↔ ledger income ↔ the dividend pool, per year.

Read-only: it writes nothing and logs nothing; it compares what the records say and names each
place where they disagree, for staff to correct (with a reason, through the usual services) and
for the committee to watch. The kinds of mismatch (`Problem.kind`):

- `unbooked_receipt`: an active receipt of the year with no active ledger entry booking it;
- `income_without_receipt`: rent income in the ledger that names no receipt;
- `amount_differs`: a ledger entry booking a receipt for another amount than the receipt's;
- `receipt_withdrawn`: a ledger entry still booking a receipt that was withdrawn;
- `over_schedule`: a contract's receipts up to the year's end exceed what its schedule made due
  by then (a prepayment, or a receipt entered twice);
- `pool_exceeds`: the year's dividend plan distributes more than the year's distributable income
  (income − expenses not paid out of a fund, other than the dividend itself − the funds' shares).
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from sqlalchemy import func, select
from sqlalchemy.orm import Session, selectinload

from portal.contracts.models import Contract, ContractStatus, StoredInstalment
from portal.dividends.models import DividendPlan
from portal.kernel.status import RecordStatus
from portal.kernel.transaction import Backend
from portal.ledger.models import Direction, LedgerEntry
from portal.receipts.models import Receipt
from portal.villages.models import Village
from portal.villages.services import find_village

ZERO = Decimal("0.00")
KINDS = ("unbooked_receipt", "income_without_receipt", "amount_differs", "receipt_withdrawn", "over_schedule",
         "pool_exceeds")


@dataclass(frozen=True)
class Problem:
    """One disagreement: the record it is about (its page), what was expected and what was found."""

    kind: str
    number: str
    link: str
    expected: Decimal | None = None
    found: Decimal | None = None
    other: str = ""  # the other record named (the ledger entry of a receipt, …)


@dataclass(frozen=True)
class Reconciliation:
    village: Village
    year: int
    years: list[int]
    due: Decimal            # instalments due in the year (contracts not withdrawn)
    received: Decimal       # active receipts of the year
    booked_rent: Decimal    # rent income booked in the ledger in the year
    income: Decimal         # all active income of the year
    expense: Decimal        # active expenses of the year, less dividends paid and fund-paid ones
    set_aside: Decimal      # the funds' shares of the year's income
    distributable: Decimal  # income − expense − set_aside
    dividend: Decimal | None
    dividend_plan: str | None
    problems: list[Problem]


def years_of(session: Session, village_id: int) -> list[int]:
    """Years with a receipt or a ledger entry, newest first."""
    days = set(session.scalars(select(Receipt.received_on).where(Receipt.village_id == village_id)))
    days |= set(session.scalars(select(LedgerEntry.booked_on).where(LedgerEntry.village_id == village_id)))
    return sorted({d.year for d in days}, reverse=True)


def years(backend: Backend, code: str) -> list[int]:
    with backend.db.read() as session:
        return years_of(session, find_village(session, code).id)


def reconcile(backend: Backend, code: str, year: int | None) -> Reconciliation:
    """The year's reconciliation (the latest year with money records when None)."""
    with backend.db.read() as session:
        village = find_village(session, code)
        years = years_of(session, village.id)
        chosen = year if year is not None else (years[0] if years else backend.today().year)
        return _reconcile(session, village, chosen, years)


def _reconcile(session: Session, village: Village, year: int, years: list[int]) -> Reconciliation:
    start, end = date(year, 1, 1), date(year, 12, 31)
    code = village.code
    receipts = list(session.scalars(select(Receipt).where(
        Receipt.village_id == village.id, Receipt.received_on >= start, Receipt.received_on <= end)
        .order_by(Receipt.received_on, Receipt.number)))
    entries = list(session.scalars(select(LedgerEntry).where(
        LedgerEntry.village_id == village.id, LedgerEntry.status == RecordStatus.ACTIVE)
        .options(selectinload(LedgerEntry.receipt)).order_by(LedgerEntry.booked_on, LedgerEntry.number)))
    by_receipt = {e.receipt_id: e for e in entries if e.receipt_id is not None}
    of_year = [e for e in entries if start <= e.booked_on <= end]
    problems: list[Problem] = []
    # Receipts of years before the ledger was first kept here were never meant to be booked in it.
    ledger_kept = bool(entries) and min(e.booked_on for e in entries).year <= year
    for r in receipts:
        if ledger_kept and r.status is RecordStatus.ACTIVE and r.id not in by_receipt:
            problems.append(Problem("unbooked_receipt", r.number, f"/v/{code}/receipts/{r.number}", found=r.amount))
    for e in of_year:
        link = f"/v/{code}/ledger/{e.number}"
        if e.direction is Direction.INCOME and e.category == "rent" and e.receipt is None:
            problems.append(Problem("income_without_receipt", e.number, link, found=e.amount))
        elif e.receipt is not None and e.receipt.status is not RecordStatus.ACTIVE:
            problems.append(Problem("receipt_withdrawn", e.number, link, found=e.amount, other=e.receipt.number))
        elif e.receipt is not None and e.receipt.amount != e.amount:
            problems.append(Problem("amount_differs", e.number, link, expected=e.receipt.amount, found=e.amount,
                                    other=e.receipt.number))
    problems += _over_schedule(session, village, end)
    income = sum((e.amount for e in of_year if e.direction is Direction.INCOME), ZERO)
    expense = sum((e.amount for e in of_year if e.direction is Direction.EXPENSE
                   and e.category != "dividend" and e.fund_id is None), ZERO)
    set_aside = sum((Decimal(s["amount"]) for e in of_year if e.direction is Direction.INCOME
                     for s in e.fund_shares or []), ZERO)
    distributable = income - expense - set_aside
    plan = session.scalar(select(DividendPlan).where(
        DividendPlan.village_id == village.id, DividendPlan.year == year,
        DividendPlan.status == RecordStatus.ACTIVE).order_by(DividendPlan.number).limit(1))
    if plan is not None and plan.total > distributable:
        problems.append(Problem("pool_exceeds", plan.number, f"/v/{code}/dividends/{plan.year}",
                                expected=distributable, found=plan.total))
    due = session.scalar(select(func.sum(StoredInstalment.amount)).join(
        Contract, Contract.id == StoredInstalment.contract_id).where(
        StoredInstalment.village_id == village.id, Contract.status != ContractStatus.WITHDRAWN,
        StoredInstalment.due_date >= start, StoredInstalment.due_date <= end))
    return Reconciliation(
        village, year, years, due or ZERO,
        sum((r.amount for r in receipts if r.status is RecordStatus.ACTIVE), ZERO),
        sum((e.amount for e in of_year if e.direction is Direction.INCOME and e.category == "rent"), ZERO),
        income, expense, set_aside, distributable, plan.total if plan else None, plan.number if plan else None,
        problems)


def _over_schedule(session: Session, village: Village, end: date) -> list[Problem]:
    """Contracts whose receipts up to `end` exceed what their schedule made due up to `end`."""
    due: dict[int, Decimal] = {cid: owed for cid, owed in session.execute(
        select(StoredInstalment.contract_id, func.max(StoredInstalment.cumulative)).where(
            StoredInstalment.village_id == village.id, StoredInstalment.due_date <= end)
        .group_by(StoredInstalment.contract_id))}
    paid = session.execute(select(Receipt.contract_id, func.sum(Receipt.amount)).where(
        Receipt.village_id == village.id, Receipt.status == RecordStatus.ACTIVE, Receipt.contract_id.is_not(None),
        Receipt.received_on <= end).group_by(Receipt.contract_id)).all()
    over = {cid: (due.get(cid) or ZERO, Decimal(total)) for cid, total in paid
            if cid is not None and Decimal(total) > (due.get(cid) or ZERO)}
    if not over:
        return []
    numbers = {cid: number for cid, number in session.execute(select(Contract.id, Contract.number).where(
        Contract.id.in_(over), Contract.status != ContractStatus.WITHDRAWN))}
    return [Problem("over_schedule", numbers[cid], f"/v/{village.code}/contracts/{numbers[cid]}",
                    expected=owed, found=received)
            for cid, (owed, received) in sorted(over.items()) if cid in numbers]
