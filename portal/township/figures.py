"""各村一览 — the township's figures of every village, and the quarter's ranking (每季一晾晒).

Each figure is one query grouped by village over all villages asked about (never a query per
village), so the table costs the same dozen statements for 2 villages or 200; the counted ones
are kept per village between requests (portal/township/kept.py). Money and areas
are summed as the integers they are stored as (fen, 1/10000 亩) and turned into Decimal here.

Rent figures follow the arrears list (portal/contracts/arrears.py): a contract's receipts dated
on or before a day pay its instalments due by then, oldest first; withdrawn contracts count
for nothing.
"""
from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any

from sqlalchemy import BigInteger, ColumnElement, Select, and_, case, func, select, type_coerce
from sqlalchemy.orm import Session

from portal.complaints.models import OWED, Complaint
from portal.contracts.rent import add_months
from portal.contracts.models import Contract, ContractAsset, ContractStatus, StoredInstalment
from portal.kernel.status import RecordStatus
from portal.receipts.models import Receipt
from portal.tenders.models import Tender, TenderStatus
from portal.township import supervision
from portal.township.supervision import Cosigned, Verification
from portal.villages.models import Village

EXPIRING_MONTHS = 6
FEW_VILLAGES = 64  # up to this many, rent rows are found by village (see _rent)
OPEN_TENDERS = (TenderStatus.OPEN, TenderStatus.OPENING, TenderStatus.CLOSED)  # not yet awarded or failed


def _raw(column: Any) -> Any:
    """A money or area column as its stored integer (fen, 1/10000 亩), for SQL arithmetic."""
    return type_coerce(column, BigInteger)


def _money(fen: Any) -> Decimal:
    return Decimal(int(fen or 0)).scaleb(-2)


def _area(units: Any) -> Decimal:
    return Decimal(int(units or 0)).scaleb(-4).quantize(Decimal("0.01"))


@dataclass(frozen=True)
class VillageFigures:
    """One row of the township's table."""

    code: str
    name: str
    village_id: int
    area: Decimal          # 亩 under contracts running today
    due: Decimal           # rent due from 1 January to today
    received: Decimal      # rent received (receipts against contracts not withdrawn) from 1 January to today
    arrears: Decimal       # all rent due by today and not paid, whatever the year
    expiring: int          # running contracts ending within EXPIRING_MONTHS
    open_tenders: int
    unanswered: int        # complaints owed an answer
    overdue: int           # … of which past their due day
    open_findings: int | None
    verification: Verification | None
    cosigned: Cosigned | None


def _scoped(column: Any, village_ids: list[int]) -> ColumnElement[bool]:
    return column.in_(village_ids)  # type: ignore[no-any-return]


def _rent(village_ids: list[int], start: date, as_of: date) -> Select[Any]:
    """Per village: rent due from `start` to `as_of`, the part of it paid by `as_of` (oldest
    instalment first, so earlier arrears are paid before it), and all arrears on `as_of`.

    Instalments and receipts are each summed per contract first, walking their contract_id
    indexes in order (no sort), and only then joined, 5,000 rows with 5,000 for 200 villages:
    joining 51,000 instalments to the receipts before grouping took twice as long on SQLite.
    For a few villages both are also scoped by their own village_id (implied by their
    contract's), so their rows are found through that index instead of by reading every row:
    10 of a county's 200 villages in 41 ms instead of 206; for all 200 the index is slower than
    reading the tables (0.6 s against 0.9 s), hence FEW_VILLAGES."""
    i = StoredInstalment
    amount = _raw(i.amount)

    def few(column: Any) -> list[ColumnElement[bool]]:
        return [_scoped(column, village_ids)] if len(village_ids) <= FEW_VILLAGES else []

    contracts = select(Contract.id).where(_scoped(Contract.village_id, village_ids),
                                          Contract.status != ContractStatus.WITHDRAWN)
    due = (select(i.contract_id.label("contract_id"), func.max(i.village_id).label("village_id"),
                  func.sum(case((i.due_date < start, amount), else_=0)).label("before"),
                  func.sum(case((i.due_date >= start, amount), else_=0)).label("due"))
           .where(i.contract_id.in_(contracts), *few(i.village_id), i.due_date <= as_of)
           .group_by(i.contract_id).subquery("due"))
    # A few villages' receipts need not be matched to their contracts first: the join to `due`
    # drops those of other contracts. They are read from the receipt index alone
    # (ix_receipt_village_day): 10 of a county's villages in 35 ms instead of 62.
    paid = (select(Receipt.contract_id.label("contract_id"), func.sum(_raw(Receipt.amount)).label("paid"))
            .where(*(few(Receipt.village_id) or [Receipt.contract_id.in_(contracts)]),
                   Receipt.status == RecordStatus.ACTIVE, Receipt.received_on <= as_of)
            .group_by(Receipt.contract_id).subquery("paid"))
    got = func.coalesce(paid.c.paid, 0)
    toward_period = case((got <= due.c.before, 0), (got - due.c.before >= due.c.due, due.c.due),
                         else_=got - due.c.before)
    owed = case((due.c.before + due.c.due > got, due.c.before + due.c.due - got), else_=0)
    return (select(due.c.village_id, func.sum(due.c.due), func.sum(toward_period), func.sum(owed))
            .outerjoin(paid, paid.c.contract_id == due.c.contract_id)
            .group_by(due.c.village_id))


@dataclass(frozen=True)
class Counted:
    """The figures of a village counted from its records on a day, as stored (fen, 1/10000 亩):
    what portal/township/kept.py keeps between requests."""

    area: int
    due: int
    received: int
    arrears: int
    expiring: int
    open_tenders: int
    unanswered: int
    overdue: int


def count(session: Session, ids: list[int], today: date) -> dict[int, Counted]:
    """Counted figures of the villages `ids` on `today`, a dozen grouped queries for any number."""
    year_start = today.replace(month=1, day=1)
    running = and_(Contract.status == ContractStatus.ACTIVE, Contract.start_date <= today, Contract.end_date >= today)
    area: dict[int, Any] = dict(session.execute(
        select(Contract.village_id, func.sum(_raw(ContractAsset.area)))
        .join(ContractAsset, ContractAsset.contract_id == Contract.id)
        .where(running, _scoped(Contract.village_id, ids)).group_by(Contract.village_id)).all())
    expiring = dict(session.execute(
        select(Contract.village_id, func.count())
        .where(running, Contract.end_date <= add_months(today, EXPIRING_MONTHS), _scoped(Contract.village_id, ids))
        .group_by(Contract.village_id)).all())
    rent = {village: (due, arrears) for village, due, _toward, arrears in session.execute(_rent(ids, year_start, today))}
    contracts = select(Contract.id).where(_scoped(Contract.village_id, ids), Contract.status != ContractStatus.WITHDRAWN)
    received: dict[int, Any] = dict(session.execute(
        select(Receipt.village_id, func.sum(_raw(Receipt.amount)))
        .where(Receipt.status == RecordStatus.ACTIVE, Receipt.contract_id.in_(contracts),
               Receipt.received_on >= year_start, Receipt.received_on <= today, _scoped(Receipt.village_id, ids))
        .group_by(Receipt.village_id)).all())
    tenders = dict(session.execute(
        select(Tender.village_id, func.count()).where(Tender.status.in_(OPEN_TENDERS), _scoped(Tender.village_id, ids))
        .group_by(Tender.village_id)).all())
    complaints = {village: (owed, late) for village, owed, late in session.execute(
        select(Complaint.village_id, func.count(), func.sum(case((Complaint.due_on < today, 1), else_=0)))
        .where(Complaint.status.in_(OWED), _scoped(Complaint.village_id, ids)).group_by(Complaint.village_id))}
    counted = {}
    for village in ids:
        due, arrears = rent.get(village, (0, 0))
        owed, late = complaints.get(village, (0, 0))
        counted[village] = Counted(int(area.get(village) or 0), int(due or 0), int(received.get(village) or 0),
                                   int(arrears or 0), int(expiring.get(village, 0)), int(tenders.get(village, 0)),
                                   int(owed or 0), int(late or 0))
    return counted


def village_figures(session: Session, villages: list[Village], counted: dict[int, Counted]) -> list[VillageFigures]:
    """The table's rows, in the order of `villages`: their `counted` figures (kept.counted) with
    what the committee's desk recorded, read afresh (one small query each; an integrity check's
    result and a cosignature are kept without the village log growing)."""
    ids = [v.id for v in villages]
    findings = supervision.open_findings(session, ids)
    verified = supervision.last_verifications(session, ids) or {}
    cosigned = supervision.last_cosigned(session, ids) or {}
    rows = []
    for v in villages:
        c = counted[v.id]
        rows.append(VillageFigures(
            v.code, v.name, v.id, _area(c.area), _money(c.due), _money(c.received), _money(c.arrears),
            c.expiring, c.open_tenders, c.unanswered, c.overdue,
            None if findings is None else findings.get(v.id, 0), verified.get(v.id), cosigned.get(v.id)))
    return rows


# ---- sorting ---------------------------------------------------------------------------------

def _verified_key(row: VillageFigures) -> tuple[int, str]:
    return (-1, "") if row.verification is None else (int(row.verification.ok), row.verification.at.isoformat())


SORT_KEYS: dict[str, Callable[[VillageFigures], Any]] = {
    "code": lambda r: r.code,
    "name": lambda r: r.name,
    "area": lambda r: r.area,
    "due": lambda r: r.due,
    "received": lambda r: r.received,
    "arrears": lambda r: r.arrears,
    "expiring": lambda r: r.expiring,
    "tenders": lambda r: r.open_tenders,
    "unanswered": lambda r: r.unanswered,
    "overdue": lambda r: r.overdue,
    "findings": lambda r: -1 if r.open_findings is None else r.open_findings,
    "verified": _verified_key,
    "cosigned": lambda r: -1 if r.cosigned is None else r.cosigned.size,
}


class BadSort(ValueError):
    """?sort= names no column."""


def sort_rows(rows: list[VillageFigures], sort: str) -> list[VillageFigures]:
    """`rows` by column `sort` (ascending; "-arrears" descending); BadSort for an unknown one."""
    key = sort[1:] if sort.startswith("-") else sort
    if key not in SORT_KEYS:
        raise BadSort(key)
    return sorted(rows, key=lambda r: (SORT_KEYS[key](r), r.code), reverse=sort.startswith("-"))


def totals(rows: list[VillageFigures]) -> dict[str, Any]:
    """The sums of the table's number columns (None where a figure is not recorded)."""
    findings = [r.open_findings for r in rows if r.open_findings is not None]
    return {
        "area": sum((r.area for r in rows), Decimal("0.00")),
        "due": sum((r.due for r in rows), Decimal("0.00")),
        "received": sum((r.received for r in rows), Decimal("0.00")),
        "arrears": sum((r.arrears for r in rows), Decimal("0.00")),
        "expiring": sum(r.expiring for r in rows),
        "tenders": sum(r.open_tenders for r in rows),
        "unanswered": sum(r.unanswered for r in rows),
        "overdue": sum(r.overdue for r in rows),
        "findings": sum(findings) if findings else None,
    }

