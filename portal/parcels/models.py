"""The asset register: land parcels (地块, area in 亩) and buildings, shops, facilities (㎡)."""
from __future__ import annotations

import enum
from decimal import Decimal
from typing import Any

from sqlalchemy import JSON, Enum, String
from sqlalchemy.orm import Mapped, mapped_column

from portal.kernel.area import AREA_PLACES, area_text
from portal.kernel.base import Base, NumberedRecord
from portal.kernel.status import RecordStatus
from portal.kernel.types import ScaledDecimal


class AssetKind(str, enum.Enum):
    LAND = "land"            # 地块（资源）
    BUILDING = "building"    # 房屋
    SHOP = "shop"            # 店面
    FACILITY = "facility"    # 设施

    @property
    def area_unit(self) -> str:
        return "mu" if self is AssetKind.LAND else "m2"


class Asset(NumberedRecord, Base):
    """资产/资源登记 — one parcel or building the collective owns; area in 亩 or ㎡ by kind."""

    __tablename__ = "asset"
    audit_entity = "asset"

    name: Mapped[str] = mapped_column(String(100))    # 名称
    kind: Mapped[AssetKind] = mapped_column(Enum(AssetKind, native_enum=False, length=16))
    area: Mapped[Decimal] = mapped_column(ScaledDecimal(4, least=2))  # 亩 to 4 places, read as 12.50
    land_type: Mapped[str] = mapped_column(String(32), default="")  # 耕地、园地、林地…
    location: Mapped[str] = mapped_column(String(200), default="")
    # Polygon as [[x, y], …] in metres on the village's local plane; integers keep it float-free.
    polygon: Mapped[list[list[int]] | None] = mapped_column(JSON)
    status: Mapped[RecordStatus] = mapped_column(
        Enum(RecordStatus, native_enum=False, length=16), default=RecordStatus.ACTIVE
    )

    @property
    def area_unit(self) -> str:
        return self.kind.area_unit

    def public_state(self) -> dict[str, Any]:
        return {
            "number": self.number,
            "name": self.name,
            "kind": self.kind.value,
            "area": area_text(self.area),
            "area_unit": self.area_unit,
            "land_type": self.land_type,
            "location": self.location,
            "polygon": self.polygon,
            "status": self.status.value,
        }
