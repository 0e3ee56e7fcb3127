"""Chinese words of the receipt pages."""
from __future__ import annotations

from portal.kernel.history import COMMON_LABELS

RECEIPT_STATUS = {"active": "有效", "withdrawn": "已撤回"}

FIELDS = COMMON_LABELS | {
    "amount": "金额", "received_on": "收款日期", "payer.name": "交款人",
    "payer.is_person": "交款人为个人", "contract": "合同", "scan_sha256": "凭证扫描件",
}
