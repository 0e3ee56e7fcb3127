"""Receipts (收款/收益凭证): money the collective received, usually rent under a contract."""
from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

from sqlalchemy import Enum, ForeignKey, Index, String, UniqueConstraint
from sqlalchemy.orm import Mapped, declared_attr, mapped_column, relationship

from portal.contracts.models import Contract
from portal.kernel.base import Base, NumberedRecord
from portal.kernel.privacy import mask_name
from portal.kernel.status import RecordStatus
from portal.kernel.types import ScaledDecimal


class Receipt(NumberedRecord, Base):
    """收款凭证 — one payment received, with its receipt number and an optional scan."""

    __tablename__ = "receipt"
    audit_entity = "receipt"

    # The money figures of a village (the township table, portal/township/figures.py) sum its
    # receipts by contract and by day: this index holds all they read, so on PostgreSQL they
    # never touch the table. It leads with village_id, so it replaces that column's own index.
    @declared_attr.directive
    def __table_args__(cls) -> tuple[Any, ...]:
        return (UniqueConstraint("village_id", "number"),
                Index("ix_receipt_village_day", "village_id", "received_on",
                      postgresql_include=["contract_id", "amount", "status"]))

    @declared_attr
    def village_id(cls) -> Mapped[int]:
        return mapped_column(ForeignKey("village.id"), sort_order=-3)

    contract_id: Mapped[int | None] = mapped_column(ForeignKey("contract.id"), index=True)
    amount: Mapped[Decimal] = mapped_column(ScaledDecimal(2))
    received_on: Mapped[date]
    payer_name: Mapped[str] = mapped_column(String(100))
    payer_is_person: Mapped[bool] = mapped_column(default=False)
    scan_sha256: Mapped[str | None] = mapped_column(String(64))
    note: Mapped[str] = mapped_column(String(500), default="")
    status: Mapped[RecordStatus] = mapped_column(
        Enum(RecordStatus, native_enum=False, length=16), default=RecordStatus.ACTIVE
    )

    contract: Mapped[Contract | None] = relationship()

    def payer_public_name(self) -> str:
        return mask_name(self.payer_name) if self.payer_is_person else self.payer_name

    def public_state(self) -> dict[str, Any]:
        return {
            "number": self.number,
            "contract": self.contract.number if self.contract else None,
            "amount": str(self.amount),
            "received_on": self.received_on.isoformat(),
            "payer": {"is_person": self.payer_is_person, "name": self.payer_public_name()},
            "scan_sha256": self.scan_sha256,
            "note": self.note,
            "status": self.status.value,
        }

    def personal_data(self) -> dict[str, Any] | None:
        return {"payer_name": self.payer_name} if self.payer_is_person else None
