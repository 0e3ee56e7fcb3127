"""What the site home and a village's home page show."""
from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any

from sqlalchemy import func, select

from portal.auditlog.records import LogState, log_state
from portal.contracts.models import Contract, ContractStatus, StoredInstalment
from portal.contracts.reads import village_contracts
from portal.kernel.transaction import Backend
from portal.plans.reads import unanswered_comments
from portal.site.changes import Change, latest_changes
from portal.villages.models import Village
from portal.villages.outcomes import Outcomes, outcomes
from portal.villages.services import find_village, list_villages


def villages(backend: Backend) -> list[Village]:
    with backend.db.read() as session:
        return list_villages(session)


@dataclass(frozen=True)
class VillageOverview:
    village: Village
    active_contracts: int
    contracted_area: Decimal
    due_this_year: Decimal
    received_this_year: Decimal
    arrears_total: Decimal
    arrears_count: int
    unanswered_comments: int
    latest: list[Change]
    log: LogState | None
    outcomes: Outcomes


def village_overview(backend: Backend, code: str, as_of: date) -> VillageOverview:
    """Totals at a glance for the village home: area leased, this year's rent, arrears, news."""
    with backend.db.read() as session:
        village = find_village(session, code)
        contracts = village_contracts(session, village.id, as_of)
        active = [c for c in contracts if c.status is ContractStatus.ACTIVE and c.start_date <= as_of <= c.end_date]
        area = sum((c.total_area for c in active if c.rent_unit.value == "mu_year"), Decimal("0.00"))
        year_start = date(as_of.year, 1, 1)
        due = session.scalar(select(func.sum(StoredInstalment.amount)).join(
            Contract, Contract.id == StoredInstalment.contract_id).where(
            StoredInstalment.village_id == village.id, Contract.status != ContractStatus.WITHDRAWN,
            StoredInstalment.due_date >= year_start, StoredInstalment.due_date <= as_of))
        figures = outcomes(session, village.id, contracts, as_of)  # also this year's receipts
        return VillageOverview(
            village, len(active), area, due or Decimal("0.00"), figures.received_this_year,
            sum((c.arrears for c in contracts), Decimal("0.00")), sum(1 for c in contracts if c.arrears),
            unanswered_comments(session, village.id), latest_changes(session, backend.registry, code), log_state(session, code),
            figures)


def village_settings(backend: Backend, code: str) -> Village:
    """The village as its staff's settings pages show it (its 监督电话, its landmarks); NotFound."""
    with backend.db.read() as session:
        return find_village(session, code)


def village_name(backend: Backend, code: str) -> str:
    with backend.db.read() as session:
        return find_village(session, code).name


def page_path(code: str, data: Mapping[str, Any]) -> str | None:
    return f"/v/{code}/"


def title(record_type: Any, data: Mapping[str, Any], entity_id: str) -> str:
    """How the committee's log names the village: by its name (莲坂村), not its code."""
    name: str | None = data.get("name")
    return name or record_type.named(entity_id)
