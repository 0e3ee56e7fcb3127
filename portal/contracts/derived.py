"""A contract's stored instalments: written with the contract, re-derived and compared by `audit verify`.

The rows are what `payment_schedule` derives from the contract's terms, plus the running total
due; the receipts change none of them (what is paid depends on the day asked about, see
StoredInstalment). So the audited transaction of every contract write — create, correct,
terminate, withdraw — rewrites the contract's rows (RecordType.derive), and nothing else has to.
"""
from __future__ import annotations

from decimal import Decimal
from typing import Any

from sqlalchemy import delete, insert, or_, select
from sqlalchemy.orm import Session, selectinload

from portal.kernel.messages import say
from portal.contracts.models import Contract, ContractAsset, StoredInstalment
from portal.contracts.rent import Instalment

FIELDS = ("period_start", "period_end", "due_date", "amount", "cumulative")


def instalment_rows(contract_id: int, village_id: int, schedule: list[Instalment]) -> list[dict[str, Any]]:
    """The rows of one contract's schedule, each with the amount due up to and including it."""
    rows, total = [], Decimal("0.00")
    for item in schedule:
        total += item.amount
        rows.append({"contract_id": contract_id, "seq": item.seq, "village_id": village_id,
                     "period_start": item.period_start, "period_end": item.period_end,
                     "due_date": item.due_date, "amount": item.amount, "cumulative": total})
    return rows


def store_instalments(session: Session, contract: Contract) -> None:
    """Replaces the contract's stored instalments by those its current terms derive: two
    statements (a DELETE, one executemany INSERT), in the caller's transaction."""
    connection = session.connection()
    connection.execute(delete(StoredInstalment).where(StoredInstalment.contract_id == contract.id))
    rows = instalment_rows(contract.id, contract.village_id, contract.schedule())
    if rows:
        connection.execute(insert(StoredInstalment), rows)


def verify_derived(session: Session, village_id: int) -> list[str]:
    """Re-derives every contract's instalments of the village from its terms and compares them
    with the stored rows; one Chinese message per contract that differs, naming it (empty: all agree)."""
    contracts = session.scalars(select(Contract).where(Contract.village_id == village_id)
                                .options(selectinload(Contract.items).joinedload(ContractAsset.asset))
                                .order_by(Contract.number)).all()
    by_id = {c.id: c for c in contracts}
    stored: dict[int, dict[int, dict[str, Any]]] = {}
    strays: list[StoredInstalment] = []
    for row in session.scalars(select(StoredInstalment).where(or_(
            StoredInstalment.village_id == village_id,
            StoredInstalment.contract_id.in_(select(Contract.id).where(Contract.village_id == village_id))))):
        if row.contract_id not in by_id or row.village_id != village_id:
            strays.append(row)
        else:
            stored.setdefault(row.contract_id, {})[row.seq] = {f: getattr(row, f) for f in FIELDS}
    problems: list[str] = []
    for contract in contracts:
        expected = {r["seq"]: {f: r[f] for f in FIELDS}
                    for r in instalment_rows(contract.id, village_id, contract.schedule())}
        problem = _difference(expected, stored.get(contract.id, {}))
        if problem:
            problems.append(say("合同 %(number)s：存储的缴款计划%(problem)s", number=contract.number, problem=problem))
    for row in strays:
        owner = by_id.get(row.contract_id)
        name = say("合同 %(number)s",
                   number=owner.number) if owner else say("合同 id=%(contract_id)s", contract_id=row.contract_id)
        problems.append(say("%(name)s：存储的缴款计划第 %(seq)s 期不属于本村（被直接修改？）", name=name, seq=row.seq))
    return problems


def _difference(expected: dict[int, dict[str, Any]], stored: dict[int, dict[str, Any]]) -> str:
    """What is wrong with the stored rows, in words; empty when they are what the terms derive."""
    missing = sorted(set(expected) - set(stored))
    if missing:
        return say("缺少第 %(missing)s 期，按合同条款应有（被直接删除？）", missing=missing[0])
    extra = sorted(set(stored) - set(expected))
    if extra:
        return say("多出第 %(extra)s 期，按合同条款没有（被直接写入？）", extra=extra[0])
    for seq in sorted(expected):
        if expected[seq] != stored[seq]:
            return say("第 %(seq)s 期与按合同条款重算的不一致（被直接修改？）", seq=seq)
    return ""
