"""Chinese words of the entrustment pages."""
from __future__ import annotations

from portal.kernel.history import COMMON_LABELS

ENTRUSTMENT_STATUS = {"active": "有效", "withdrawn": "已撤回"}

FIELDS = COMMON_LABELS | {
    "household.name": "委托农户", "assets": "委托地块", "area": "委托面积（亩）", "start_date": "起始日期",
    "end_date": "终止日期", "rent_rate": "流转租金（元/亩/年）", "annual_rent": "每年流转租金",
    "payments": "流转租金支付", "signed_on": "签订日期", "note": "备注",
}
