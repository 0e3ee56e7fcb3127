"""Signing records (签约): when, where and by whom a contract was signed, with the live stream or
video, photos and the scan of the signed contract, each file named in the log by its SHA-256."""
from __future__ import annotations

from datetime import date
from typing import Any

from sqlalchemy import JSON, Enum, ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from portal.contracts.models import Contract
from portal.kernel.base import Base, NumberedRecord
from portal.kernel.privacy import mask_name
from portal.kernel.status import RecordStatus


class Signing(NumberedRecord, Base):
    """签约记录 of one contract. The people who signed and witnessed it are named by role in
    public and by full name only in the private part of the entry."""

    __tablename__ = "signing"
    audit_entity = "signing"

    contract_id: Mapped[int] = mapped_column(ForeignKey("contract.id"), index=True)
    signed_on: Mapped[date]
    place: Mapped[str] = mapped_column(String(200))
    lessor_role: Mapped[str] = mapped_column(String(50))
    lessor_name: Mapped[str] = mapped_column(String(50))
    lessee_role: Mapped[str] = mapped_column(String(50))
    lessee_name: Mapped[str] = mapped_column(String(50))
    # [{"role": "监委会主任", "name": "张三明"}, …]
    witnesses: Mapped[list[dict[str, str]]] = mapped_column(JSON, default=list)
    stream_url: Mapped[str] = mapped_column(String(500), default="")
    video_sha256: Mapped[str | None] = mapped_column(String(64))
    contract_scan_sha256: Mapped[str | None] = mapped_column(String(64))
    photo_sha256: Mapped[list[str]] = mapped_column(JSON, default=list)
    note: Mapped[str] = mapped_column(String(500), default="")
    status: Mapped[RecordStatus] = mapped_column(
        Enum(RecordStatus, native_enum=False, length=16), default=RecordStatus.ACTIVE
    )

    contract: Mapped[Contract] = relationship()

    def scan_is_public(self) -> bool:
        """A signed contract of a person carries their ID number: its scan is for staff only."""
        return self.contract.lessee_kind.value != "person"

    def public_state(self) -> dict[str, Any]:
        return {
            "number": self.number,
            "contract": self.contract.number,
            "signed_on": self.signed_on.isoformat(),
            "place": self.place,
            "lessor": {"role": self.lessor_role, "name": mask_name(self.lessor_name)},
            "lessee": {"role": self.lessee_role, "name": mask_name(self.lessee_name)},
            "witnesses": [{"role": w["role"], "name": mask_name(w["name"])} for w in self.witnesses],
            "stream_url": self.stream_url,
            # Kept by the village, not by the portal: not a stored file (keys ending in sha256 are).
            "video": {"sha256": self.video_sha256} if self.video_sha256 else None,
            "contract_scan_sha256": self.contract_scan_sha256,
            "photo_sha256": list(self.photo_sha256),
            "note": self.note,
            "status": self.status.value,
        }

    def personal_data(self) -> dict[str, Any] | None:
        return {"lessor_name": self.lessor_name, "lessee_name": self.lessee_name,
                "witnesses": [w["name"] for w in self.witnesses]}
