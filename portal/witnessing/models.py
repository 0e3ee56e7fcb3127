"""A committee member's witness key: the public half only (the member keeps the private key)."""
from __future__ import annotations

from datetime import date
from typing import Any

from sqlalchemy import ForeignKey, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from portal.kernel.base import Base, VillageRecord

ACTIVE, REVOKED = "active", "revoked"


class CommitteeKey(VillageRecord, Base):
    """监委会成员公钥 — numbered 1, 2, … within the village; its name is
    "<portal>/v/<village>/committee/<number>" and its verifier key a tlog-cosignature vkey."""

    __tablename__ = "committee_key"
    __table_args__ = (UniqueConstraint("village_id", "number"),)
    audit_entity = "committee_key"

    number: Mapped[int]
    key_name: Mapped[str] = mapped_column(String(200))
    verifier_key: Mapped[str] = mapped_column(String(300), unique=True)
    fingerprint: Mapped[str] = mapped_column(String(24))
    holder_id: Mapped[int] = mapped_column(ForeignKey("user_account.id"), index=True)
    status: Mapped[str] = mapped_column(String(16), default=ACTIVE)
    registered_on: Mapped[date]
    revoked_on: Mapped[date | None]

    def public_state(self) -> dict[str, Any]:
        # The holder is named by role only; the log entry's actor says who registered it.
        return {"number": self.number, "key_name": self.key_name, "verifier_key": self.verifier_key,
                "fingerprint": self.fingerprint, "holder_role": "committee", "status": self.status,
                "registered_on": self.registered_on.isoformat(),
                "revoked_on": self.revoked_on.isoformat() if self.revoked_on else None}
