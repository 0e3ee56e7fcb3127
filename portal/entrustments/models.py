"""Entrustments (流转委托): a household's contracted land handed to the village to lease on, for a
transfer rent per 亩 that the collective pays the household every year (an expense of the ledger)."""
from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

from sqlalchemy import JSON, Enum, ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from portal.kernel.area import area_text
from portal.kernel.base import Base, NumberedRecord
from portal.kernel.money import round_fen
from portal.kernel.privacy import mask_name
from portal.kernel.status import RecordStatus
from portal.kernel.types import ScaledDecimal
from portal.parcels.models import Asset


class EntrustedAsset(Base):
    """One parcel (or the household's share of it) of an entrustment, with the area in 亩."""

    __tablename__ = "entrusted_asset"

    entrustment_id: Mapped[int] = mapped_column(ForeignKey("entrustment.id"), primary_key=True)
    asset_id: Mapped[int] = mapped_column(ForeignKey("asset.id"), primary_key=True)
    area: Mapped[Decimal] = mapped_column(ScaledDecimal(4, least=2))

    asset: Mapped[Asset] = relationship(lazy="joined")


class Entrustment(NumberedRecord, Base):
    """流转委托 — one household's land entrusted to the village: parcels, area, term, transfer rent."""

    __tablename__ = "entrustment"
    audit_entity = "entrustment"

    household_name: Mapped[str] = mapped_column(String(100))
    household_id_number: Mapped[str] = mapped_column(String(32), default="")
    household_phone: Mapped[str] = mapped_column(String(20), default="")
    start_date: Mapped[date]
    end_date: Mapped[date]
    rent_rate: Mapped[Decimal] = mapped_column(ScaledDecimal(2))      # 流转租金 元/亩/年
    signed_on: Mapped[date | None]
    note: Mapped[str] = mapped_column(String(500), default="")
    # 支付记录 [{"year", "entry" (ZJ-…), "amount", "paid_on"}], one per year, in year order
    payments: Mapped[list[dict[str, Any]]] = mapped_column(JSON, default=list)
    status: Mapped[RecordStatus] = mapped_column(
        Enum(RecordStatus, native_enum=False, length=16), default=RecordStatus.ACTIVE)

    items: Mapped[list[EntrustedAsset]] = relationship(
        lazy="selectin", cascade="all, delete-orphan", order_by=EntrustedAsset.asset_id)

    @property
    def total_area(self) -> Decimal:
        return sum((item.area for item in self.items), Decimal("0.00"))

    @property
    def annual_rent(self) -> Decimal:
        """每年流转租金 = 面积 × 单价, to the fen."""
        return round_fen(self.total_area * self.rent_rate)

    def household_public_name(self) -> str:
        return mask_name(self.household_name)

    def paid_years(self) -> set[int]:
        return {int(p["year"]) for p in self.payments or []}

    def public_state(self) -> dict[str, Any]:
        return {
            "number": self.number,
            "household": {"name": self.household_public_name()},
            "assets": [{"number": item.asset.number, "area": area_text(item.area)} for item in self.items],
            "area": area_text(self.total_area),
            "start_date": self.start_date.isoformat(),
            "end_date": self.end_date.isoformat(),
            "rent_rate": str(self.rent_rate),
            "annual_rent": str(self.annual_rent),
            "payments": [dict(p) for p in self.payments or []],
            "signed_on": self.signed_on.isoformat() if self.signed_on else None,
            "note": self.note,
            "status": self.status.value,
        }

    def personal_data(self) -> dict[str, Any] | None:
        personal = {"name": self.household_name}
        if self.household_id_number:
            personal["id_number"] = self.household_id_number
        if self.household_phone:
            personal["phone"] = self.household_phone
        return personal
