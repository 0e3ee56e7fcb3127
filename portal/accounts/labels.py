"""Chinese words of this domain's pages."""
from __future__ import annotations

from portal.kernel.history import COMMON_LABELS

FIELDS = COMMON_LABELS | {"username": "用户名", "role": "角色", "active": "启用"}
