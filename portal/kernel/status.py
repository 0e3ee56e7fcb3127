"""Record status shared by records that can only be published or withdrawn."""
from __future__ import annotations

import enum


class RecordStatus(str, enum.Enum):
    ACTIVE = "active"
    WITHDRAWN = "withdrawn"  # 已撤回: stays listed, marked withdrawn
