"""Lease contracts (承包/租赁合同) over parcels and buildings of the collective."""
from __future__ import annotations

import enum
from datetime import date
from decimal import Decimal
from typing import Any

from sqlalchemy import JSON, Enum, ForeignKey, Index, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from portal.contracts.rent import Instalment, RentTerms, payment_schedule
from portal.kernel.area import AREA_PLACES, area_text
from portal.kernel.base import Base, NumberedRecord
from portal.kernel.privacy import mask_id_number, mask_name
from portal.kernel.types import ScaledDecimal
from portal.parcels.models import Asset


class LesseeKind(str, enum.Enum):
    COMPANY = "company"  # 企业/合作社: name is public
    PERSON = "person"    # 自然人: name is personal data, masked in public


class RentUnit(str, enum.Enum):
    PER_MU_YEAR = "mu_year"    # 元/亩/年
    PER_M2_MONTH = "m2_month"  # 元/㎡/月


class ContractKind(str, enum.Enum):
    """How the rent is set: a fixed rent, a guaranteed minimum plus a share of revenue (保底 + 分成),
    or rent-free use of an idle asset by a cooperative, as a meeting decided (无偿使用)."""

    FIXED = "fixed"
    REVENUE_SHARE = "revenue_share"
    RENT_FREE = "rent_free"


class ContractStatus(str, enum.Enum):
    ACTIVE = "active"          # 履行中
    TERMINATED = "terminated"  # 已解除
    WITHDRAWN = "withdrawn"    # 已撤回 (entered by mistake; stays listed)


def public_lessee_name(kind: LesseeKind, name: str) -> str:
    """A company's name as it is; a person's masked (张*华)."""
    return mask_name(name) if kind is LesseeKind.PERSON else name


class ContractAsset(Base):
    """One leased parcel or building of a contract, with the leased area."""

    __tablename__ = "contract_asset"

    contract_id: Mapped[int] = mapped_column(ForeignKey("contract.id"), primary_key=True)
    asset_id: Mapped[int] = mapped_column(ForeignKey("asset.id"), primary_key=True)
    area: Mapped[Decimal] = mapped_column(ScaledDecimal(4, least=2))  # 亩 to 4 places, read as 12.50

    asset: Mapped[Asset] = relationship(lazy="joined")


class Contract(NumberedRecord, Base):
    """合同 — a lease of collective land or premises; schedule and arrears derive from its terms."""

    __tablename__ = "contract"
    audit_entity = "contract"

    title: Mapped[str] = mapped_column(String(200))
    lessee_kind: Mapped[LesseeKind] = mapped_column(Enum(LesseeKind, native_enum=False, length=16))
    lessee_name: Mapped[str] = mapped_column(String(100))
    lessee_id_number: Mapped[str] = mapped_column(String(32), default="")  # 身份证号/统一社会信用代码
    lessee_phone: Mapped[str] = mapped_column(String(20), default="")
    start_date: Mapped[date]
    end_date: Mapped[date]
    rent_rate: Mapped[Decimal] = mapped_column(ScaledDecimal(2))
    rent_unit: Mapped[RentUnit] = mapped_column(Enum(RentUnit, native_enum=False, length=16))
    escalation_percent: Mapped[Decimal] = mapped_column(ScaledDecimal(2), default=Decimal(0))
    escalation_every_years: Mapped[int] = mapped_column(default=0)
    payment_interval_months: Mapped[int] = mapped_column(default=12)
    signed_on: Mapped[date | None]
    note: Mapped[str] = mapped_column(String(500), default="")
    status: Mapped[ContractStatus] = mapped_column(
        Enum(ContractStatus, native_enum=False, length=16), default=ContractStatus.ACTIVE
    )
    # Added after the table was made: placed after version and updated_at, as the migration adds them.
    kind: Mapped[ContractKind] = mapped_column(
        Enum(ContractKind, native_enum=False, length=16), default=ContractKind.FIXED, sort_order=102)
    share_percent: Mapped[Decimal] = mapped_column(ScaledDecimal(2), default=Decimal(0), sort_order=103)  # 分成比例
    # 申报营业收入 per year, [{"year": 2024, "revenue": "1200000.00"}], in year order
    revenues: Mapped[list[dict[str, Any]]] = mapped_column(JSON, default=list, sort_order=104)
    meeting_number: Mapped[str | None] = mapped_column(String(40), sort_order=105)  # the decision allowing it (HY-…)

    items: Mapped[list[ContractAsset]] = relationship(
        lazy="selectin", cascade="all, delete-orphan", order_by=ContractAsset.asset_id
    )

    @property
    def total_area(self) -> Decimal:
        return sum((item.area for item in self.items), Decimal("0.00"))

    @property
    def rent_terms(self) -> RentTerms:
        return RentTerms(
            start=self.start_date,
            end=self.end_date,
            rate=self.rent_rate,
            unit=self.rent_unit.value,
            area=self.total_area,
            escalation_percent=self.escalation_percent,
            escalation_every_years=self.escalation_every_years,
            interval_months=self.payment_interval_months,
            share_percent=self.share_percent if self.kind is ContractKind.REVENUE_SHARE else Decimal(0),
            revenues={int(r["year"]): Decimal(r["revenue"]) for r in self.revenues or []}
            if self.kind is ContractKind.REVENUE_SHARE else {},
            rent_free=self.kind is ContractKind.RENT_FREE,
        )

    def schedule(self) -> list[Instalment]:
        """缴款计划 — derived from the terms, never typed in."""
        return payment_schedule(self.rent_terms)

    def lessee_public_name(self) -> str:
        return public_lessee_name(self.lessee_kind, self.lessee_name)

    def public_state(self) -> dict[str, Any]:
        company = self.lessee_kind is LesseeKind.COMPANY
        return {
            "number": self.number,
            "title": self.title,
            "lessee": {
                "kind": self.lessee_kind.value,
                "name": self.lessee_public_name(),
                "id_number": self.lessee_id_number if company else mask_id_number(self.lessee_id_number),
            },
            "assets": [
                {"number": item.asset.number, "area": area_text(item.area), "area_unit": item.asset.area_unit}
                for item in self.items
            ],
            "start_date": self.start_date.isoformat(),
            "end_date": self.end_date.isoformat(),
            "rent": {
                "rate": str(self.rent_rate),
                "unit": self.rent_unit.value,
                "escalation_percent": str(self.escalation_percent),
                "escalation_every_years": self.escalation_every_years,
                "interval_months": self.payment_interval_months,
            },
            "schedule": [i.as_public() for i in self.schedule()],
            "signed_on": self.signed_on.isoformat() if self.signed_on else None,
            "note": self.note,
            "status": self.status.value,
        } | self.kind_state()

    def kind_state(self) -> dict[str, Any]:
        """The kind's own terms; nothing for a fixed rent, so a fixed lease's state is as before kinds."""
        if self.kind is ContractKind.FIXED:
            return {}
        state: dict[str, Any] = {"kind": self.kind.value, "meeting": self.meeting_number}
        if self.kind is ContractKind.REVENUE_SHARE:
            state["share_percent"] = str(self.share_percent)
            state["revenues"] = [{"year": int(r["year"]), "revenue": str(r["revenue"])} for r in self.revenues or []]
        return state

    def personal_data(self) -> dict[str, Any] | None:
        personal: dict[str, Any] = {}
        if self.lessee_kind is LesseeKind.PERSON:
            personal["name"] = self.lessee_name
            personal["id_number"] = self.lessee_id_number
        if self.lessee_phone:
            personal["phone"] = self.lessee_phone
        return personal or None


class StoredInstalment(Base):
    """One instalment of a contract's 缴款计划 as stored when the contract is written, so pages
    read arrears with indexed queries instead of deriving every schedule per request.

    Only what does not depend on the day asked about is stored: the instalment and the amount
    due up to and including it (`cumulative`). What is paid depends on that day (receipts dated
    on or before it count, oldest instalment first), so reads take it from one SUM over receipts
    (portal/contracts/arrears.py); receipts therefore change no row here. Re-derived in the
    audited transaction of every contract write (portal/contracts/derived.py), and checked by
    `audit verify`.
    """

    __tablename__ = "instalment"
    __table_args__ = (Index("ix_instalment_village_id_due_date", "village_id", "due_date"),)

    contract_id: Mapped[int] = mapped_column(ForeignKey("contract.id"), primary_key=True)
    seq: Mapped[int] = mapped_column(primary_key=True, autoincrement=False)
    village_id: Mapped[int] = mapped_column(ForeignKey("village.id"))
    period_start: Mapped[date]
    period_end: Mapped[date]
    due_date: Mapped[date]
    amount: Mapped[Decimal] = mapped_column(ScaledDecimal(2))
    cumulative: Mapped[Decimal] = mapped_column(ScaledDecimal(2))  # this and every earlier instalment

    def as_instalment(self) -> Instalment:
        return Instalment(self.seq, self.period_start, self.period_end, self.due_date, self.amount)
