"""Chinese words of the dividend pages."""
from __future__ import annotations

from portal.kernel.history import COMMON_LABELS

PAYOUT = {"pending": "待发放", "paid": "已发放", "removed": "已移除"}
PLAN_STATUS = {"active": "有效", "withdrawn": "已撤回"}

PLAN_FIELDS = COMMON_LABELS | {
    "year": "年度", "title": "方案名称", "total": "可分配金额", "meeting": "决策会议",
    "publicity_from": "公示开始", "publicity_until": "公示截止", "households": "户数", "shares": "总股数",
}
LINE_FIELDS = COMMON_LABELS | {
    "plan": "分红方案", "year": "年度", "position": "序号", "household": "户号", "head": "户主",
    "shares": "股数", "amount": "分红金额", "payout": "发放状态", "paid_on": "发放日期",
}
# A line's coded values in words, for the committee's audit log (RecordType.values).
LINE_VALUES = {"payout": PAYOUT}
