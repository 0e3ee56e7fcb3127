"""地块状态 — what a parcel (or building) is on a given day, from its contracts alone.

已出租 leased · 租期将满 expiring · 招租中 in tender · 闲置 vacant · 已撤回 withdrawn.

A pure function of plain values, so the register, the map and the parcel page agree and the
rules are tested without a database. Tenders (招租公告) do not exist yet: when they do, the
tender service will tell `parcel_status` that a parcel is `in_tender` (an open call for bids on
it), and the map, list and legend already know the status and its colour.
"""
from __future__ import annotations

import enum
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any, Protocol

from portal.contracts.rent import add_months

EXPIRY_WINDOW_MONTHS = 6  # 租期将满: the lease ends within six months, that day included


class ParcelStatus(str, enum.Enum):
    LEASED = "leased"        # 已出租
    EXPIRING = "expiring"    # 租期将满
    TENDER = "tender"        # 招租中 (set by tenders, once they exist)
    VACANT = "vacant"        # 闲置
    WITHDRAWN = "withdrawn"  # 已撤回 (the parcel record was entered by mistake)

    @property
    def label(self) -> str:
        return STATUS_LABELS[self.value]


STATUS_LABELS = {"leased": "已出租", "expiring": "租期将满", "tender": "招租中", "vacant": "闲置",
                 "withdrawn": "已撤回"}


class Lease(Protocol):
    """What the rules read of a contract (a `Contract` row, or anything shaped like one)."""

    start_date: date
    end_date: date

    @property
    def status(self) -> str: ...  # ContractStatus (a str enum) or its value: "active", "terminated", …


@dataclass(frozen=True)
class ParcelState:
    """A parcel's status on a day, the contract covering it that day, and when the lease runs out."""

    status: ParcelStatus
    contract: Any | None = None      # the covering contract, if any
    lease_ends: date | None = None   # last day of the unbroken lease, renewals included


def _status_value(lease: Lease) -> str:
    value: str = getattr(lease.status, "value", lease.status)
    return value


def covers(lease: Lease, day: date) -> bool:
    """True if the contract leases the parcel on `day`.

    A withdrawn contract never did; a terminated one did only up to its termination date (its
    `end_date` is set to that day when it is terminated), so afterwards it no longer covers.
    """
    return _status_value(lease) != "withdrawn" and lease.start_date <= day <= lease.end_date


def lease_end(leases: list[Lease], current: Lease) -> date:
    """The last day of the unbroken lease from `current` on: a renewal starting the day after
    (or earlier) extends it, so a parcel already re-let is not shown as expiring."""
    end = current.end_date
    extended = True
    while extended:
        extended = False
        for lease in leases:
            if (_status_value(lease) != "withdrawn" and lease.start_date <= end + timedelta(days=1)
                    and lease.end_date > end):
                end, extended = lease.end_date, True
    return end


def parcel_status(withdrawn: bool, leases: Iterable[Lease], on: date, *, in_tender: bool = False) -> ParcelState:
    """The parcel's status on `on`.

    withdrawn: the parcel record itself is withdrawn (已撤回) — that wins over everything.
    leases: every contract that includes the parcel, in any order and any status.
    in_tender: an open tender is offering the parcel (招租中); it shows for a vacant parcel and
    for one whose lease is about to run out, not for one leased for longer.
    """
    if withdrawn:
        return ParcelState(ParcelStatus.WITHDRAWN)
    leases = list(leases)
    covering = [lease for lease in leases if covers(lease, on)]
    if covering:
        current = max(covering, key=lambda lease: (lease.end_date, lease.start_date))
        ends = lease_end(leases, current)
        if ends > add_months(on, EXPIRY_WINDOW_MONTHS):
            return ParcelState(ParcelStatus.LEASED, current, ends)
        status = ParcelStatus.TENDER if in_tender else ParcelStatus.EXPIRING
        return ParcelState(status, current, ends)
    return ParcelState(ParcelStatus.TENDER if in_tender else ParcelStatus.VACANT)
