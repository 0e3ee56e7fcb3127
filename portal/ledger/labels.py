"""Chinese words of the ledger pages."""
from __future__ import annotations

from portal.kernel.history import COMMON_LABELS

DIRECTION = {"income": "收入", "expense": "支出"}
INCOME_CATEGORY = {"rent": "租金收入", "property_fee": "物业费收入", "joint": "联营合作收入",
                   "business": "经营收入", "subsidy": "补助收入", "other_income": "其他收入"}
EXPENSE_CATEGORY = {"transfer_rent": "土地流转租金", "dividend": "分红支出", "maintenance": "维修工程",
                    "welfare": "公益事业", "admin": "管理费用", "other_expense": "其他支出"}
CATEGORY = INCOME_CATEGORY | EXPENSE_CATEGORY
FUND_SOURCE = {"all": "全部收入"} | INCOME_CATEGORY
LEDGER_STATUS = {"active": "有效", "withdrawn": "已撤回"}

FIELDS = COMMON_LABELS | {
    "booked_on": "记账日期", "direction": "收支", "category": "科目", "amount": "金额",
    "counterparty.name": "对方（收款人/交款人）", "counterparty.is_person": "对方为个人",
    "funding_source": "资金来源", "fund": "从专项基金支出", "meeting": "决策会议", "receipt": "收据",
    "approved_by": "审批人", "voucher_sha256": "凭证扫描件", "fund_shares": "提取专项基金",
}
FUND_FIELDS = COMMON_LABELS | {"category": "提取自", "take": "每笔提取", "per": "每收入", "purpose": "用途"}
