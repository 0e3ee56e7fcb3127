"""欠租清单 — arrears derived from schedules and receipts, never typed in."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from sqlalchemy import select
from sqlalchemy.orm import Session

from portal.contracts.ledger import ContractBalance, balance
from portal.contracts.models import Contract, ContractStatus
from portal.kernel.status import RecordStatus
from portal.receipts.models import Receipt


@dataclass(frozen=True)
class ArrearsRow:
    contract: Contract
    balance: ContractBalance


def contract_balance(session: Session, contract: Contract, as_of: date) -> ContractBalance:
    payments = session.execute(select(Receipt.received_on, Receipt.amount).where(
        Receipt.contract_id == contract.id, Receipt.status == RecordStatus.ACTIVE)).all()
    return balance(contract.schedule(), [(day, amount) for day, amount in payments], as_of)


def arrears_list(session: Session, village_id: int, as_of: date,
                 contracts: list[Contract] | None = None) -> list[ArrearsRow]:
    """Contracts (not withdrawn) owing money on `as_of`, largest amount first; two queries in all
    (one when the caller already loaded the village's contracts)."""
    if contracts is None:
        contracts = list(session.scalars(select(Contract).where(Contract.village_id == village_id)))
    contracts = [c for c in contracts if c.status is not ContractStatus.WITHDRAWN]
    paid: dict[int | None, list[tuple[date, Decimal]]] = {}
    for contract_id, day, amount in session.execute(
            select(Receipt.contract_id, Receipt.received_on, Receipt.amount).where(
                Receipt.village_id == village_id, Receipt.status == RecordStatus.ACTIVE,
                Receipt.contract_id.is_not(None))):
        paid.setdefault(contract_id, []).append((day, amount))
    rows = [ArrearsRow(c, balance(c.schedule(), paid.get(c.id, []), as_of)) for c in contracts]
    owing = [row for row in rows if row.balance.arrears > 0]
    return sorted(owing, key=lambda row: (-row.balance.arrears, row.contract.number))
