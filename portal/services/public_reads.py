"""What the public pages show, read in one session and returned fully loaded."""
from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any

from sqlalchemy import select

from ..history import Version, versions
from ..ledger import ContractBalance
from ..models import AuditEntry, Contract, ContractStatus, Receipt, Village
from . import audit_log
from .arrears import arrears_list, contract_balance
from .backend import Backend
from .contracts import find_contract
from .errors import NotFound
from .villages import get_village, list_villages


@dataclass(frozen=True)
class LogState:
    size: int
    root_hex: str


@dataclass(frozen=True)
class VillageOverview:
    village: Village
    contracts: list[Contract]
    contracted_area: Decimal
    arrears_total: Decimal
    log: LogState | None


@dataclass(frozen=True)
class ContractDetail:
    village: Village
    contract: Contract
    balance: ContractBalance
    receipts: list[Receipt]
    history: list[Version]
    proof: dict[str, Any] | None


def _log_state(session, code: str) -> LogState | None:
    current = audit_log.head(session, code)
    return LogState(current.size, current.root.hex()) if current else None


def _village(session, code: str) -> Village:
    village = get_village(session, code)
    if village is None:
        raise NotFound(f"没有编码为“{code}”的村")
    return village


def villages(backend: Backend) -> list[Village]:
    with backend.db.read() as session:
        return list_villages(session)


def village_overview(backend: Backend, code: str, as_of: date) -> VillageOverview:
    with backend.db.read() as session:
        village = _village(session, code)
        contracts = list(session.scalars(select(Contract).where(Contract.village_id == village.id)
                                         .order_by(Contract.start_date.desc(), Contract.number)))
        active = [c for c in contracts if c.status is ContractStatus.ACTIVE and c.end_date >= as_of]
        area = sum((c.total_area for c in active if c.rent_unit.value == "mu_year"), Decimal("0.00"))
        owing = sum((row.balance.arrears for row in arrears_list(session, village.id, as_of)), Decimal("0.00"))
        return VillageOverview(village, contracts, area, owing, _log_state(session, code))


def record_entries(session, log: str, entity: str, entity_id: str) -> list[dict[str, Any]]:
    """Every entry of one record, oldest first, each with its `hash`."""
    lines = session.scalars(select(AuditEntry.line).where(
        AuditEntry.log == log, AuditEntry.entity == entity, AuditEntry.entity_id == entity_id)
        .order_by(AuditEntry.seq))
    return [json.loads(line) | {"hash": hashlib.sha256(line.encode("utf-8")).hexdigest()} for line in lines]


def contract_detail(backend: Backend, code: str, number: str, as_of: date) -> ContractDetail:
    with backend.db.read() as session:
        village = _village(session, code)
        contract = find_contract(session, village.id, number)
        receipts = list(session.scalars(select(Receipt).where(Receipt.contract_id == contract.id)
                                        .order_by(Receipt.received_on)))
        entries = record_entries(session, code, "contract", contract.audit_id())
        state = _log_state(session, code)
        proof = None
        if entries and state:
            proof = audit_log.inclusion(session, code, entries[-1]["seq"], state.size)
            proof["checkpoint"] = audit_log.latest_checkpoint(session, code)
        return ContractDetail(village, contract, contract_balance(session, contract, as_of), receipts,
                              versions(entries), proof)
