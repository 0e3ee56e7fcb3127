"""The asset register: parcels (地块) and buildings, created, corrected and withdrawn with reasons."""
from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import asdict, dataclass
from decimal import Decimal
from typing import Protocol, TypeVar

from sqlalchemy import select
from sqlalchemy.orm import Session

from portal.kernel.area import AREA_PLACES
from portal.kernel.errors import ValidationError
from portal.kernel.lifecycle import (
    correct_numbered,
    create_numbered,
    create_numbered_in,
    record_created,
    withdraw,
)
from portal.kernel.lookup import HasSession, find_numbered
from portal.kernel.messages import say
from portal.kernel.status import RecordStatus
from portal.kernel.transaction import Actor, Backend, Change
from portal.kernel.validate import REASON_MAX, Checker, RowErrors
from portal.parcels import geometry
from portal.parcels.models import Asset, AssetKind

MAX_AREA = {AssetKind.LAND: Decimal("100000"), "other": Decimal("1000000")}
MAX_POLYGON_POINTS = geometry.MAX_POINTS
MAX_COORDINATE = geometry.MAX_COORDINATE
# 亩 to four places as land registers (确权) give them; ㎡ to two
A = TypeVar("A")
AREA_PLACES_OF = {AssetKind.LAND: AREA_PLACES, "other": 2}


@dataclass
class AssetInput:
    """An asset as staff type it: `kind` an AssetKind value ("land", "shop", …) and `area` decimal
    text (亩 for land, up to 4 places; ㎡ otherwise, up to 2) as a form sends them, or a Decimal;
    `polygon` the outline as [x, y] points in whole metres (portal/parcels/geometry.py turns
    GeoJSON into them). The service checks every field and converts kind and area
    (ValidationError with a message each); the outline must be a simple ring whose area is not
    wildly off the typed area (geometry.compare_area)."""

    number: str
    name: str
    kind: str
    area: str | Decimal
    land_type: str = ""
    location: str = ""
    polygon: list[list[int]] | None = None


@dataclass(frozen=True)
class CheckedAsset:
    """An asset's columns, checked (`check_asset`): what `add_asset` writes."""

    number: str
    name: str
    kind: AssetKind
    land_type: str
    location: str
    polygon: list[list[int]] | None
    area: Decimal


def _check_polygon(check: Checker, polygon: object) -> list[list[int]] | None:
    if polygon in (None, "", []):
        return None
    if not (isinstance(polygon, list) and 3 <= len(polygon) <= MAX_POLYGON_POINTS and all(
            isinstance(p, (list, tuple)) and len(p) == 2
            and all(isinstance(c, int) and not isinstance(c, bool) and abs(c) <= MAX_COORDINATE for c in p)
            for p in polygon)):
        check.fail("polygon", say("地块边界须为 3–%(most)s 个整数坐标点（米）", most=MAX_POLYGON_POINTS))
        return None
    try:
        return geometry.checked_ring([(int(x), int(y)) for x, y in polygon])
    except geometry.GeometryError as err:
        check.fail("polygon", str(err))
        return None


def check_asset(data: AssetInput) -> CheckedAsset:
    """The asset's columns, without touching the database; raises ValidationError with every message."""
    check = Checker()
    number = check.text("number", data.number, "编号", max_len=32)
    name = check.text("name", data.name, "名称", max_len=100)
    kind = check.choice("kind", data.kind, "类别", AssetKind)
    land_type = check.text("land_type", data.land_type, "地类", max_len=32, required=False)
    location = check.text("location", data.location, "位置", max_len=200, required=False)
    polygon = _check_polygon(check, data.polygon)
    limit = MAX_AREA[AssetKind.LAND] if kind is AssetKind.LAND else MAX_AREA["other"]
    unit = "亩" if kind is AssetKind.LAND else "平方米"
    area = check.area("area", data.area, say("面积（%(unit)s）", unit=unit), unit=(kind or AssetKind.SHOP).area_unit, maximum=limit)
    if polygon and kind is not None and "area" not in check.errors:
        refusal = geometry.compare_area(polygon, area, kind is AssetKind.LAND).refusal
        if refusal:
            check.fail("polygon", refusal)
    return check.result(None if kind is None else CheckedAsset(number, name, kind, land_type, location, polygon, area))


def find_asset(change_or_session: HasSession | Session, village_id: int, number: str) -> Asset:
    return find_numbered(change_or_session, Asset, village_id, number, "资产")


def create_asset(backend: Backend, actor: Actor, village_code: str, data: AssetInput) -> Asset:
    values = check_asset(data)
    return create_numbered(backend, actor, village_code, Asset, asdict(values), "编号")


def add_asset(change: Change, values: CheckedAsset, *, reason: str | None = None) -> Asset:
    """`create_asset` inside an open change allowing "asset.create" (many in one transaction, as an
    import does); `reason` goes into the entry. ValidationError when the number is taken."""
    return create_numbered_in(change, Asset, asdict(values), "编号", reason=reason)


def correct_asset(backend: Backend, actor: Actor, village_code: str, number: str,
                  data: AssetInput, reason: str) -> Asset:
    """A correction is a new version with a reason; the old one stays in the log."""
    values = check_asset(data)
    check = Checker()
    reason = check.reason(reason)
    check.done()
    return correct_numbered(backend, actor, village_code, number, Asset, asdict(values), reason, find=find_asset,
                            number_label="编号")


def import_assets(backend: Backend, actor: Actor, village_code: str, inputs: Sequence[AssetInput],
                  reason: str) -> list[Asset]:
    """导入: many new assets in ONE audited change, one log entry each, all with `reason` (a
    village's parcel file). Every record is checked first; ValidationError names each bad one by
    its place in the file and its number, and nothing is written."""
    check = Checker()
    reason = check.text("reason", reason, "导入理由", max_len=REASON_MAX)
    check.done()
    rows = RowErrors("地块/资产")
    checked: list[tuple[int, CheckedAsset]] = []
    first: dict[str, int] = {}  # number → the place it first appears at
    for place, data in enumerate(inputs, 1):
        try:
            values = check_asset(data)
        except ValidationError as err:
            rows.add(place, str(data.number).strip(), err)
            continue
        if values.number in first:
            rows.add(place, values.number, say("编号与第 %(first)s 个重复", first=first[values.number]))
        first.setdefault(values.number, place)
        checked.append((place, values))
    rows.done()
    with backend.change(village_code, actor, "asset.create") as change:
        village_id = change.village_id()
        taken = set(change.session.scalars(select(Asset.number).where(Asset.village_id == village_id)))
        for place, values in checked:
            if values.number in taken:
                rows.add(place, values.number, say("编号“%(number)s”已存在", number=values.number))
        rows.done()
        assets = []
        for _, values in checked:
            asset = Asset(village_id=village_id, **asdict(values))
            record_created(change, asset, "asset.create", reason)
            assets.append(asset)
    return assets


def withdraw_asset(backend: Backend, actor: Actor, village_code: str, number: str, reason: str) -> Asset:
    """Marks an asset withdrawn (entered by mistake); it stays listed as withdrawn."""
    return withdraw(backend, actor, village_code, number, reason, find=find_asset,
                    entity="asset", withdrawn=RecordStatus.WITHDRAWN)


def chosen_assets(change: Change, village_id: int, assets: Sequence[tuple[str, A]], check: Checker, *,
                  land_only: bool = False) -> Iterator[tuple[Asset, A]]:
    """The assets a record names (a contract's leased parcels, an entrustment's), each with its
    area as typed: a number that is no asset of the village in use, named twice, or (`land_only`)
    no land in 亩, is failed in `check` under "assets" and left out."""
    seen: set[str] = set()
    for number, area in assets:
        number = str(number).strip()
        asset = change.session.scalar(select(Asset).where(Asset.village_id == village_id, Asset.number == number))
        if asset is None or asset.status is RecordStatus.WITHDRAWN:
            check.fail("assets", say("没有编号为“%(number)s”的地块或资产", number=number))
            continue
        if land_only and asset.kind is not AssetKind.LAND:
            check.fail("assets", say("“%(number)s”不是以亩计的土地，不能委托流转", number=number))
            continue
        if number in seen:
            check.fail("assets", say("“%(number)s”重复选择", number=number))
            continue
        seen.add(number)
        yield asset, area


class _Part(Protocol):
    """A row of a record's parcels (ContractAsset, EntrustedAsset)."""

    asset_id: int
    area: Decimal


P = TypeVar("P", bound=_Part)


def merge_parts(current: list[P], wanted: list[P]) -> list[P]:
    """`wanted`, keeping the existing row of each asset still named (same primary key, area
    updated), so the ORM updates rows in place instead of deleting and inserting them."""
    by_asset = {part.asset_id: part for part in current}
    merged = []
    for part in wanted:
        kept = by_asset.get(part.asset_id)
        if kept is not None:
            kept.area = part.area
            merged.append(kept)
        else:
            merged.append(part)
    return merged
