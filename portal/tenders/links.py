"""Which contract came of which tender's award (成交 → 合同), found from the records themselves.

A contract generated from an award names the tender in its note (portal/tenders/award.py); one
entered by hand is matched when it leases a parcel of the tender's lots to the tender's winner.
The public pages link both ways by it, and the OCDS releases put both in one contracting process.
"""
from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from portal.contracts.models import Contract, ContractStatus, public_lessee_name
from portal.kernel.privacy import mask_name
from portal.kernel.transaction import Backend
from portal.tenders.models import Tender, TenderStatus
from portal.villages.services import find_village


def award_links(session: Session, village_id: int) -> dict[str, str]:
    """contract number → number of the tender whose award it follows, for the whole village."""
    tenders = session.scalars(select(Tender).where(
        Tender.village_id == village_id, Tender.status == TenderStatus.AWARDED, Tender.winner.is_not(None))
        .order_by(Tender.number)).all()
    if not tenders:
        return {}
    contracts = session.scalars(select(Contract).where(
        Contract.village_id == village_id, Contract.status != ContractStatus.WITHDRAWN)
        .order_by(Contract.number)).all()
    links: dict[str, str] = {}
    for tender in tenders:
        bidder = tender.bidders[(tender.winner or 0) - 1]
        winner = mask_name(bidder["name"]) if bidder["kind"] == "person" else bidder["name"]
        lots = {lot["asset"] for lot in tender.lots}
        for contract in contracts:
            if contract.number in links:
                continue
            named = tender.number in contract.note
            same_lease = (public_lessee_name(contract.lessee_kind, contract.lessee_name) == winner
                          and lots & {item.asset.number for item in contract.items}
                          and contract.start_date >= tender.term_start)
            if named or same_lease:
                links[contract.number] = tender.number
    return links


def contracts_of(session: Session, village_id: int, tender_number: str) -> list[str]:
    """The numbers of the contracts that follow this tender's award (none before the award)."""
    return sorted(number for number, tender in award_links(session, village_id).items() if tender == tender_number)


def tender_of(session: Session, village_id: int, contract_number: str) -> str | None:
    """The number of the tender whose award this contract follows, if any."""
    return award_links(session, village_id).get(contract_number)


def contracts_of_tender(backend: Backend, code: str, tender_number: str) -> list[str]:
    """For the tender page: the contracts that follow its award."""
    with backend.db.read() as session:
        return contracts_of(session, find_village(session, code).id, tender_number)


def tender_of_contract(backend: Backend, code: str, contract_number: str) -> str | None:
    """For the contract page: the tender whose award it follows."""
    with backend.db.read() as session:
        return tender_of(session, find_village(session, code).id, contract_number)
