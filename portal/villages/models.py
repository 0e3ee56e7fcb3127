"""Village (村): the unit that owns collective assets and one audit log."""
from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, String, true
from sqlalchemy.orm import Mapped, mapped_column

from portal.kernel.base import Audited, Base
from portal.kernel.types import UTCDateTime


class Village(Audited, Base):
    """村 — one village; its `code` (e.g. `lianban`) names its audit log and its URLs."""

    __tablename__ = "village"
    audit_entity = "village"

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(32), unique=True)
    name: Mapped[str] = mapped_column(String(100))
    township: Mapped[str] = mapped_column(String(100))
    county: Mapped[str] = mapped_column(String(100), default="")
    is_demo: Mapped[bool] = mapped_column(default=False)
    version: Mapped[int] = mapped_column(default=1)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    # Staff drafts are published only once a committee member approves them. Not in the public
    # state: every entry names its approver (actor `staff:…+committee:…`), so the log shows
    # which changes were approved whatever this says.
    approval_required: Mapped[bool] = mapped_column(default=True, server_default=true())
    # 监督电话: the supervisory committee's number, printed on every bulletin-board notice (last:
    # the migration adds it at the end of the table).
    supervisor_phone: Mapped[str] = mapped_column(String(40), default="", server_default="")
    # 地标 on the parcel map (村委会, roads, rivers…), as portal/villages/landmarks.py writes them:
    # [{"number": 1, "kind": "road", "name": "莲坂路", "points": [[x, y], …]}, …] in the parcels'
    # metres. A list (not a mapping), so the village backup restores it as it is.
    landmarks: Mapped[list[dict[str, Any]]] = mapped_column(JSON, default=list, server_default="[]")

    def audit_id(self) -> str:
        return self.code

    def public_state(self) -> dict[str, Any]:
        return {
            "code": self.code,
            "name": self.name,
            "township": self.township,
            "county": self.county,
            "is_demo": self.is_demo,
            # left out while empty: villages logged before the number existed keep their state
            **({"supervisor_phone": self.supervisor_phone} if self.supervisor_phone else {}),
            # by number, so a change shows as the fields of one landmark (landmarks.3.name)
            **({"landmarks": {str(mark["number"]): {k: v for k, v in mark.items() if k != "number"}
                              for mark in self.landmarks}} if self.landmarks else {}),
        }
