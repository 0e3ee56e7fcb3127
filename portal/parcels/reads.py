"""What the parcel register, a parcel's page and the parcel map show."""
from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Mapping
from dataclasses import dataclass, replace
from datetime import date
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from sqlalchemy import select
from sqlalchemy.orm import Session, raiseload, selectinload

from portal.auditlog.records import LogState, log_state, record_entries, record_proof
from portal.contracts.models import Contract, ContractAsset
from portal.kernel.area import area_text
from portal.kernel.history import FieldChange, Version, versions
from portal.kernel.status import RecordStatus
from portal.kernel.transaction import Backend
from portal.parcels import mapping
from portal.parcels.labels import AREA_UNIT, ASSET_KIND, FIELDS, PARCEL_STATUS
from portal.parcels.models import Asset, AssetKind
from portal.parcels.services import find_asset
from portal.parcels.status import STATUS_LABELS, ParcelState, parcel_status
from portal.publishing.listings import Column, Listing, village_listing
from portal.villages.models import Village
from portal.villages.services import find_village

if TYPE_CHECKING:
    from _typeshed import SupportsRichComparison

PARCEL_SORTS: dict[str, tuple[Callable[[Asset, ParcelState], SupportsRichComparison], bool]] = {
    "number": (lambda a, s: a.number, False),
    "area": (lambda a, s: (a.kind is AssetKind.LAND, a.area, a.number), True),  # land (亩) first, largest first
    "status": (lambda a, s: (list(STATUS_LABELS).index(s.status.value), a.number), False),
    "end": (lambda a, s: (s.contract is None, s.contract.end_date if s.contract else date.max, a.number), False),
}


PARCEL_COLUMNS = [
    Column("number", "编号", doc="村内唯一的地块或资产编号"),
    Column("name", "名称"),
    Column("kind", "类别", "choice", choices=ASSET_KIND),
    Column("land_type", "地类", doc="耕地、园地、林地等；房屋为空"),
    Column("area", "面积", "area", doc="单位见 area_unit：土地为亩，房屋为平方米"),
    Column("area_unit", "面积单位", "choice", choices=AREA_UNIT),
    Column("location", "位置"),
    Column("status", "状态", "choice", choices=PARCEL_STATUS,
           doc="截至 as_of：已出租、租期将满（6 个月内到期）、招租中、闲置、已撤回"),
    Column("lessee", "承租方", doc="当前承租方；企业全称，个人只显示姓氏和末字（张*华）"),
    Column("contract", "合同编号", doc="当前覆盖该地块的合同"),
    Column("contract_end", "合同终止日期", "date"),
]


@dataclass(frozen=True)
class ParcelDetail:
    village: Village
    asset: Asset
    state: ParcelState
    contracts: list[Contract]  # every contract on it, withdrawn ones too, oldest first
    history: list[Version]
    proof: dict[str, Any] | None


@dataclass(frozen=True)
class ParcelMapData:
    village: Village
    parcels: list[tuple[Asset, ParcelState]]  # land parcels and anything with a polygon, by number
    log: LogState | None


def _contracts_by_asset(session: Session, village_id: int) -> dict[int, list[Contract]]:
    """Every contract of the village under each asset it includes; two queries in all."""
    by_asset: dict[int, list[Contract]] = defaultdict(list)
    for contract in session.scalars(select(Contract).where(Contract.village_id == village_id).options(
            selectinload(Contract.items), raiseload("*"))):
        for item in contract.items:
            by_asset[item.asset_id].append(contract)
    return by_asset


def _parcel_states(session: Session, village_id: int, as_of: date) -> list[tuple[Asset, ParcelState]]:
    """Every asset of the village, by number, with its status on `as_of`."""
    by_asset = _contracts_by_asset(session, village_id)
    assets = session.scalars(select(Asset).where(Asset.village_id == village_id).order_by(Asset.number))
    return [(a, parcel_status(a.status is RecordStatus.WITHDRAWN, by_asset.get(a.id, []), as_of)) for a in assets]


def _parcel_row(asset: Asset, state: ParcelState) -> dict[str, Any]:
    contract = state.contract
    return {
        "number": asset.number, "name": asset.name, "kind": asset.kind.value, "land_type": asset.land_type,
        "area": area_text(asset.area), "area_unit": asset.area_unit, "location": asset.location,
        "status": state.status.value,
        "lessee": contract.lessee_public_name() if contract else None,
        "contract": contract.number if contract else None,
        "contract_end": contract.end_date.isoformat() if contract else None,
    }


def parcels_listing(backend: Backend, code: str, as_of: date, *, status: str | None = None,
                    kind: str | None = None, sort: str = "number") -> Listing:
    """地块登记 — every parcel and building with its status on `as_of`, filtered and sorted."""
    with backend.db.read() as session:
        village = find_village(session, code)
        chosen = [(a, s) for a, s in _parcel_states(session, village.id, as_of)
                  if (not status or s.status.value == status) and (not kind or a.kind.value == kind)]
        key, reverse = PARCEL_SORTS[sort]
        chosen.sort(key=lambda pair: key(*pair), reverse=reverse)
        rows = [_parcel_row(a, s) for a, s in chosen]
        land = [a for a, _ in chosen if a.kind is AssetKind.LAND]
        totals = {"count": len(rows), "land_area": area_text(sum((a.area for a in land), Decimal("0.00")))}
        return village_listing(session, village, "parcels", "地块登记", as_of, PARCEL_COLUMNS, rows,
                        [f"/v/{code}/parcels/{a.number}" for a, _ in chosen], totals)


def parcel_detail(backend: Backend, code: str, number: str, as_of: date) -> ParcelDetail:
    """One parcel: its status, every contract on it, its versions and its inclusion proof."""
    with backend.db.read() as session:
        village = find_village(session, code)
        asset = find_asset(session, village.id, number)
        contracts = list(session.scalars(select(Contract).join(ContractAsset)
                                         .where(ContractAsset.asset_id == asset.id)
                                         .order_by(Contract.start_date, Contract.number)))
        state = parcel_status(asset.status is RecordStatus.WITHDRAWN, contracts, as_of)
        entries = record_entries(session, code, "asset", asset.audit_id())
        history = [replace(v, changes=[_readable_outline(ch) for ch in v.changes]) for v in versions(entries, FIELDS)]
        return ParcelDetail(village, asset, state, contracts, history, record_proof(session, code, entries))


def _readable_outline(change: FieldChange) -> FieldChange:
    """边界 as words (corners and size), not as lists of coordinates."""
    if change.field != "polygon":
        return change
    before, after = (mapping.describe_outline(p) if p else None for p in (change.before, change.after))
    return replace(change, before=before, after=after)


def parcel_map(backend: Backend, code: str, as_of: date) -> ParcelMapData:
    """零散地块图 — land parcels (and any asset with a polygon) with their status on `as_of`."""
    with backend.db.read() as session:
        village = find_village(session, code)
        parcels = [(a, s) for a, s in _parcel_states(session, village.id, as_of)
                   if a.kind is AssetKind.LAND or a.polygon]
        return ParcelMapData(village, parcels, log_state(session, code))


def outline_extent(backend: Backend, code: str) -> tuple[int, int, int, int] | None:
    """(west, south, east, north) in metres of the village's parcel outlines, to place landmarks
    by; None when no parcel has an outline."""
    with backend.db.read() as session:
        village = find_village(session, code)
        points = [p for polygon in session.scalars(select(Asset.polygon).where(
            Asset.village_id == village.id, Asset.polygon.is_not(None))) if polygon for p in polygon]
    if not points:
        return None
    return min(p[0] for p in points), min(p[1] for p in points), max(p[0] for p in points), max(p[1] for p in points)


def page_path(code: str, data: Mapping[str, Any]) -> str | None:
    return f"/v/{code}/parcels/{data['number']}" if data.get("number") else None
