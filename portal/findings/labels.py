"""Chinese words of the findings pages."""
from __future__ import annotations

from portal.kernel.history import COMMON_LABELS

FINDING_STATUS = {"open": "待整改", "rectifying": "整改中", "closed": "已销号", "withdrawn": "已撤回"}

FIELDS = COMMON_LABELS | {
    "title": "问题", "description": "问题说明", "records": "涉及的记录", "responsible": "整改责任单位",
    "responsible_person": "整改责任人", "found_on": "发现日期", "due_on": "整改期限", "status": "状态",
}
# Coded values in words, for the committee's audit log (RecordType.values).
VALUES = {"status": FINDING_STATUS}
