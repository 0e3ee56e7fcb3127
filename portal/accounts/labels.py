"""Chinese words of this domain's pages."""
from __future__ import annotations

from portal.kernel.history import COMMON_LABELS, ROLES

FIELDS = COMMON_LABELS | {"username": "用户名", "role": "角色", "active": "启用"}
# Coded values in words, for the committee's audit log (RecordType.values).
VALUES = {"role": ROLES}
