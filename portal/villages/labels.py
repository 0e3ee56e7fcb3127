"""Chinese words of this domain's pages."""
from __future__ import annotations

from portal.kernel.history import COMMON_LABELS

FIELDS = COMMON_LABELS | {"township": "乡镇", "county": "县（区）", "code": "编码", "is_demo": "演示数据"}
