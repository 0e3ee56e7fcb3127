"""What a village's staff have to do next, for the top of their workspace."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal

from sqlalchemy import func, select

from portal.contracts.models import Contract, ContractStatus, StoredInstalment
from portal.drafts.models import Draft, DraftState
from portal.kernel.status import RecordStatus
from portal.kernel.transaction import Backend
from portal.plans.models import CommentStatus, Plan, PlanComment
from portal.receipts.models import Receipt
from portal.villages.services import find_village

DUE_WITHIN = timedelta(days=30)
EXPIRING_WITHIN = timedelta(days=183)  # about six months
SHOWN = 20  # rows per list; the counts say how many there are in all
LIVE = (ContractStatus.ACTIVE,)


@dataclass(frozen=True)
class Due:
    contract: str
    title: str
    due_date: date
    unpaid: Decimal


@dataclass(frozen=True)
class Expiring:
    contract: str
    title: str
    end_date: date


@dataclass(frozen=True)
class Unanswered:
    plan: str
    number: int
    submitted_on: date


@dataclass
class StaffTodo:
    today: date
    drafts: list[Draft]
    returned: list[Draft]
    submitted: list[Draft]
    due: list[Due]
    expiring: list[Expiring]
    unanswered: list[Unanswered]


def staff_todo(backend: Backend, code: str) -> StaffTodo:
    today = backend.today()
    with backend.db.read() as session:
        village = find_village(session, code)
        drafts = list(session.scalars(select(Draft).where(
            Draft.village_id == village.id, Draft.state.in_((DraftState.DRAFT, DraftState.RETURNED,
                                                             DraftState.SUBMITTED)))
            .order_by(Draft.updated_at.desc())))
        paid = (select(Receipt.contract_id, func.sum(Receipt.amount).label("paid"))
                .where(Receipt.village_id == village.id, Receipt.status == RecordStatus.ACTIVE,
                       Receipt.contract_id.is_not(None))
                .group_by(Receipt.contract_id).subquery())
        unpaid = StoredInstalment.cumulative - func.coalesce(paid.c.paid, 0)
        due_rows = session.execute(
            select(Contract.number, Contract.title, StoredInstalment.due_date, StoredInstalment.amount, unpaid)
            .join(Contract, Contract.id == StoredInstalment.contract_id)
            .outerjoin(paid, paid.c.contract_id == StoredInstalment.contract_id)
            .where(StoredInstalment.village_id == village.id, Contract.status.in_(LIVE),
                   StoredInstalment.due_date >= today, StoredInstalment.due_date <= today + DUE_WITHIN,
                   unpaid > 0)
            .order_by(StoredInstalment.due_date, Contract.number).limit(SHOWN)).all()
        expiring = session.execute(
            select(Contract.number, Contract.title, Contract.end_date)
            .where(Contract.village_id == village.id, Contract.status.in_(LIVE),
                   Contract.end_date >= today, Contract.end_date <= today + EXPIRING_WITHIN)
            .order_by(Contract.end_date, Contract.number).limit(SHOWN)).all()
        unanswered = session.execute(
            select(Plan.number, PlanComment.number, PlanComment.submitted_on)
            .join(Plan, Plan.id == PlanComment.plan_id)
            .where(PlanComment.village_id == village.id, PlanComment.status == CommentStatus.VISIBLE,
                   PlanComment.reply == "")
            .order_by(PlanComment.submitted_on, PlanComment.id).limit(SHOWN)).all()
        return StaffTodo(
            today,
            [d for d in drafts if d.state is DraftState.DRAFT],
            [d for d in drafts if d.state is DraftState.RETURNED],
            [d for d in drafts if d.state is DraftState.SUBMITTED],
            [Due(n, t, day, min(amount, left)) for n, t, day, amount, left in due_rows],
            [Expiring(*row) for row in expiring],
            [Unanswered(*row) for row in unanswered])
