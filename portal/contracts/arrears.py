"""欠租清单 — arrears from the stored instalments and the receipts, by indexed queries.

What `ledger.balance` derives for one contract on a day `as_of`, read for a whole village at
once: receipts dated on or before `as_of` form the pool paid so far; an instalment is (partly)
unpaid while the amount due up to and including it (`StoredInstalment.cumulative`) exceeds that
pool, since the pool pays the oldest instalment first. So one SQL statement answers due, paid,
arrears and the oldest unpaid instalment of every contract, exactly as `balance` would, for any
day (a receipt dated later than `as_of` does not count yet).
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any

from sqlalchemy import BindParameter, Subquery, and_, bindparam, case, func, select
from sqlalchemy.orm import Session, raiseload

from portal.contracts.ledger import ContractBalance, balance
from portal.contracts.models import Contract, ContractStatus, StoredInstalment
from portal.kernel.status import RecordStatus
from portal.receipts.models import Receipt

ZERO = Decimal("0.00")


@dataclass(frozen=True)
class Standing:
    """Where a contract stands on `as_of`: due so far, paid so far, arrears and their age."""

    as_of: date
    due: Decimal
    paid: Decimal
    oldest_due_date: date | None  # due date of the oldest instalment not paid in full, due by as_of

    @property
    def arrears(self) -> Decimal:
        return max(ZERO, self.due - self.paid)

    @property
    def days_overdue(self) -> int:
        """Days since the oldest unpaid instalment fell due (0 when it falls due today)."""
        return max(0, (self.as_of - self.oldest_due_date).days) if self.oldest_due_date else 0


@dataclass(frozen=True)
class ArrearsRow:
    contract: Contract
    balance: Standing


def _standings() -> Subquery:
    """Per contract of the village :village_id with something due by :as_of: contract_id, due,
    paid, oldest_due_date (withdrawn contracts included; the statements below leave them out)."""
    village_id: BindParameter[int] = bindparam("village_id")
    as_of: BindParameter[date] = bindparam("as_of")
    paid = (select(Receipt.contract_id, func.sum(Receipt.amount).label("paid"))
            .where(Receipt.village_id == village_id, Receipt.status == RecordStatus.ACTIVE,
                   Receipt.contract_id.is_not(None), Receipt.received_on <= as_of)
            .group_by(Receipt.contract_id).subquery())
    paid_so_far = func.coalesce(paid.c.paid, 0)
    i = StoredInstalment
    unpaid = case((and_(i.cumulative > paid_so_far, i.amount > 0), i.due_date))
    return (select(i.contract_id, func.sum(i.amount).label("due"), paid_so_far.label("paid"),
                   func.min(unpaid).label("oldest_due_date"))
            .outerjoin(paid, paid.c.contract_id == i.contract_id)
            .where(i.village_id == village_id, i.due_date <= as_of)
            .group_by(i.contract_id, paid.c.paid).subquery("standing"))


# Statements are built once, with bind parameters: building them per request cost more than
# running them (SQLAlchemy then also reuses their cache keys and compiled SQL).
STANDINGS = _standings()
_ARREARS = (select(Contract, STANDINGS.c.due, STANDINGS.c.paid, STANDINGS.c.oldest_due_date)
            .join(STANDINGS, STANDINGS.c.contract_id == Contract.id)
            .where(Contract.status != ContractStatus.WITHDRAWN, STANDINGS.c.due > STANDINGS.c.paid)
            .options(raiseload("*")))
_SCHEDULE = (select(StoredInstalment).where(StoredInstalment.contract_id == bindparam("contract_id"))
             .order_by(StoredInstalment.seq))
_PAYMENTS = select(Receipt.received_on, Receipt.amount).where(
    Receipt.contract_id == bindparam("contract_id"), Receipt.status == RecordStatus.ACTIVE)


def _standing(as_of: date, due: Any, paid: Any, oldest: date | None) -> Standing:
    return Standing(as_of, due if due is not None else ZERO, paid if paid is not None else ZERO, oldest)


def arrears_list(session: Session, village_id: int, as_of: date) -> list[ArrearsRow]:
    """Contracts (not withdrawn) owing money on `as_of`, largest amount first; one query."""
    rows = session.execute(_ARREARS, {"village_id": village_id, "as_of": as_of})
    found = [ArrearsRow(contract, _standing(as_of, due, paid, oldest)) for contract, due, paid, oldest in rows]
    return sorted(found, key=lambda row: (-row.balance.arrears, row.contract.number))


def contract_balance(session: Session, contract: Contract, as_of: date,
                     payments: list[tuple[date, Decimal]] | None = None) -> ContractBalance:
    """Paid, outstanding and overdue per instalment of one contract, from its stored instalments
    and its active receipts (`payments`, read here when not given)."""
    schedule = [row.as_instalment() for row in session.scalars(_SCHEDULE, {"contract_id": contract.id})]
    if payments is None:
        payments = [(day, amount) for day, amount in session.execute(_PAYMENTS, {"contract_id": contract.id})]
    return balance(schedule, payments, as_of)
